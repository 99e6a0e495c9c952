"""Save and come back later (capture/saving.py): the save page, and resuming with the emailed link and code.

Routes on Capture's blueprint, registered when capture.feature imports this module.
"""
from __future__ import annotations

from flask import redirect, render_template, request, session as cookie, url_for

from capture import saving, service
from capture.views import _draft, _form, bp, email_draft_code, hold_draft, try_typed_code
from portal.current import now as _now, settings as _settings
from portal.db import session as db_session
from portal import outbox
from portal.jobs import send_after_commit
from portal.security import limiter
from portal.formatting import masked_email


@bp.route("/<form_id>/save", methods=["GET", "POST"])
@limiter.limit("100 per hour", methods=["POST"])  # flood guard: codes are limited per draft and address
def save(form_id):
    form = _form(form_id)
    draft = _draft(form)
    question = form.questions[form.email_question]
    error, typed = None, draft.flags.get("resume_email") or draft.answers.get(form.email_question, "")
    if request.method == "POST":
        checked = question.parse(request.form)
        typed = request.form.get(question.id, "")
        if checked.errors:
            error = checked.errors[question.id]
        else:
            saving.save_for_later(draft, checked.value, _now(), _settings().save_days)
            link = _settings().base_url.rstrip("/") + url_for(".resume_start", token=saving.resume_token(
                _settings().secret_key, draft), lang=service.link_language(_settings(), draft.language))
            email_id = outbox.add(db_session(), saving.resume_email(form, draft, link, _settings()), _now())
            db_session().commit()  # the saved draft and its email together
            send_after_commit(email_id)
            return redirect(url_for(".saved", form_id=form.id))
    db_session().commit()
    return render_template("capture/save.html", form_def=form, error=error, typed=typed, field=question.id,
                           days=_settings().save_days, back_url=request.referrer if _same_site_referrer() else None)


def _same_site_referrer() -> str | None:
    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else None


@bp.get("/<form_id>/saved")
def saved(form_id):
    form = _form(form_id)
    draft = _draft(form)
    db_session().commit()
    if draft.saved_until is None:
        return redirect(url_for(".save", form_id=form.id))
    return render_template("capture/saved.html", form_def=form, draft=draft, email=draft.flags["resume_email"])


def _saved_draft(token: str):
    draft = saving.draft_from_link(db_session(), _settings().secret_key, token, _now(), _settings().save_days)
    return draft, (_form(draft.form_id) if draft is not None else None)


@bp.route("/resume/<token>", methods=["GET", "POST"])
@limiter.limit("100 per hour", methods=["POST"])
def resume_start(token):
    """The emailed link. A GET only shows a button (mail scanners follow links); a POST emails the code."""
    draft, form = _saved_draft(token)
    if draft is None:
        return render_template("capture/resume_invalid.html"), 410
    if request.method == "POST":
        email_draft_code(draft, draft.flags["resume_email"], lambda email, code, _confirmation: service.code_email(
            form, email, code, link=None, purpose="resume", language=draft.language))
        return redirect(url_for(".resume_code", token=token))
    return render_template("capture/resume.html", form_def=form, token=token, state="start",
                           masked=masked_email(draft.flags["resume_email"]))


@bp.route("/resume/<token>/code", methods=["GET", "POST"])
@limiter.limit("300 per hour", methods=["POST"])  # flood guard: tries are counted per code in the database
def resume_code(token):
    draft, form = _saved_draft(token)
    if draft is None:
        return render_template("capture/resume_invalid.html"), 410
    error, state = None, "code"
    if request.method == "POST":
        result, error = try_typed_code(draft)
        if result is not None and result.ok:
            saving.resume(draft, _now())
            db_session().commit()
            hold_draft(form, draft)  # under the new key: every other browser holding the draft has lost it
            pending = form.first_unanswered(draft.answers)
            return redirect(url_for(".page", form_id=form.id, page_id=pending.id) if pending
                            else url_for(".check_answers", form_id=form.id))
        if result is not None and result.reason in ("locked", "expired"):
            state = result.reason
    db_session().commit()  # a wrong try counts
    return render_template("capture/resume.html", form_def=form, token=token, state=state, error=error,
                           notice=cookie.pop("capture_code_notice", None),
                           masked=masked_email(draft.flags["resume_email"]))
