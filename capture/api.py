"""The case system's side of Capture: pull pending submissions, acknowledge them, fetch their files."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, request, stream_with_context, url_for
from sqlalchemy import select

from capture import delivery, feedback, figures, tracking
from capture.models import Submission, SubmissionFile
from portal.api import api_key_identity, require_scope
from portal.converters import MAX_ID
from portal.current import services as _services, settings as _settings
from portal.db import session as db_session
from portal.errors import problem
from portal.security import limiter

api_bp = Blueprint("capture_api", __name__, url_prefix="/api/v1")
STATUSES = ("pending", "delivered", "acknowledged", "failed")
MAX_PAGE = 200


def _item(submission: Submission) -> dict:
    return {
        "reference": submission.reference,
        "status": submission.delivery_status,
        "case_id": submission.case_id,
        "received_at": submission.received_at.isoformat().replace("+00:00", "Z"),
        "payload": delivery.payload_for_delivery(submission, _settings(), _services().store),
    }


@api_bp.get("/submissions")
@require_scope("submissions:read")
@limiter.limit("600 per minute", key_func=api_key_identity)
def list_submissions():
    status = request.args.get("status", "pending")
    if status not in STATUSES:
        return problem(400, "Bad request", f"status must be one of {', '.join(STATUSES)}")
    try:
        limit = int(request.args.get("limit", 50))
        after = int(request.args.get("after", 0))
    except ValueError:
        return problem(400, "Bad request", "limit and after must be whole numbers")
    if not 1 <= limit <= MAX_PAGE:
        return problem(400, "Bad request", f"limit must be from 1 to {MAX_PAGE}")
    if not 0 <= after <= MAX_ID:
        return problem(400, "Bad request", f"after must be a submission id, from 0 to {MAX_ID}")
    rows = db_session().scalars(
        select(Submission).where(Submission.delivery_status == status, Submission.id > after)
        .order_by(Submission.id).limit(limit + 1)).all()
    page, more = rows[:limit], len(rows) > limit
    body = {"items": [_item(s) for s in page], "next_after": page[-1].id if more else None}
    return body


@api_bp.get("/submissions/<reference>")
@require_scope("submissions:read")
def get_submission(reference):
    submission = db_session().scalar(select(Submission).where(Submission.reference == reference))
    if submission is None:
        return problem(404, "Not found", "There is no submission with that reference.")
    return _item(submission)


@api_bp.post("/submissions/<reference>/ack")
@require_scope("submissions:ack")
def acknowledge(reference):
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict):
        return problem(400, "Bad request", "The body must be a JSON object, like {\"case_id\": \"12345\"}.")
    case_id = body.get("case_id")
    if case_id is not None and (not isinstance(case_id, (str, int)) or len(str(case_id)) > 100):
        return problem(400, "Bad request", "case_id must be text of at most 100 characters.")
    submission = delivery.acknowledge(db_session(), reference, _services().clock.now(),
                                      str(case_id) if case_id is not None else None)
    if submission is None:
        return problem(404, "Not found", "There is no submission with that reference.")
    db_session().commit()
    return {"reference": submission.reference, "status": submission.delivery_status, "case_id": submission.case_id,
            "acknowledged_at": submission.acknowledged_at.isoformat().replace("+00:00", "Z")}


@api_bp.put("/submissions/<reference>/status")
@require_scope("submissions:status")
@limiter.limit("600 per minute", key_func=api_key_identity)
def report_progress(reference):
    """Where the request is, for its requester (capture/tracking.py); emailed to them if they asked."""
    from capture.definitions import load_all
    from portal import outbox
    from portal.jobs import send_after_commit

    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "Bad request", "The body must be a JSON object, like {\"status\": \"in_progress\"}.")
    session = db_session()
    submission = session.scalar(select(Submission).where(Submission.reference == reference))
    if submission is None:
        return problem(404, "Not found", "There is no submission with that reference.")
    settings, now = _settings(), _services().clock.now()
    try:
        changed = tracking.report(session, submission, body, now, settings.base_url)
    except tracking.InvalidProgress as invalid:
        return problem(422, "Unprocessable", invalid.detail, field=invalid.field)
    email_id, email = None, None
    form = load_all().get(submission.form_id)
    ask = changed and feedback.ask_when_closed(session, submission, now)
    if changed and submission.personal_data_deleted_at is None and form:
        session.flush()
        link = tracking.link(settings, submission, url_for)
        if submission.notify_progress:
            email = tracking.progress_email(form, submission, tracking.latest_update(session, submission), link,
                                            settings, ask_feedback=ask)
        elif ask:
            email = feedback.feedback_email(form, submission, link, settings)
    if email is not None:
        email_id = outbox.add(session, email, now)
    session.commit()  # the report and its email together
    if email_id is not None:
        send_after_commit(email_id)
    return _progress_body(session, submission), 200


def _progress_body(session, submission: Submission) -> dict:
    return {"reference": submission.reference, "status": submission.progress,
            "notify_requester": submission.notify_progress,
            "updates": [{"status": u.status, "at": u.at.isoformat().replace("+00:00", "Z"), "message": u.message,
                         "due_date": u.due_date.isoformat() if u.due_date else None, "share_url": u.share_url or None}
                        for u in tracking.updates(session, submission)]}


@api_bp.get("/figures")
@require_scope("figures:read")
@limiter.limit("60 per minute", key_func=api_key_identity)
def get_figures():
    """The figures a GOV.UK service reports, per form and month (capture/figures.py)."""
    from capture.definitions import load_all

    try:
        months, wanted = figures.asked_for(request.args.get("from"), request.args.get("to"),
                                           request.args.getlist("form"), load_all(), _services().clock.now())
    except figures.InvalidMonths as invalid:
        return problem(400, "Bad request", str(invalid))
    except figures.UnknownForms as unknown:
        return problem(404, "Not found", str(unknown))
    rows = figures.figures(db_session(), months, wanted)
    return {"from": months[0], "to": months[-1], "items": [row.as_json() for row in rows]}


@api_bp.get("/submission-files/<token>")
@limiter.limit("600 per minute")
def submission_file(token):
    """A signed, expiring URL in a payload: the token is the access check."""
    named = delivery.file_from_token(_settings().secret_key, token, dt.timedelta(days=_settings().file_url_days))
    if named is None:
        return problem(403, "Forbidden", "The file link is not valid or has expired.")
    reference, file_id = named
    stored = db_session().scalar(select(SubmissionFile).join(Submission).where(
        SubmissionFile.file_id == file_id, Submission.reference == reference))
    if stored is None or stored.submission.personal_data_deleted_at is not None:
        return problem(410, "Gone", "The file has been deleted.")
    chunks = _services().store.open(stored.store_key)
    response = Response(stream_with_context(chunks), mimetype=stored.content_type)
    response.headers["Content-Length"] = str(stored.size)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{file_id}\""
    response.headers["X-Content-SHA256"] = stored.sha256
    return response
