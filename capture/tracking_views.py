"""Track your request (capture/tracking.py): by the acknowledgement's link, or by reference and an emailed code.

Routes on Capture's blueprint, registered when capture.feature imports this module.
"""
from __future__ import annotations

from flask import abort, redirect, render_template, request, session as cookie, url_for
from flask_babel import gettext as _

from capture import feedback, tracking
from capture.definitions import load_all
from capture.views import _form, bp, try_code_form
from portal import outbox
from portal.current import now as _now, settings as _settings
from portal.db import session as db_session
from portal.jobs import send_after_commit
from portal.security import limiter

PENDING = "capture_track_pending"  # the request this browser asked a code for (its id, never shown)


def _email_question(submission) -> str:
    form = load_all().get(submission.form_id)
    return form.email_question if form else "email"


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit("100 per hour", methods=["POST"])  # flood guard: codes are limited per request (tracking.py)
def track_start():
    errors, typed = {}, {"reference": "", "email": ""}
    if request.method == "POST":
        typed = {"reference": request.form.get("reference", "").strip(), "email": request.form.get("email", "").strip()}
        if not typed["reference"]:
            errors["reference"] = _("Enter your reference, like %(reference)s", reference="FOI-2026-7K4M-Q")
        if not typed["email"]:
            errors["email"] = _("Enter the email address you gave with your request")
        if not errors:
            submission = tracking.find(db_session(), _email_question, typed["reference"], typed["email"])
            cookie[PENDING] = submission.id if submission is not None else 0
            if submission is not None:
                try:
                    row, code = tracking.send_code(db_session(), submission, _now(), _settings().secret_key)
                except tracking.TooManyCodes as exc:
                    db_session().commit()
                    cookie["capture_code_notice"] = str(exc)
                    return redirect(url_for(".track_code"))
                email_id = outbox.add(db_session(), tracking.code_email(typed["email"], submission.reference, code,
                                                                          submission.language or "en"),
                                      _now(), discard_after=row.expires_at)
                db_session().commit()  # the code and its email together
                send_after_commit(email_id)
            return redirect(url_for(".track_code"))  # the same answer whether or not they matched
    return render_template("capture/track_start.html", errors=errors, typed=typed)


@bp.route("/track/code", methods=["GET", "POST"])
@limiter.limit("300 per hour", methods=["POST"])  # flood guard: tries are counted per code in the database
def track_code():
    if PENDING not in cookie:
        return redirect(url_for(".track_start"))
    error = None
    if request.method == "POST":
        def check(typed):
            return tracking.check_code(db_session(), cookie[PENDING], typed, _now(), _settings().secret_key)

        result, error = try_code_form(check)
        if result is not None and result.ok:
            submission = db_session().get(tracking.Submission, cookie.pop(PENDING))
            db_session().commit()
            return redirect(url_for(".track", token=tracking.link_token(_settings().secret_key, submission)))
        db_session().commit()  # a wrong try counts
    return render_template("capture/track_code.html", error=error, notice=cookie.pop("capture_code_notice", None))


def _tracked(token: str):
    submission = tracking.submission_from_link(db_session(), _settings().secret_key, token)
    if submission is None or submission.personal_data_deleted_at is not None:
        abort(404)
    return submission


@bp.get("/track/<token>")
def track(token):
    return _track_page(_tracked(token), token)


def _track_page(submission, token, typed=None, errors=None):
    form = _form(submission.form_id)
    asking = feedback.pending(db_session(), submission)
    return render_template("capture/track.html", form_def=form, submission=submission, token=token,
                           progress=tracking.progress(db_session(), form, submission, _now()),
                           updates=tracking.updates(db_session(), submission), statuses=tracking.STATUSES,
                           emails_changed=cookie.pop("capture_track_emails", None),
                           feedback_asked=asking is not None, feedback_thanks=cookie.pop("capture_feedback", None),
                           typed=typed, errors=errors or {}, answered_choices=feedback.ANSWERED,
                           satisfaction_choices=feedback.SATISFACTION, improve_max=feedback.IMPROVE_MAX)


@bp.post("/track/<token>/feedback")
@limiter.limit("60 per hour")  # flood guard: an answer is kept once per request (capture/feedback.py)
def track_feedback(token):
    submission = _tracked(token)
    if feedback.pending(db_session(), submission) is None:  # not asked, or given already (in another tab)
        if feedback.was_given(db_session(), submission):
            cookie["capture_feedback"] = "thanks"
        return redirect(url_for(".track", token=token))
    typed, errors = feedback.validate(request.form)
    if errors:
        return _track_page(submission, token, typed, errors), 400
    feedback.record(db_session(), submission, typed, _now())  # False if another tab's came first: that one stays
    db_session().commit()
    cookie["capture_feedback"] = "thanks"
    return redirect(url_for(".track", token=token, _anchor="feedback"))


@bp.post("/track/<token>/emails")
def track_emails(token):
    submission = _tracked(token)
    submission.notify_progress = request.form.get("emails") == "yes"
    db_session().commit()
    cookie["capture_track_emails"] = "on" if submission.notify_progress else "off"
    return redirect(url_for(".track", token=token))
