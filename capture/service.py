"""Capture's domain logic: drafts, confirming the email address, and the submission. Nothing here commits:
the view or job that calls it commits once (docs/architecture.md, rule 9)."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from flask_babel import gettext as _, ngettext
from itsdangerous import BadSignature
from sqlalchemy import or_, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from capture import deadlines, figures, references
from capture.definitions import FormDefinition
from capture.display import answer_lines
from capture.models import Draft, EmailConfirmation, Submission, SubmissionFile
from portal import codes, locks, tokens
from portal.dates import minutes_to_wait
from portal.adapters.ports import EmailMessage
from portal.codes import CodeCheck  # noqa: F401 - part of this module's interface
from portal.dates import govuk_date, govuk_datetime
from portal.i18n import N_, in_language, localised

log = logging.getLogger(__name__)

CODES_PER_EMAIL_PER_HOUR = 5
RESEND_AFTER = dt.timedelta(seconds=30)
DUPLICATE_WINDOW = dt.timedelta(hours=24)
TOUCH_EVERY = dt.timedelta(minutes=1)
LINK_SALT = "capture-email-confirmation-link"


class DraftExpired(Exception):
    """The draft was deleted after the stated idle time, or never existed."""


class CodeNotSent(Exception):
    """A code was asked for too soon or too often; the message says when to try again."""


_hmac = codes.keyed_hash


# Drafts -------------------------------------------------------------------------------------

def new_draft(session: Session, form: FormDefinition, now: dt.datetime, language: str = "en") -> Draft:
    """A draft in the language of the page that started it: the request and its emails stay in it."""
    draft = Draft(id=secrets.token_hex(16), form_id=form.id, answers={}, flags={"key": secrets.token_hex(16)},
                  created_at=now, touched_at=now, language=language)
    session.add(draft)
    return draft


def draft_fingerprint(draft_id: str) -> str:
    return hashlib.sha256(draft_id.encode()).hexdigest()


def sent_from(session: Session, draft_id: str | None, form_id: str) -> str | None:
    """The reference of the request sent from this draft (by the emailed link, perhaps in another browser)."""
    if not draft_id:
        return None
    return session.scalar(select(Submission.reference).where(
        Submission.from_draft == draft_fingerprint(draft_id), Submission.form_id == form_id))


def get_draft(session: Session, draft_id: str | None, form_id: str, now: dt.datetime, idle: dt.timedelta,
              key: str | None = None) -> Draft:
    """The draft, for the browser holding its current key: resuming it elsewhere (capture/saving.py) gives
    it a new key, so a browser left behind (a library computer) cannot carry on."""
    draft = session.get(Draft, draft_id) if draft_id else None
    if draft is None or draft.form_id != form_id or draft.flags.get("key", key) != key:
        raise DraftExpired()
    if now - draft.touched_at > idle:
        raise DraftExpired()
    if now - draft.touched_at > TOUCH_EVERY:  # a write per minute at most, not one per page view
        draft.touched_at = now
    return draft


def save_answer(session: Session, draft: Draft, question_id: str, value, now: dt.datetime) -> None:
    answers = dict(draft.answers)
    if value is None:
        answers.pop(question_id, None)
    else:
        answers[question_id] = value
    draft.answers = answers
    draft.touched_at = now


def flag(session: Session, draft: Draft, name: str) -> None:
    draft.flags = {**draft.flags, name: True}


def purge_expired_drafts(session: Session, store, now: dt.datetime, idle: dt.timedelta) -> int:
    """Delete drafts left for longer than the stated idle time, and the files uploaded to them; a draft
    saved for later (capture/saving.py) when its time is up."""
    drafts = session.scalars(select(Draft).where(
        Draft.touched_at < now - idle, or_(Draft.saved_until.is_(None), Draft.saved_until <= now))).all()
    for draft in drafts:
        for value in draft.answers.values():
            for item in value.get("files", []) if isinstance(value, dict) else []:
                store.delete(item["store_key"])
        session.delete(draft)
    if drafts:
        log.info("deleted %d expired drafts", len(drafts))
    return len(drafts)


# Confirming the email address ---------------------------------------------------------------

def send_code(session: Session, draft: Draft, email: str, now: dt.datetime, secret: str) -> tuple[EmailConfirmation, str]:
    """A new code for the draft, within the limits per draft and per email address. Counting and adding
    happen under the draft's and the address's locks (portal.locks), so parallel requests cannot both
    take the last code of the hour."""
    email_hash = _hmac(secret, email.lower())
    locks.serialise(session, f"capture-draft:{draft.id}", now)  # always this order: no two requests wait on each other
    locks.serialise(session, f"capture-email:{email_hash}", now)
    latest = session.scalar(select(EmailConfirmation).where(EmailConfirmation.draft_id == draft.id)
                            .order_by(EmailConfirmation.created_at.desc()).limit(1))
    if latest is not None and now - latest.created_at < RESEND_AFTER:
        raise CodeNotSent(_("Wait 30 seconds before asking for another code"))
    window = dt.timedelta(hours=1)
    this_hour = session.scalars(select(EmailConfirmation.created_at).where(
        EmailConfirmation.email_hash == email_hash, EmailConfirmation.created_at > now - window)
        .order_by(EmailConfirmation.created_at)).all()
    if len(this_hour) >= CODES_PER_EMAIL_PER_HOUR:
        wait = this_hour[len(this_hour) - CODES_PER_EMAIL_PER_HOUR] + window - now
        raise CodeNotSent(_("You have asked for too many codes. Wait %(wait)s and try again",
                            wait=minutes_to_wait(wait)))
    code = codes.new_code()
    confirmation = EmailConfirmation(draft_id=draft.id, email_hash=email_hash,
                                     code_hash=codes.code_hash(secret, draft.id, code),
                                     created_at=now, expires_at=now + codes.VALID_FOR, attempts=0)
    session.add(confirmation)
    session.flush()  # its id goes in the emailed link, which is committed with the code
    return confirmation, code


def latest_confirmation(session: Session, draft: Draft) -> EmailConfirmation | None:
    return session.scalar(select(EmailConfirmation).where(EmailConfirmation.draft_id == draft.id)
                          .order_by(EmailConfirmation.created_at.desc(), EmailConfirmation.id.desc()).limit(1))


CODE_ERRORS = {  # English here; translated where a page shows one (code_error)
    "wrong": N_("The security code is incorrect. Check the email we sent you and try again"),
    "expired": N_("The security code has expired. Get a new code"),
    "locked": N_("You have entered the wrong code too many times. Get a new code"),
    "none": N_("Get a security code first"),
}


def code_error(reason: str) -> str:
    """CODE_ERRORS[reason] in the page's language."""
    return _(CODE_ERRORS[reason])


