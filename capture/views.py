"""Capture's pages: start -> one question per page -> check answers -> confirm email -> confirmation.

Each page commits once, after its service calls (which never commit) and before it queues an email or
a delivery; any page the person looks at counts as activity for the draft's idle timeout.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from flask import (Blueprint, abort, redirect, render_template, request, session as cookie, url_for)
from flask_babel import gettext as _

from capture import figures, tracking, related, service
from capture.answers import clean_text
from capture.display import answer_lines
from capture.definitions import CHECK_ANSWERS, FormDefinition, load_all
from capture.journey import PageOutcome, handle_question_post
from capture.models import Submission
from portal.current import now as _now, services as _services, settings as _settings
from portal.db import session as db_session
from capture import jobs as _jobs
from portal import outbox
from portal.jobs import after_commit, send_after_commit
from portal.i18n import current_language
from portal.security import limiter

log = logging.getLogger(__name__)
bp = Blueprint("capture", __name__, url_prefix="/request", template_folder="templates")


def delivery_readiness():
    """Warn an operator when a submission has been parked: a request the case system never got."""
    from sqlalchemy import func, select

    failed = db_session().scalar(
        select(func.count()).select_from(Submission).where(Submission.delivery_status == "failed"))
    if failed:
        return "warn", f"{failed} submission(s) could not be delivered: run `flask capture list --state failed`"
    return "ok", "nothing parked"


def _idle() -> dt.timedelta:
    return dt.timedelta(minutes=_settings().draft_idle_minutes)


def _form(form_id: str) -> FormDefinition:
    form = load_all().get(form_id)
    if form is None:
        abort(404)
    return form


def _draft_ids() -> dict:
    return dict(cookie.get("capture_drafts", {}))


def _draft(form: FormDefinition, create: bool = False):
    """This browser's draft of the form, its idle clock restarted (the view commits); a new one when
    starting; DraftExpired when it has gone."""
    draft_id = _draft_ids().get(form.id)
    if draft_id is None and create:
        draft = service.new_draft(db_session(), form, _now(), language=current_language())
        hold_draft(form, draft)
        cookie.permanent = False
        return draft
    return service.get_draft(db_session(), draft_id, form.id, _now(), _idle(),
                             key=cookie.get("capture_draft_keys", {}).get(form.id))


def hold_draft(form: FormDefinition, draft) -> None:
    """This browser holds the draft: its id and its key (capture.service.get_draft) in the cookie."""
    cookie["capture_drafts"] = {**_draft_ids(), form.id: draft.id}
    cookie["capture_draft_keys"] = {**cookie.get("capture_draft_keys", {}), form.id: draft.flags["key"]}


@bp.errorhandler(service.DraftExpired)
def _expired(_error):
    form_id = (request.view_args or {}).get("form_id")
    if form_id in load_all():
        drafts = _draft_ids()
        reference = service.sent_from(db_session(), drafts.pop(form_id, None), form_id)
        cookie["capture_drafts"] = drafts
        if reference is not None:  # confirmed by the emailed link, perhaps in another browser
            cookie["capture_submitted"] = {**cookie.get("capture_submitted", {}), form_id: reference}
            return render_template("capture/already_sent.html", form=_form(form_id), reference=reference)
        return render_template("capture/expired.html", form=_form(form_id), minutes=_settings().draft_idle_minutes), 410
    abort(404)


@bp.context_processor
def _capture_globals():
    return {"idle_minutes": _settings().draft_idle_minutes, "answer_lines": answer_lines,
            "due_sentence": service.due_sentence}


@bp.get("/")
def index():
    return render_template("capture/index.html", forms=sorted(load_all().values(), key=lambda f: f.order))


@bp.get("/<form_id>")
def start(form_id):
    form = _form(form_id)
    about = related.about_words(request.args.get("about")) if form.related_page and related.available() else ""
    if about:  # from a search of the published responses that found nothing: the description starts with it
        cookie["capture_about"] = {**cookie.get("capture_about", {}), form.id: about}
    return render_template("capture/start.html", form=form, first_page=form.pages[0].id)


def _back_url(form: FormDefinition, page_id: str, answers: dict) -> str:
    path = [p.id for p in form.path(answers)]
    if page_id == CHECK_ANSWERS:
        return url_for(".page", form_id=form.id, page_id=path[-1])
    if page_id in path and path.index(page_id) > 0:
        return url_for(".page", form_id=form.id, page_id=path[path.index(page_id) - 1])
    return url_for(".start", form_id=form.id)


def _next_url(form: FormDefinition, draft, after_page) -> str:
    """Where to go after answering: on a change, back to check answers unless a new question is now due."""
    target = form.next_page_id(after_page, draft.answers)
    if request.args.get("change") or target == CHECK_ANSWERS:
        pending = form.first_unanswered(draft.answers)
        if pending is None:
            return url_for(".check_answers", form_id=form.id)
        if request.args.get("change") and target != CHECK_ANSWERS:
            return url_for(".page", form_id=form.id, page_id=target, change=1)
        return url_for(".page", form_id=form.id, page_id=pending.id)
    return url_for(".page", form_id=form.id, page_id=target)


@bp.route("/<form_id>/<page_id>", methods=["GET", "POST"])
@limiter.limit("120 per minute", methods=["POST"])
def page(form_id, page_id):
    form = _form(form_id)
    question_page = form.page(page_id)
    if question_page is None:
        abort(404)
    draft = _draft(form, create=(page_id == form.pages[0].id))
    if request.method == "POST" and request.form.get("website"):
        service.flag(db_session(), draft, "honeypot")  # flagged for the public body, never dropped
    outcome = PageOutcome(values={}, errors={})
    if request.method == "POST":
        outcome = handle_question_post(form, question_page, draft, request, _services(), _settings(), _now())
        figures.count_started(db_session(), draft, _now())
    elif question_page is form.related_page:
        outcome = _prefilled(form, question_page, draft)
    db_session().commit()  # the answer is kept before the published responses are searched
    if request.method == "POST" and request.args.get("then") == "save" and (not outcome.errors or not _typed()):
        return redirect(url_for(".save", form_id=form.id))  # "Save and come back later" (capture/resume_views.py)
    if outcome.redirect_to_next:
        return redirect(_after_answer(form, draft, question_page))
    if outcome.redirect_same:
        # Only the query parameter the page means: the rest could be url_for's own (_method, _scheme) or a clash.
        return redirect(url_for(".page", form_id=form.id, page_id=page_id, change=request.args.get("change")))
    return render_template(
        "capture/page.html", form_def=form, page=question_page, draft=draft, answers=draft.answers,
        values=outcome.values, errors=outcome.errors, notice=outcome.notice,
        manual=request.args.get("manual") == "1" or outcome.manual,
        back_url=_back_url(form, page_id, draft.answers),
        scanner_configured=_services().scanner.configured,
        settings_upload=(_settings().upload_max_file, _settings().upload_max_total),
        before_you_ask=question_page is form.related_page and related.available(), law=related.law(form),
    )


def try_code_form(check):
    """The code typed on this POST, tried with check(typed) -> CodeCheck (a wrong try counts: the caller
    commits); (None, error) when nothing was typed."""
    typed = request.form.get("code", "")
    if not typed.strip():
        return None, _("Enter the security code")
    result = check(typed)
    return result, None if result.ok else service.code_error(result.reason)


def try_typed_code(draft):
    return try_code_form(lambda typed: service.check_code(db_session(), draft, typed, _now(), _settings().secret_key))


def _typed() -> bool:
    """Anything typed or chosen on this page: a save with errors then shows them rather than losing it."""
    fields = {k: v for k, v in request.form.items(multi=True) if k not in {"csrf_token", "website", "action"}}
    return any(value.strip() for value in fields.values()) or any(f.filename for f in request.files.values())


def _prefilled(form: FormDefinition, question_page, draft) -> PageOutcome:
    """The description started with the words of a search that found nothing, until it is answered."""
    about = cookie.get("capture_about", {}).get(form.id)
    if not about or question_page.question.id in draft.answers:
        return PageOutcome(values={}, errors={})
    return PageOutcome(values={question_page.question.id: about}, errors={},
                       notice=_("We have started your description with the words you searched for. "
                                "Change them to say what information you want."))


def _after_answer(form: FormDefinition, draft, question_page) -> str:
    """Next page; after the description, first the published responses like it, unless they were on show."""
    if question_page is not form.related_page:
        return _next_url(form, draft, question_page)
    if form.id in cookie.get("capture_about", {}):  # answered: the search words have done their job
        cookie["capture_about"] = {k: v for k, v in cookie["capture_about"].items() if k != form.id}
    answer = draft.answers.get(question_page.question.id) or ""
    if request.form.get("related-checked") or not related.like(answer, _now()):
        return _next_url(form, draft, question_page)
    return url_for(".published_responses", form_id=form.id, page_id=question_page.id,
                   change=request.args.get("change"))


def _related_page(form: FormDefinition, page_id: str):
    question_page = form.page(page_id)
    if question_page is None or question_page is not form.related_page or not related.available():
        abort(404)
    return question_page


@bp.route("/<form_id>/<page_id>/published-responses", methods=["GET", "POST"])
def published_responses(form_id, page_id):
    """Published responses like the description just given, before the next question (no JavaScript)."""
    form = _form(form_id)
    question_page = _related_page(form, page_id)
    draft = _draft(form)
    db_session().commit()
    description = draft.answers.get(question_page.question.id)
    if description is None:
        return redirect(url_for(".page", form_id=form.id, page_id=page_id))
    next_url = _next_url(form, draft, question_page)
    found = related.like(description, _now()) if request.method == "GET" else []
    if not found:  # "Continue with my request", or nothing like it published any more
        return redirect(next_url)
    return render_template("capture/published_responses.html", form_def=form, found=found, law=related.law(form),
                           back_url=url_for(".page", form_id=form.id, page_id=page_id,
                                            change=request.args.get("change")))


@bp.post("/<form_id>/<page_id>/related")
@limiter.limit("60 per minute")
def related_json(form_id, page_id):
    """The published responses like what is being typed, for the description page's script."""
    _related_page(_form(form_id), page_id)
    text = clean_text(request.form.get("text"))[:related.MAX_TEXT]
    return {"results": [dataclasses.asdict(found) for found in related.like(text, _now())]}


