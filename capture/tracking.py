"""Track your request: where a submitted request is, as the case system reports it, for the requester.

The case system reports progress with PUT /api/v1/submissions/{reference}/status (scope
submissions:status): received, in_progress, clarification_needed (the clock paused, with the question
asked), due_date_changed (an extension, with the reason), responded (with the Secure Share link, if
any), closed. The requester sees it from the acknowledgement email's link, or by reference plus a code
emailed to the address on the request; they may ask to be emailed when it changes. When the due date
passes with no response, the page says what they can do, with the dates.

The link is as private as the acknowledgement that carries it. Asking by reference never says whether
the reference and address matched: only the person who can read that inbox learns anything.

Like every service function here, these change the caller's session and never commit.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

from flask_babel import gettext as _
from itsdangerous import BadSignature
from sqlalchemy import select
from sqlalchemy.orm import Session

from capture import deadlines
from capture.definitions import FormDefinition
from capture.models import ProgressUpdate, Submission, TrackingCode
from portal import codes, locks, tokens
from portal.adapters.ports import EmailMessage
from portal.dates import govuk_date, london, minutes_to_wait
from portal.i18n import N_, in_language, localised
from portal.working_days import working_days_between

TRACK_SALT = "capture-track-link"
CODES_PER_HOUR = 5  # per request, however many people ask
# A request being tracked keeps its address until answered or closed for RETENTION_DAYS, but never past this;
# the acknowledgement's link works as long (its page is gone once the personal data is).
TRACKED_AT_MOST = dt.timedelta(days=366)
STATUSES = {  # status -> (words for people, in English: a page or an email translates them; GOV.UK tag colour)
    "received": (N_("Received"), "grey"),
    "in_progress": (N_("Being handled"), "blue"),
    "clarification_needed": (N_("We need more information from you"), "yellow"),
    "due_date_changed": (N_("Due date changed"), "purple"),
    "responded": (N_("Responded"), "green"),
    "closed": (N_("Closed"), "grey"),
}
FINISHED = ("responded", "closed")
NEEDS_MESSAGE = {"clarification_needed": "the question you asked the requester",
                 "due_date_changed": "the reason for the new due date"}
REFERENCE = re.compile(r"^[A-Z]{2,4}-\d{4}-[0-9A-Z]{4}-[0-9A-Z]$")


class InvalidProgress(ValueError):
    """A report the API refuses (422), naming the field."""

    def __init__(self, detail: str, field: str):
        super().__init__(detail)
        self.detail, self.field = detail, field


class TooManyCodes(Exception):
    def __init__(self, wait: dt.timedelta):
        super().__init__(_("You have asked for too many codes. Wait %(wait)s and try again", wait=minutes_to_wait(wait)))


# The case system's side -----------------------------------------------------------------------

def report(session: Session, submission: Submission, body: dict, now: dt.datetime, base_url: str) -> bool:
    """Record a report of progress; False when it repeats the latest one word for word (a retried PUT)."""
    status = body.get("status")
    if status not in STATUSES:
        raise InvalidProgress(f"status must be one of {', '.join(STATUSES)}", "status")
    message = body.get("message") or ""
    if not isinstance(message, str) or len(message) > 2000 or any(ord(c) < 32 and c not in "\n\t" for c in message):
        raise InvalidProgress("message must be text of at most 2000 characters", "message")
    message = message.strip()
    if status in NEEDS_MESSAGE and not message:
        raise InvalidProgress(f"a {status} report needs a message: {NEEDS_MESSAGE[status]}", "message")
    due = None
    if status == "due_date_changed":
        try:
            due = dt.date.fromisoformat(body.get("due_date") or "")
        except (TypeError, ValueError):
            raise InvalidProgress("a due_date_changed report needs due_date, like 2027-01-21", "due_date") from None
        if due < submission.received_at.date() or due.year > 2999:
            raise InvalidProgress("due_date must be after the request was received", "due_date")
    share_url = body.get("share_url") or ""
    if share_url and (status != "responded" or not isinstance(share_url, str)
                      or not share_url.startswith(base_url.rstrip("/") + "/documents/") or len(share_url) > 500):
        raise InvalidProgress("share_url is a Secure Share link of this portal, on a responded report", "share_url")
    latest = latest_update(session, submission)
    if latest is not None and (latest.status, latest.message, latest.due_date, latest.share_url) == (
            status, message, due, share_url):
        return False
    session.add(ProgressUpdate(submission_id=submission.id, status=status, at=now, message=message, due_date=due,
                               share_url=share_url))
    submission.progress = status
    return True


def latest_update(session: Session, submission: Submission) -> ProgressUpdate | None:
    return session.scalar(select(ProgressUpdate).where(ProgressUpdate.submission_id == submission.id)
                          .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc()).limit(1))


def updates(session: Session, submission: Submission) -> list[ProgressUpdate]:
    return list(session.scalars(select(ProgressUpdate).where(ProgressUpdate.submission_id == submission.id)
                                .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc())))


def erase(session: Session, submission: Submission) -> None:
    """With the rest of the request's personal data: what the body wrote to the requester goes too."""
    for update in updates(session, submission):
        update.message, update.share_url = "", ""


# Where the request is, for people -------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Progress:
    status: str
    words: str
    colour: str
    due: dt.date | None  # the date the body now works to: the latest changed one, else the first
    paused: bool  # waiting for the requester's clarification
    overdue_days: int  # working days past the due date with no response; 0 when not overdue
    statutory: bool


