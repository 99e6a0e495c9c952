"""The back office's side of the Disclosure Log: /api/v1/disclosures/{reference}.

PUT creates or replaces an entry, POST only creates (409 if it exists), DELETE withdraws it with a
reason shown on the public page, GET returns it as stored (scheduled ones too) with its audit trail, or 410
once withdrawn (with when, why and the trail).
The body is JSON, or multipart/form-data with the JSON in an "entry" part and files in "attachments"
parts. A publish-guard hit is 422 with the findings; repeat the call with "guard_override_reason".
Each call commits once, and only then updates the search index or has a withdrawn entry's files deleted.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from disclosure_log import attachments as attachment_files
from disclosure_log import entries, jobs, service
from disclosure_log.current import guard_allowed
from disclosure_log.exports import entry_json
from portal import current
from portal.api import api_key_identity, require_scope
from portal.db import session as db_session
from portal.json_bodies import LoneSurrogate
from portal.errors import problem
from portal.jobs import after_commit
from portal.security import limiter

log = logging.getLogger(__name__)

api_bp = Blueprint("disclosure_api", __name__, url_prefix="/api/v1")

JSON_LIMIT = 4 * 1024 * 1024
LIMIT = "600 per minute"


@api_bp.errorhandler(entries.InvalidEntry)
def _invalid(error: entries.InvalidEntry):
    extra = {"field": error.field} if error.field else {}
    return problem(error.status_code, error.title, error.detail, **extra)


@api_bp.errorhandler(service.PublishBlocked)
def _blocked(error: service.PublishBlocked):
    findings = [{"kind": f.kind, "label": f.label, "where": f.where, "excerpt": f.excerpt} for f in error.findings]
    return problem(422, error.title, error.detail, findings=findings)


def _reference(reference: str) -> str:
    return entries.check_reference(reference)


def _body() -> tuple[dict, list[attachment_files.IncomingAttachment]]:
    if request.mimetype == "multipart/form-data":
        request.max_content_length = attachment_files.MAX_FILE * attachment_files.MAX_FILES + JSON_LIMIT
        try:
            raw = request.form.get("entry", "")
            files = [attachment_files.IncomingAttachment(f.filename or "", f.stream)
                     for f in request.files.getlist("attachments")]
            not_files = "attachments" in request.form
        except RequestEntityTooLarge:
            raise entries.InvalidEntry("the attachments are too large in total", "attachments") from None
        if not_files:  # a part without a file name is text, not a file: never drop it silently
            raise entries.InvalidEntry("each attachments part must be a file, with its file name", "attachments")
    else:
        request.max_content_length = JSON_LIMIT
        raw, files = request.get_data(as_text=True), []
    try:
        body = current_app.json.loads(raw)  # the portal's JSON: refuses lone surrogates, which no database holds
    except LoneSurrogate as exc:
        raise entries.InvalidEntry(str(exc)) from None
    except ValueError:
        raise entries.InvalidEntry("the entry must be a JSON object") from None
    if not isinstance(body, dict):
        raise entries.InvalidEntry("the entry must be a JSON object")
    return body, files


def _actor() -> str:
    return g.api_key.name


def _index_now(entry_id: int) -> None:
    """After the commit, bring the index in step at once; on failure the worker's sweep does it within a minute."""
    from disclosure_log.current import get_index

    session = db_session()
    try:
        service.sync_index(session, get_index(), ids=[entry_id])
        session.commit()
    except Exception:  # the entry is saved and marked pending: never fail the call for the index
        session.rollback()
        log.exception("search index update deferred for entry %s", entry_id)


def _save(reference: str, create_only: bool):
    reference = _reference(reference)
    body, files = _body()
    fields = entries.parse_fields(body)
    services = current.services()
    session = db_session()
    entry, created = service.publish(
        session, services.store, services.scanner, reference=reference, fields=fields, incoming=files,
        override_reason=entries.override_reason(body), change_note=entries.change_note(body),
        actor=_actor(), now=current.now(), create_only=create_only, allowed=guard_allowed())
    session.commit()
    _index_now(entry.id)
    return entry_json(entry, audit=service.events(session, reference)), 201 if created else 200, {
        "Location": f"/api/v1/disclosures/{reference}"}


@api_bp.post("/disclosures/<reference>")
@require_scope("disclosures:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def create_disclosure(reference):
    return _save(reference, create_only=True)


@api_bp.put("/disclosures/<reference>")
@require_scope("disclosures:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def put_disclosure(reference):
    return _save(reference, create_only=False)


@api_bp.delete("/disclosures/<reference>")
@require_scope("disclosures:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def withdraw_disclosure(reference):
    request.max_content_length = JSON_LIMIT
    body = request.get_json(force=True, silent=True)
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip():
        raise entries.InvalidEntry('give the reason, shown on the public page: {"reason": "..."}', "reason")
    session = db_session()
    entry = service.withdraw(session, reference=_reference(reference), reason=reason, actor=_actor(),
                             now=current.now())
    session.commit()  # withdrawn before its files are deleted
    after_commit(f"the deletion of {entry.reference}'s files", jobs.delete_files, service.stored_files(entry))
    _index_now(entry.id)
    return entry_json(entry, audit=service.events(session, entry.reference))


@api_bp.get("/disclosures/<reference>")
@require_scope("disclosures:write")
@limiter.limit(LIMIT, key_func=api_key_identity)
def get_disclosure(reference):
    session = db_session()
    entry = service.get(session, _reference(reference))
    if entry is None:
        return problem(404, "Not found", f"There is no disclosure {reference}.")
    body = entry_json(entry, audit=service.events(session, reference))
    if entry.status == "withdrawn":  # gone, as on the public page; when, why and the trail stay for the record
        return problem(410, "Gone", f"{reference} was withdrawn: {entry.withdrawn_reason}",
                       withdrawn_at=body["withdrawn_at"], withdrawn_reason=body["withdrawn_reason"],
                       audit=body["audit"])
    return body