@bp.route("/<form_id>/check-answers", methods=["GET", "POST"])
def check_answers(form_id):
    form = _form(form_id)
    draft = _draft(form)
    pending = form.first_unanswered(draft.answers)
    if pending is None and request.method == "POST":
        return _send_code_and_continue(form, draft)
    db_session().commit()
    if pending is not None:
        return redirect(url_for(".page", form_id=form.id, page_id=pending.id))
    return render_template("capture/check_answers.html", form_def=form, rows=form.answered_on_path(draft.answers),
                           email=draft.answers[form.email_question],
                           back_url=_back_url(form, CHECK_ANSWERS, draft.answers))


def _send_code_and_continue(form, draft):
    def message(email, code, confirmation):
        link = _settings().base_url.rstrip("/") + url_for(".confirm_link", token=service.link_token(
            _settings().secret_key, confirmation), lang=service.link_language(_settings(), draft.language))
        return service.code_email(form, email, code, link, _settings().draft_idle_minutes, language=draft.language)

    email_draft_code(draft, draft.answers[form.email_question], message)
    return redirect(url_for(".confirm_email", form_id=form.id))


def email_draft_code(draft, email: str, message) -> None:
    """A new code for the draft, emailed as message(email, code, confirmation) with it in one commit; a code
    refused by the limits leaves the refusal's words for the next page instead (capture_code_notice)."""
    try:
        confirmation, code = service.send_code(db_session(), draft, email, _now(), _settings().secret_key)
    except service.CodeNotSent as exc:
        db_session().commit()
        cookie["capture_code_notice"] = str(exc)
        return
    email_id = outbox.add(db_session(), message(email, code, confirmation), _now(),
                          discard_after=confirmation.expires_at)  # an expired code is never sent late
    db_session().commit()  # the code and its email together
    send_after_commit(email_id)
    cookie.pop("capture_code_notice", None)