def progress(session: Session, form: FormDefinition, submission: Submission, now: dt.datetime) -> Progress:
    changed = session.scalar(select(ProgressUpdate.due_date).where(
        ProgressUpdate.submission_id == submission.id, ProgressUpdate.due_date.is_not(None))
        .order_by(ProgressUpdate.at.desc(), ProgressUpdate.id.desc()).limit(1))
    due = changed or submission.due_date
    paused = submission.progress == "clarification_needed"
    today = london(now).date()
    overdue = 0
    if due is not None and not paused and submission.progress not in FINISHED and today > due:
        overdue = working_days_between(due, today)
    words, colour = STATUSES.get(submission.progress, STATUSES["received"])
    return Progress(submission.progress, words, colour, due, paused, overdue,
                    deadlines.rule_from(form.clock).statutory)


def link_token(secret: str, submission: Submission) -> str:
    return tokens.dumps(secret, TRACK_SALT, {"r": submission.reference})


def link(settings, submission: Submission, url_for) -> str:
    """The tracking page's address for emails: the acknowledgement's, the progress emails' and feedback's; in
    the requester's language (?lang=cy when it is not the default), whatever the language of what sends it."""
    from capture.service import link_language

    return settings.base_url.rstrip("/") + url_for("capture.track", token=link_token(settings.secret_key, submission),
                                                   lang=link_language(settings, submission.language))


def submission_from_link(session: Session, secret: str, token: str) -> Submission | None:
    try:
        reference = tokens.loads(secret, TRACK_SALT, token, max_age=int(TRACKED_AT_MOST.total_seconds()))["r"]
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return session.scalar(select(Submission).where(Submission.reference == str(reference)))


def progress_email(form: FormDefinition, submission: Submission, update: ProgressUpdate, link: str,
                   settings, ask_feedback: bool = False) -> EmailMessage:
    """In the requester's language (the submission's), whatever the language of the report that sends it."""
    language = submission.language or "en"
    with in_language(language):
        body_name = localised(settings, language).public_body_name
        words = _(STATUSES[update.status][0])
        lines = [_("There is news about your %(form)s, reference %(reference)s.", form=form.sentence_name,
                   reference=submission.reference), "",
                 _("Status: %(status)s", status=words), ""]
        if update.message:
            lines += [_("%(body)s says:", body=body_name), "", update.message, ""]
        if update.due_date:
            lines += [_("The new date is %(date)s.", date=govuk_date(update.due_date)), ""]
        lines += [_("See where your request is:"), "", link, ""]
        if ask_feedback:
            lines += [_("Tell us whether we answered your question and how you feel about the service you received. "
                        "It takes a minute:"), "", link + "#feedback", ""]
        lines += [_("You asked us to email you when the status of your request changes. You can stop these emails "
                    "from that page.")]
        return EmailMessage(to=submission.answers[form.email_question],
                            subject=_("Your %(form)s %(reference)s: %(status)s", form=form.sentence_name,
                                      reference=submission.reference, status=words),
                            body="\n".join(lines), reference=submission.reference)


# Asking by reference ---------------------------------------------------------------------------

def find(session: Session, form_email_question, reference: str, email: str) -> Submission | None:
    """The request with this reference whose address is this one; None for any mismatch, said the same way."""
    reference = reference.strip().upper()
    if not REFERENCE.match(reference):
        return None
    submission = session.scalar(select(Submission).where(Submission.reference == reference))
    if submission is None or submission.personal_data_deleted_at is not None:
        return None
    given = str(submission.answers.get(form_email_question(submission), "")).lower()
    return submission if given and given == email.strip().lower() else None


def send_code(session: Session, submission: Submission, now: dt.datetime, secret: str) -> tuple[TrackingCode, str]:
    locks.serialise(session, f"capture-track:{submission.id}", now)
    window = dt.timedelta(hours=1)
    this_hour = session.scalars(select(TrackingCode.created_at).where(
        TrackingCode.submission_id == submission.id, TrackingCode.created_at > now - window)
        .order_by(TrackingCode.created_at)).all()
    if len(this_hour) >= CODES_PER_HOUR:
        raise TooManyCodes(this_hour[len(this_hour) - CODES_PER_HOUR] + window - now)
    code = codes.new_code()
    row = TrackingCode(submission_id=submission.id, code_hash=codes.code_hash(secret, f"track:{submission.id}", code),
                       created_at=now, expires_at=now + codes.VALID_FOR, attempts=0)
    session.add(row)
    session.flush()
    return row, code


def check_code(session: Session, submission_id: int, typed: str, now: dt.datetime, secret: str) -> codes.CodeCheck:
    row = session.scalar(select(TrackingCode).where(TrackingCode.submission_id == submission_id,
                                                    TrackingCode.used_at.is_(None))
                         .order_by(TrackingCode.created_at.desc(), TrackingCode.id.desc()).limit(1))
    result = codes.check(session, row, typed, now, secret, scope=f"track:{submission_id}")
    if result.ok:
        row.used_at = now
    return result


def code_email(email: str, reference: str, code: str, language: str = "en") -> EmailMessage:
    """In the request's language (the submission's)."""
    with in_language(language):
        body = "\n".join([_("Your security code to see where your request %(reference)s is:", reference=reference), "",
                          code, "", _("The code expires in 15 minutes."), "",
                          _("If you did not ask for this code, you can ignore this email.")])
        return EmailMessage(to=email, subject=_("%(code)s is your code to track your request", code=code), body=body,
                            reference=reference)