def check_code(session: Session, draft: Draft, typed: str, now: dt.datetime, secret: str) -> CodeCheck:
    confirmation = latest_confirmation(session, draft)
    result = codes.check(session, confirmation, typed, now, secret, scope=draft.id)
    if result.ok:
        confirmation.confirmed_at = now
    return result


def link_token(secret: str, confirmation: EmailConfirmation) -> str:
    return tokens.dumps(secret, LINK_SALT, {"d": confirmation.draft_id, "c": confirmation.id})


def confirmation_from_link(session: Session, secret: str, token: str, now: dt.datetime) -> EmailConfirmation | None:
    """The confirmation a link names, if the link is genuine, unexpired and unused; else None (fail closed)."""
    try:
        data = tokens.loads(secret, LINK_SALT, token, max_age=int(codes.VALID_FOR.total_seconds()))
        confirmation = session.get(EmailConfirmation, int(data["c"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if confirmation is None or confirmation.draft_id != data.get("d") or now > confirmation.expires_at:
        return None
    if confirmation.attempts >= codes.ATTEMPTS:
        return None
    return confirmation


def confirm_by_link(session: Session, confirmation: EmailConfirmation, now: dt.datetime) -> None:
    confirmation.confirmed_at = now


# Submitting ---------------------------------------------------------------------------------

def _set_path(target: dict, dotted: str, value) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def build_payload(form: FormDefinition, answers: dict, *, reference: str, received_at: dt.datetime,
                  due: dt.date | None, rule: str, flags: dict, clock: str = "running", language: str = "en") -> dict:
    """The Create Case payload: mapped fields for the case system plus every answer as asked.

    Made in English whatever the page's language, so an English-only case team can read any request: each
    answer's label and answer are the English (an option's English text, a date in English, free text as typed).
    A request made in another language (`language`, the requester's) also has, in each answer, `as_shown`: the
    label and answer as the requester saw them (create_case.schema.json)."""
    with in_language("en"):
        payload = _payload_in_english(form, answers, reference=reference, received_at=received_at, due=due,
                                      rule=rule, flags=flags, clock=clock, language=language)
    if language != "en":
        with in_language(language):
            for entry, (page, value) in zip(payload["answers"], form.answered_on_path(answers), strict=True):
                entry["as_shown"] = {"language": language, "label": page.question.summary,
                                     "answer": "\n".join(answer_lines(page.question, value))}
    return payload


def _payload_in_english(form: FormDefinition, answers: dict, *, reference: str, received_at: dt.datetime,
                        due: dt.date | None, rule: str, flags: dict, clock: str, language: str) -> dict:
    payload: dict = {
        "reference": reference,
        "case_type": form.case_type,
        "form": form.id,
        "language": language,
        "received_at": received_at.isoformat().replace("+00:00", "Z"),
        "due_date": due.isoformat() if due else None,
        "statutory_clock": rule,
        "clock": {"status": clock, "statutory": deadlines.rule_from(form.clock).statutory, "rule": rule,
                  "due_date": due.isoformat() if due else None},
        "flags": flags,
        "answers": [],
        "attachments": [],
    }
    for page, value in form.answered_on_path(answers):
        question = page.question
        for item in question.files(value):
            payload["attachments"].append({k: item[k] for k in ("file_id", "filename", "content_type", "size", "sha256")}
                                          | {"question": question.id})
        if question.maps_to:
            _set_path(payload, question.maps_to, question.payload_value(value))
        payload["answers"].append({"question": question.id, "label": question.summary,
                                   "answer": "\n".join(answer_lines(question, value))})
    return payload


def _dedupe_hash(secret: str, form: FormDefinition, answers: dict) -> str:
    email = str(answers.get(form.email_question, "")).lower()
    texts = [" ".join(str(v).lower().split()) for p, v in form.answered_on_path(answers)
             if p.question.free_text]
    return _hmac(secret, "\x1f".join([form.id, email, *texts]))


def _files_of(form: FormDefinition, answers: dict) -> list[tuple[str, dict]]:
    files = []
    for page, value in form.answered_on_path(answers):
        for item in page.question.files(value):
            files.append((page.question.id, item))
    return files


def submit(session: Session, form: FormDefinition, draft: Draft, now: dt.datetime, secret: str,
           nation: str = "england") -> Submission:
    """The submission (answers, files, reference, receipt time); the caller commits it before anything is shown.
    A clock that waits (proof of identity to follow) has no due date yet: the case system sets it."""
    answers = {k: v for k, v in draft.answers.items() if k in {q.id for q in form.questions.values()}}
    rule = deadlines.describe(form.clock)
    clock = form.clock_status(answers)
    due = deadlines.due_date(form.clock, now, nation) if clock == "running" else None
    dedupe = _dedupe_hash(secret, form, answers)
    earlier = session.scalar(select(Submission.reference).where(
        Submission.dedupe_hash == dedupe, Submission.received_at > now - DUPLICATE_WINDOW).order_by(Submission.id).limit(1))
    flags = {"duplicate_of": earlier, "honeypot_filled": bool(draft.flags.get("honeypot"))}
    for _attempt in range(10):
        reference = references.new_reference(form.reference_prefix, now.astimezone(deadlines.LONDON).year)
        if session.scalar(select(func.count()).select_from(Submission).where(Submission.reference == reference)):
            continue
        submission = Submission(
            reference=reference, form_id=form.id, case_type=form.case_type, received_at=now, due_date=due,
            clock_rule=rule, answers=answers, dedupe_hash=dedupe, duplicate_of=earlier, delivery_status="pending",
            from_draft=draft_fingerprint(draft.id), language=draft.language or "en",
            delivery_attempts=0, next_attempt_at=now, delivery_started_at=now,
            payload=build_payload(form, answers, reference=reference, received_at=now, due=due, rule=rule, flags=flags,
                                  clock=clock, language=draft.language or "en"),
        )
        session.add(submission)
        for question_id, item in _files_of(form, answers):
            session.add(SubmissionFile(submission=submission, file_id=item["file_id"], question_id=question_id,
                                       filename=item["filename"], content_type=item["content_type"], size=item["size"],
                                       sha256=item["sha256"], store_key=item["store_key"],
                                       scanned=item.get("scanned", True)))
        session.execute(delete(EmailConfirmation).where(EmailConfirmation.draft_id == draft.id))
        session.delete(draft)
        try:
            session.flush()
        except IntegrityError:  # the same reference won a race in another process: draw again
            session.rollback()
            draft = session.merge(draft)
            continue
        figures.count_sent(session, form.id, now)
        return submission
    raise RuntimeError("could not allocate a unique reference")


def link_language(settings, language: str | None) -> str | None:
    """`lang` for an emailed link (url_for(..., lang=...)): the reader's language when it is not the default, so
    the pages it opens are in it; None (no `lang`, whatever the page sending it is in) when it is the default."""
    language = language if language in ("en", "cy") and settings.welsh_offered else "en"
    return None if language == settings.default_language else language


def due_sentence(form: FormDefinition, submission: Submission) -> str:
    """When the body will answer, in words (the page's or the email's language): a firm date in law, an aim
    under a policy, or when the clock starts."""
    status = (submission.payload.get("clock") or {}).get("status", "running")
    rule = deadlines.rule_from(form.clock)
    # the rule kept with the submission, in words: in the current language while it is still the form's rule
    current = submission.clock_rule == rule.description
    rule_words = rule.in_words() if current else submission.clock_rule
    if status in deadlines.WAITING:
        length = rule.length_in_words() if current else submission.clock_rule.split(", under ")[0]
        return _("We have %(time)s to respond, starting %(when)s. We'll tell you the date then.",
                 time=length, when=_(deadlines.WAITING[status]))
    if submission.due_date is None:
        return ""
    if rule.statutory:
        return _("We must respond by %(date)s. That is %(rule)s.", date=govuk_date(submission.due_date),
                 rule=rule_words)
    return _("We aim to reply by %(date)s.", date=govuk_date(submission.due_date))


def acknowledgement(form: FormDefinition, submission: Submission, settings, track_link: str = "") -> EmailMessage:
    """The email that says the request was received, in the requester's language (the submission's)."""
    language = submission.language or "en"
    with in_language(language):
        settings = localised(settings, language)
        lines = [
            _("Thank you for your %(form)s.", form=form.sentence_name),
            "",
            _("Your reference is %(reference)s", reference=submission.reference),
            _("We received it on %(moment)s.", moment=govuk_datetime(submission.received_at)),
        ]
        lines += [sentence for sentence in [due_sentence(form, submission)] if sentence]
        if form.acknowledgement_intro:
            lines += ["", form.acknowledgement_intro]
        for paragraph in form.acknowledgement_rights:
            lines += ["", paragraph]
        lines += ["", _("What you told us:"), ""]
        for page, value in form.answered_on_path(submission.answers):  # the questions as asked, in this language
            lines += [_("%(question)s:", question=page.question.summary), "\n".join(answer_lines(page.question, value)),
                      ""]
        if track_link:
            lines += [_("See where your request is at any time, and choose to be emailed when it changes:"), "",
                      track_link, ""]
        lines += [
            _("If you have a question about your request, contact %(body)s at %(email)s and quote your reference "
              "%(reference)s.", body=settings.public_body_name, email=settings.contact_email,
              reference=submission.reference),
        ]
        email = submission.answers[form.email_question]
        return EmailMessage(to=email, subject=_("We have received your %(form)s: %(reference)s",
                                                form=form.sentence_name, reference=submission.reference),
                            body="\n".join(lines), reference=submission.reference)


def code_email(form: FormDefinition, email: str, code: str, link: str | None, idle_minutes: int = 60,
               purpose: str = "confirm", language: str = "en") -> EmailMessage:
    """A security code, in the draft's language: to confirm the address and send the request (with the link
    that does the same), or to carry on with a saved request (capture/saving.py)."""
    with in_language(language):
        if purpose == "resume":
            lines = [_("Your security code to carry on with your saved %(form)s is:", form=form.sentence_name), "",
                     code, "", _("The code expires in 15 minutes."), "",
                     _("If you did not ask for this code, you can ignore this email. Nobody can open your answers "
                       "without it.")]
            return EmailMessage(to=email, subject=_("%(code)s is your code to carry on with your request", code=code),
                                body="\n".join(lines))
        body = "\n".join([
            _("Your security code to confirm your email address for your %(form)s is:", form=form.sentence_name),
            "",
            code,
            "",
            _("The code expires in 15 minutes."),
            "",
            _("Or use this link to confirm your email address:"),
            link or "",
            "",
            ngettext("Your request has not been sent yet. We only send it when you confirm your email address. If you "
                     "do not confirm it within %(num)d minute, we will delete your answers and you will need to start "
                     "again.",
                     "Your request has not been sent yet. We only send it when you confirm your email address. If you "
                     "do not confirm it within %(num)d minutes, we will delete your answers and you will need to start "
                     "again.", idle_minutes),
            "",
            _("If you did not ask for this code, you can ignore this email. Nobody can send your request without it."),
        ])
        return EmailMessage(to=email, subject=_("%(code)s is your code to confirm your email address", code=code),
                            body=body)