@bp.route("/<form_id>/confirm-email", methods=["GET", "POST"])
@limiter.limit("300 per hour", methods=["POST"])  # flood guard: tries count per code, codes per draft and address
def confirm_email(form_id):
    form = _form(form_id)
    draft = _draft(form)
    if form.first_unanswered(draft.answers) is not None:
        db_session().commit()
        return redirect(url_for(".check_answers", form_id=form.id))
    error = None
    state = "entry"
    if request.method == "POST":
        result, error = try_typed_code(draft)
        if result is not None and result.ok:
            return _submit(form, draft)
        state = result.reason if result is not None else state
    db_session().commit()  # a wrong try counts
    return render_template("capture/confirm_email.html", form_def=form, email=draft.answers[form.email_question],
                           error=error, state=state, notice=cookie.pop("capture_code_notice", None),
                           back_url=url_for(".check_answers", form_id=form.id))


@bp.post("/<form_id>/confirm-email/new-code")
@limiter.limit("100 per hour")  # flood guard: service.send_code limits per draft and per email address
def new_code(form_id):
    form = _form(form_id)
    draft = _draft(form)
    if form.first_unanswered(draft.answers) is not None:  # no email address to send it to yet
        db_session().commit()
        return redirect(url_for(".check_answers", form_id=form.id))
    return _send_code_and_continue(form, draft)


