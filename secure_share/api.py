"""The back office's side of Secure Share: /api/v1/shares.

Every route needs a key with the shares:write scope. Errors are problem+json: a domain error carries
its status (InvalidRequest 422, Conflict 409, NotFound 404); an upload the pipeline refuses is 422
with the GOV.UK message, and one the virus scanner could not check is 503. The link is emailed to
the requester and never returned: see _send().

Each handler commits once, after its service calls (which never commit) and before it queues anything.
"""
from __future__ import annotations

from flask import Blueprint, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header

from portal.api import api_key_identity, require_scope
from portal.current import now as _now, services as _services, settings as _settings
from portal.db import session as db_session
from portal.errors import problem
from portal.json_bodies import LoneSurrogate
from portal import outbox
from portal.jobs import after_commit, send_after_commit
from portal.security import limiter
from portal.uploads import UploadNotChecked, UploadRejected, too_large_message
from secure_share import audit, link_email, service

api_bp = Blueprint("share_api", __name__, url_prefix="/api/v1")

JSON_BODY_LIMIT = 64 * 1024
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
LIMIT = "300 per minute"
UPLOAD_LIMIT = "60 per minute"


class BadBody(service.InvalidRequest):
    status_code = 400
    title = "Bad request"


@api_bp.errorhandler(service.InvalidRequest)
def _invalid(error: service.InvalidRequest):
    extra = {"field": error.field} if error.field else {}
    return problem(error.status_code, error.title, error.detail, **extra)


def _json_body() -> dict:
    request.max_content_length = JSON_BODY_LIMIT
    try:
        body = current_app.json.loads(request.get_data())  # the portal's JSON: refuses lone surrogates
    except LoneSurrogate as exc:
        raise BadBody(str(exc)) from None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise BadBody('The body must be a JSON object, like {"expires_in_days": 30}.')
    days = body.get("expires_in_days")
    if isinstance(days, float) and days.is_integer():  # JSON has one kind of number: 30.0 is 30
        body["expires_in_days"] = int(days)
    return body


def _share(share_id: str):
    return service.open_share(db_session(), share_id, _now())


def _share_body(share, status: int = 200, **headers):
    """Commit the call (and any expiry open_share applied on the way), then the share as JSON."""
    db_session().commit()
    return service.share_json(share, _settings()), status, headers


@api_bp.post("/shares")
@require_scope("shares:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def create_share():
    share = service.create_share(db_session(), _now(), _settings(), _json_body())
    return _share_body(share, 201, Location=f"/api/v1/shares/{share.id}")


@api_bp.get("/shares/<share_id>")
@require_scope("shares:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def get_share(share_id):
    return _share_body(_share(share_id))


def _upload_filename() -> str:
    if request.args.get("filename"):
        return request.args["filename"]
    _disposition, options = parse_options_header(request.headers.get("Content-Disposition", ""))
    return options.get("filename", "")


@api_bp.post("/shares/<share_id>/documents")
@require_scope("shares:write")
@limiter.limit(UPLOAD_LIMIT, key_func=api_key_identity)
def add_document(share_id):
    """The body is the document itself, streamed through the size cap, type check and virus scan."""
    settings = _settings()
    request.max_content_length = settings.share_max_document  # the app-wide limit is for forms
    share = _share(share_id)
    if request.mimetype in FORM_TYPES:
        return problem(415, "Unsupported media type",
                       "Send the document itself as the request body, not a form, with its name in a "
                       "filename query parameter or a Content-Disposition header.")
    filename = _upload_filename()
    if not filename.strip():
        raise service.InvalidRequest("Give the document's file name in a filename query parameter or a "
                                     "Content-Disposition header", "filename")
    if request.content_length is not None and request.content_length > settings.share_max_document:
        return problem(413, "Document too large", too_large_message(settings.share_max_document))
    db_session().commit()  # an expiry applied on the way is kept, and no transaction stays open during the upload
    try:
        document = service.add_document(db_session(), share, request.stream, filename, request.args.get("title"),
                                        _services(), settings)
    except RequestEntityTooLarge:  # a chunked body that ran past the limit
        return problem(413, "Document too large", too_large_message(settings.share_max_document))
    except UploadNotChecked as exc:
        return problem(503, "Virus scanner unavailable", exc.message)
    except UploadRejected as exc:
        return problem(422, "Document not accepted", exc.message, field="document", reason=exc.reason)
    db_session().commit()
    body = service.share_json(share, settings)
    added = next(d for d in body["documents"] if d["id"] == document.id)
    return {**added, "share": body}, 201, {"Location": f"/api/v1/shares/{share.id}"}


@api_bp.delete("/shares/<share_id>/documents/<document_id>")
@require_scope("shares:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def remove_document(share_id, document_id):
    from secure_share.jobs import delete_document_file

    share = _share(share_id)
    service.remove_document(db_session(), share, document_id, _now())
    body = _share_body(share)  # commits: the document is out of the share before its file is deleted
    after_commit(f"the deletion of document {document_id}'s file", delete_document_file, document_id)
    return body


def _send(share_id: str, resend: bool):
    """The link goes only to the requester's inbox. Returning it would put a working credential in the
    case system's records and logs, where anyone could use it to fill the requester's inbox with codes
    and use up the share's code allowance; the case record proves delivery with the events instead."""
    settings = _settings()
    share = _share(share_id)
    link = service.send_link(db_session(), share, _now(), settings, resend=resend)
    language = service.share_language(share, settings)
    email_id = outbox.add(db_session(), link_email.link_email(share, link, settings, language, resend=resend), _now())
    body = _share_body(share)  # commits: the working link and its email together
    send_after_commit(email_id)
    return body


@api_bp.post("/shares/<share_id>/send")
@require_scope("shares:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def send(share_id):
    return _send(share_id, resend=False)


@api_bp.post("/shares/<share_id>/resend")
@require_scope("shares:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def resend(share_id):
    return _send(share_id, resend=True)


@api_bp.post("/shares/<share_id>/revoke")
@require_scope("shares:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def revoke(share_id):
    share = _share(share_id)
    service.revoke(db_session(), share, _now())
    return _share_body(share)


@api_bp.post("/shares/<share_id>/extend")
@require_scope("shares:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def extend(share_id):
    body = _json_body()
    if body.get("expires_in_days") is None and body.get("expires_at") is None:
        raise service.InvalidRequest("Give expires_in_days or expires_at", "expires_in_days")
    share = _share(share_id)
    service.extend(db_session(), share, _now(), _settings(), body)
    return _share_body(share)


@api_bp.get("/shares/<share_id>/events")
@require_scope("shares:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def events(share_id):
    share = _share(share_id)
    events = audit.events_json(db_session(), share)
    db_session().commit()  # with an expiry open_share applied on the way
    return {"share_id": share.id, "events": events}