def _submit(form, draft):
    submission = service.submit(db_session(), form, draft, _now(), _settings().secret_key, _settings().body_nation)
    track_link = tracking.link(_settings(), submission, url_for)
    email_id = outbox.add(db_session(), service.acknowledgement(form, submission, _settings(), track_link), _now())
    db_session().commit()  # the submission and its acknowledgement together
    log.info("submission committed reference=%s form=%s duplicate=%s", submission.reference, form.id,
             bool(submission.duplicate_of))
    # From here nothing is lost. Delivery and the email are queued (a queue that is down is logged: the
    # outbox sweep still delivers, the person still sees their reference); the sweep catches a lost task.
    after_commit(f"delivery of {submission.reference}", _jobs.deliver_submission, submission.id)
    send_after_commit(email_id)
    drafts = _draft_ids()
    drafts.pop(form.id, None)
    cookie["capture_drafts"] = drafts
    cookie["capture_submitted"] = {**cookie.get("capture_submitted", {}), form.id: submission.reference}
    return redirect(url_for(".confirmation", form_id=form.id))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_link(token):
    """The link in the email. A GET only shows a button: mail scanners follow links, and confirm nothing."""
    session = db_session()
    confirmation = service.confirmation_from_link(session, _settings().secret_key, token, _now())
    if confirmation is None:
        return render_template("capture/link_invalid.html"), 410
    from capture.models import Draft

    draft = session.get(Draft, confirmation.draft_id)
    form = _form(draft.form_id)
    if request.method == "POST":
        service.confirm_by_link(session, confirmation, _now())
        return _submit(form, draft)
    return render_template("capture/confirm_link.html", form_def=form, token=token)


@bp.get("/<form_id>/confirmation")
def confirmation(form_id):
    form = _form(form_id)
    reference = cookie.get("capture_submitted", {}).get(form.id)
    submission = db_session().query(Submission).filter_by(reference=reference).one_or_none() if reference else None
    if submission is None:
        return redirect(url_for(".start", form_id=form.id))
    return render_template("capture/confirmation.html", form_def=form, submission=submission,
                           rows=form.answered_on_path(submission.answers),
                           track_token=tracking.link_token(_settings().secret_key, submission))


@bp.post("/<form_id>/keep-alive")
@limiter.limit("600 per hour")  # flood guard: many people fill in forms behind one library's address
def keep_alive(form_id):
    """The timeout warning's "Continue": touching the draft resets the idle clock."""
    form = _form(form_id)
    _draft(form)
    db_session().commit()
    return {"idle_minutes": _settings().draft_idle_minutes}
