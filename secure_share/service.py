"""Secure Share's domain logic: shares and documents, their expiry, and the link that opens them.

Signing in (codes and sessions) is in signing_in.py, the audit trail in audit.py.

One transaction rule: a service function never commits. The view, API handler, job or command that
calls it commits once, and only then does anything outside the database: queues an email or a webhook,
or deletes files. A closed share's files are deleted after its closing is committed, by the
expire_shares sweep or a job queued after the commit (secure_share/jobs.py).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import secrets

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import filetypes
from portal.exceptions import Gone, NotFound, PortalError
from portal.formatting import without_bidi_controls
from portal.i18n import LANGUAGES, QUERY
from portal.uploads import check_and_store
from secure_share import links
from secure_share.audit import record
from secure_share.models import Document, Share, ShareSession
from secure_share.signing_in import end_sessions

log = logging.getLogger(__name__)

CLOSED = ("expired", "revoked", "removed")
OPEN = ("draft", "sent", "locked")  # locked: too many wrong codes (signing_in.py); a resend opens the link again
LINK_MAX_AGE = dt.timedelta(days=400)  # the signature's own limit; the share's expiry is checked to the minute
# The requester needs time to get the email (greylisting delays some by 15 minutes or more), ask for a code
# and sign in: a shorter share would expire unread. The case system stops a share at once with revoke.
MIN_EXPIRY = dt.timedelta(hours=1)


# What SAR and FOI responses hold. A document keeps its name, so its extension must agree with its content.
DOCUMENT_KINDS = frozenset({
    filetypes.PDF, filetypes.DOCX, filetypes.DOC, filetypes.ODT, filetypes.XLSX, filetypes.XLS, filetypes.CSV_UTF8,
    filetypes.CSV_WINDOWS_1252, filetypes.TXT_UTF8, filetypes.TXT_WINDOWS_1252, filetypes.JPEG, filetypes.PNG,
    filetypes.HEIC, filetypes.HEIF, filetypes.TIFF, filetypes.MSG, filetypes.EML, filetypes.MP3, filetypes.MP4,
    filetypes.ZIP,
})


class InvalidRequest(PortalError):
    status_code = 422
    title = "Invalid request"

    def __init__(self, detail: str, field: str | None = None):
        super().__init__(detail)
        self.field = field


class Conflict(PortalError):
    status_code = 409
    title = "Conflict"


class LinkInvalid(PortalError):
    status_code = 404
    title = "This link does not work"


class ShareClosed(Gone):
    """Expired, revoked or removed: the page says which, and what to do next."""

    def __init__(self, share: Share):
        super().__init__(f"share {share.status}")
        self.share = share


# The back office ---------------------------------------------------------------------------

def _clean(value, field: str, limit: int, required: bool = True, name: bool = False) -> str:
    """`name`: a name or title, shown inside sentences, loses any direction control (see portal.formatting)."""
    if value is not None and not isinstance(value, str):
        raise InvalidRequest(f"{field} must be text", field)
    if name and value:
        value = without_bidi_controls(value)
    text = " ".join(str(value or "").split()) if not isinstance(value, str) or "\n" not in value else str(value).strip()
    if required and not text:
        raise InvalidRequest(f"{field} is required", field)
    if len(text) > limit:
        raise InvalidRequest(f"{field} must be {limit} characters or less", field)
    if any((ord(ch) < 32 and ch not in "\n\t") or 0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        raise InvalidRequest(f"{field} must not contain control characters", field)
    return text


def _expiry(now: dt.datetime, settings, days=None, at=None) -> dt.datetime:
    if at is not None:
        try:
            when = dt.datetime.fromisoformat(str(at).replace("Z", "+00:00"))
        except ValueError:
            raise InvalidRequest("expires_at must be an ISO 8601 date and time", "expires_at") from None
        if when.tzinfo is None:
            raise InvalidRequest("expires_at must include a time zone, like 2026-06-25T18:00:00+01:00", "expires_at")
    else:
        if days is None:
            days = settings.share_default_days
        if isinstance(days, bool) or not isinstance(days, int):
            raise InvalidRequest("expires_in_days must be a whole number", "expires_in_days")
        if not 1 <= days <= settings.share_max_days:  # checked before the sum: a huge number would overflow
            raise InvalidRequest(f"expires_in_days must be from 1 to {settings.share_max_days}", "expires_in_days")
        when = now + dt.timedelta(days=days)
    if when <= now:
        raise InvalidRequest("the expiry must be in the future", "expires_at")
    if when < now + MIN_EXPIRY:
        raise InvalidRequest("the expiry must be at least 1 hour from now", "expires_at")
    if when > now + dt.timedelta(days=settings.share_max_days, minutes=1):
        raise InvalidRequest(f"the expiry can be at most {settings.share_max_days} days away", "expires_at")
    return when.astimezone(dt.timezone.utc).replace(second=0, microsecond=0)


def create_share(session: Session, now: dt.datetime, settings, data: dict) -> Share:
    if not isinstance(data, dict):
        raise InvalidRequest("the body must be a JSON object")
    try:
        email = validate_email(str(data.get("recipient_email") or ""), check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidRequest("recipient_email must be an email address", "recipient_email") from None
    webhook = _clean(data.get("webhook_url", ""), "webhook_url", 500, required=False)
    if webhook and not webhook.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise InvalidRequest("webhook_url must be an https:// address", "webhook_url")
    language = data.get("language")
    if "language" in data and language not in LANGUAGES:
        raise InvalidRequest(f"language must be one of {', '.join(LANGUAGES)}", "language")
    share = Share(
        id=secrets.token_hex(12), case_reference=_clean(data.get("case_reference"), "case_reference", 60, name=True),
        recipient_name=_clean(data.get("recipient_name"), "recipient_name", 200, name=True), recipient_email=email,
        message=_clean(data.get("message", ""), "message", 2000, required=False), status="draft", link_version=0,
        created_at=now, expires_at=_expiry(now, settings, data.get("expires_in_days"), data.get("expires_at")),
        webhook_url=webhook, language=language,
    )
    session.add(share)
    session.flush()
    record(session, share, now, "created", "case system", expires_at=share.expires_at.isoformat(),
           **({"language": language} if language else {}))
    return share


def share_language(share: Share, settings) -> str:
    """The language the requester reads the share's emails and pages in: the one the case system gave when it
    created the share, while the portal offers Welsh; otherwise, and for shares made before, DEFAULT_LANGUAGE."""
    if not settings.welsh_offered:
        return "en"
    return share.language if share.language in LANGUAGES else settings.default_language


def get_share(session: Session, share_id: str) -> Share:
    # only the characters an id can have: a NUL would be a database error on PostgreSQL, not a 404
    share = session.get(Share, share_id) if re.fullmatch(r"[0-9A-Za-z]{1,32}", share_id or "") else None
    if share is None:
        raise NotFound("There is no share with that id.")
    return share


def _open_for_changes(share: Share) -> None:
    if share.status not in OPEN:
        raise Conflict(f"the share is {share.status}")


def add_document(session: Session, share: Share, stream, filename: str, title: str | None, services, settings) -> Document:
    """Check, scan, store and record one document; the caller commits it.

    Call it with no transaction open (commit first): none may stay open while a large file is spooled,
    scanned and stored."""
    _open_for_changes(share)
    title = _clean(title, "title", 200, required=False, name=True) or None  # checked before anything is stored
    if session.in_transaction():
        raise RuntimeError("commit before add_document: no transaction stays open while a file is stored")
    accepted = check_and_store(stream, filename, key_prefix=f"shares/{share.id}", label=f"share {share.id}",
                               store=services.store, scanner=services.scanner, max_file=settings.share_max_document,
                               kinds=DOCUMENT_KINDS, keep_name=True)
    session.refresh(share, with_for_update=True)
    if share.status not in OPEN or share.files_deleted_at is not None:
        services.store.delete(accepted.store_key)  # closed meanwhile: the file, recorded nowhere, must not outlive it
        raise Conflict(f"the share is {share.status}")
    now = services.clock.now()
    stem = accepted.filename.rsplit(".", 1)[0]
    document = Document(id=accepted.file_id[:24], share_id=share.id, title=_clean(title or stem, "title", 200),
                        filename=accepted.filename, content_type=accepted.content_type,
                        kind=accepted.extension.upper(), size=accepted.size, sha256=accepted.sha256,
                        store_key=accepted.store_key, scan_status="clean" if accepted.scanned else "unscanned",
                        uploaded_at=now)
    session.add(document)
    record(session, share, now, "document added", "case system", document_id=document.id, size=document.size)
    return document


def live_documents(share: Share) -> list[Document]:
    return [d for d in share.documents if d.removed_at is None]


def remove_document(session: Session, share: Share, document_id: str, now: dt.datetime) -> Document:
    """The document leaves the share; after the commit the caller queues its file's deletion
    (jobs.delete_document_file), and at the latest it goes with the share's other files when the share closes."""
    _open_for_changes(share)
    document = next((d for d in live_documents(share) if d.id == document_id), None)
    if document is None:
        raise NotFound("There is no such document in this share.")
    document.removed_at = now
    record(session, share, now, "document removed", "case system", document_id=document.id)
    return document


def link_for(settings, share: Share, language: str | None = None) -> str:
    """The emailed link; in a language other than the default it says which, so the pages open in it."""
    token = links.make_token(settings.secret_key, share.id, share.link_version)
    link = f"{settings.base_url.rstrip('/')}/documents/{token}"
    return f"{link}?{QUERY}={language}" if language and language != settings.default_language else link


def send(session: Session, share: Share, now: dt.datetime, *, resend: bool = False) -> None:
    _open_for_changes(share)
    if not live_documents(share):
        raise Conflict("add at least one document before sending")
    if resend:
        if share.status not in ("sent", "locked"):
            raise Conflict("only a share that has been sent can be sent again")
        share.link_version += 1  # every earlier link dies
        share.failed_codes, share.locked_at = 0, None  # a locked link's successor starts afresh
    elif share.status == "sent":
        raise Conflict("the share has already been sent: use resend for a fresh link")
    share.status, share.sent_at = "sent", now
    record(session, share, now, "resent" if resend else "sent", "case system", link_version=share.link_version)


def revoke(session: Session, share: Share, now: dt.datetime) -> None:
    """The link stops working once this commits; the files go with the next expire_shares sweep."""
    if share.status in CLOSED:
        return
    share.status, share.closed_at = "revoked", now
    end_sessions(session, share, now)
    record(session, share, now, "revoked", "case system")


def extend(session: Session, share: Share, now: dt.datetime, settings, data: dict) -> None:
    _open_for_changes(share)
    new = _expiry(now, settings, data.get("expires_in_days"), data.get("expires_at"))
    record(session, share, now, "expiry changed", "case system", old=share.expires_at.isoformat(), new=new.isoformat())
    share.expires_at = new
    share.reminder_sent_at = None


def share_json(share: Share, settings, link: str | None = None) -> dict:
    def stamp(value):
        return value.isoformat().replace("+00:00", "Z") if value else None

    body = {
        "id": share.id, "case_reference": share.case_reference, "recipient_name": share.recipient_name,
        "recipient_email": share.recipient_email, "status": share.status, "expires_at": stamp(share.expires_at),
        "sent_at": stamp(share.sent_at), "first_downloaded_at": stamp(share.first_downloaded_at),
        "files_deleted_at": stamp(share.files_deleted_at), "created_at": stamp(share.created_at),
        "closed_at": stamp(share.closed_at), "reminder_sent_at": stamp(share.reminder_sent_at),
        "locked_at": stamp(share.locked_at), "failed_codes": share.failed_codes or 0,
        "message": share.message, "webhook_url": share.webhook_url or None,
        "language": share_language(share, settings),
        "documents": [{"id": d.id, "title": d.title, "filename": d.filename, "content_type": d.content_type,
                       "size": d.size, "sha256": d.sha256, "uploaded_at": stamp(d.uploaded_at)}
                      for d in live_documents(share)],
    }
    if link:
        body["link"] = link
    return body


def open_share(session: Session, share_id: str, now: dt.datetime) -> Share:
    """The share for a back-office call, its expiry applied to the minute first."""
    share = get_share(session, share_id)
    close_if_due(session, share, now)
    return share


def close_if_due(session: Session, share: Share, now: dt.datetime) -> None:
    """A draft that was never sent expires too: its files must not be kept for ever."""
    if share.status == "draft" and now >= share.expires_at:
        share.status, share.closed_at = "expired", share.expires_at
        record(session, share, now, "expired", "system", sent=False)
    else:
        expire_if_due(session, share, now)


def send_link(session: Session, share: Share, now: dt.datetime, settings, *, resend: bool = False) -> str:
    """Mark the share sent (or bump its link version) and return the link for the email."""
    close_if_due(session, share, now)
    send(session, share, now, resend=resend)
    return link_for(settings, share, share_language(share, settings))


def list_shares(session: Session, *, status: str | None = None, case_reference: str | None = None,
                limit: int = 50) -> list[Share]:
    query = select(Share).order_by(Share.created_at.desc(), Share.id).limit(limit)
    if status:
        query = query.where(Share.status == status)
    if case_reference:
        query = query.where(Share.case_reference == case_reference)
    return list(session.scalars(query))


def expire_due(session: Session, now: dt.datetime) -> list[str]:
    due = session.scalars(select(Share).where(Share.status.in_(OPEN), Share.expires_at <= now)).all()
    for share in due:
        close_if_due(session, share, now)
    return [share.id for share in due]


def end_idle_sessions(session: Session, now: dt.datetime, idle: dt.timedelta) -> int:
    """Sessions idle past the limit whose browser never came back (closed, asleep): ended, and "signed out: idle"
    recorded at the moment they timed out. The timed-out page records the browsers that were still open."""
    due = session.scalars(select(ShareSession).where(ShareSession.ended_at.is_(None),
                                                     ShareSession.last_seen_at < now - idle)).all()
    for row in due:
        row.ended_at = row.last_seen_at + idle
        record(session, session.get(Share, row.share_id), row.ended_at, "signed out: idle", "system")
    return len(due)


def delete_due_files(session: Session, store, now: dt.datetime) -> list[str]:
    """Files of every expired, revoked or removed share; one share's storage failure does not stop the rest.

    Only for closings already committed: the sweep commits the expiries before it calls this."""
    due = session.scalars(select(Share).where(Share.status.in_(CLOSED), Share.files_deleted_at.is_(None))).all()
    deleted = []
    for share in due:
        try:
            delete_files(session, share, store, now)
        except PortalError as exc:  # nothing of this share changed in the session: its turn comes again next minute
            log.warning("files of share %s not deleted yet, will retry: %s", share.id, exc.detail)
            continue
        deleted.append(share.id)
    return deleted


def reminders_due(session: Session, now: dt.datetime, settings) -> list[Share]:
    """Sent shares expiring within the reminder window, nothing downloaded and no reminder yet.

    A share sent inside the window already told the requester the expiry: no reminder for it."""
    window = dt.timedelta(days=settings.share_reminder_days)
    candidates = session.scalars(select(Share).where(
        Share.status == "sent", Share.first_downloaded_at.is_(None), Share.reminder_sent_at.is_(None),
        Share.expires_at > now, Share.expires_at <= now + window))
    return [share for share in candidates if share.sent_at is not None and share.sent_at < share.expires_at - window]


def mark_reminder_sent(session: Session, share: Share, now: dt.datetime) -> None:
    share.reminder_sent_at = now
    record(session, share, now, "reminder sent", "system")


# The requester ------------------------------------------------------------------------------

def resolve(session: Session, settings, token: str, now: dt.datetime) -> Share:
    """The share a link names, open for sign-in; LinkInvalid or ShareClosed otherwise (fail closed)."""
    named = links.read_token(settings.secret_key, token, LINK_MAX_AGE)
    share = session.get(Share, named[0]) if named else None
    if share is None or share.status == "draft" or named[1] != share.link_version:
        raise LinkInvalid()
    expire_if_due(session, share, now)
    if share.status != "sent":
        raise ShareClosed(share)
    return share


def expire_if_due(session: Session, share: Share, now: dt.datetime) -> None:
    """Expiry is enforced here to the minute, not left to the periodic job."""
    if share.status in ("sent", "locked") and now >= share.expires_at:
        share.status, share.closed_at = "expired", share.expires_at
        end_sessions(session, share, now)
        record(session, share, now, "expired", "system")


def remove_by_requester(session: Session, share: Share, now: dt.datetime, device: str) -> None:
    """The share closes; its files go after the commit (jobs.delete_share_files, or the expire_shares sweep)."""
    share.status, share.closed_at = "removed", now
    record(session, share, now, "removed by the requester", "requester", device=device)
    end_sessions(session, share, now)


def delete_files(session: Session, share: Share, store, now: dt.datetime) -> None:
    """Delete a closed share's files, then note it. Only once the closing is committed: sweeps and jobs call this.

    A store that fails part way leaves the session unchanged, so the next sweep tries again."""
    if share.files_deleted_at is not None or share.status not in CLOSED:
        return
    for document in share.documents:
        store.delete(document.store_key)
    share.files_deleted_at = now
    record(session, share, now, "files deleted", "system", documents=len(share.documents))


# The requester's pages: helpers that change nothing ---------------------------------------

def download_stops(session: Session, share_id: str, document_ids: list[str], now: dt.datetime) -> str | None:
    """Why a download under way must stop now: "revoked", "removed", "expired" or "document removed"; None
    while the share is open and its documents are in it. One small query, read only."""
    rows = session.execute(select(Share.status, Share.expires_at, Document.removed_at)
                           .join(Document, Document.share_id == Share.id)
                           .where(Share.id == share_id, Document.id.in_(document_ids))).all()
    if not rows:
        return "document removed"
    status, expires_at = rows[0].status, rows[0].expires_at
    if status != "sent":
        return status
    if now >= expires_at:
        return "expired"
    if len(rows) < len(set(document_ids)) or any(row.removed_at is not None for row in rows):
        return "document removed"
    return None


def document_of(share: Share, document_id: str) -> Document:
    """A live document of THIS share; another share's id is simply not found."""
    document = next((d for d in live_documents(share) if d.id == document_id), None)
    if document is None:
        raise NotFound("There is no such document.")
    return document


def time_left(now: dt.datetime, expires_at: dt.datetime) -> str:
    """"You have 29 days left...": whole units, rounded down, so it never promises more time than there is."""
    left = expires_at - now
    if left >= dt.timedelta(days=1):
        return ngettext("You have %(num)d day left to download your documents.",
                        "You have %(num)d days left to download your documents.", left.days)
    hours = int(left.total_seconds() // 3600)
    if hours >= 1:
        return ngettext("You have %(num)d hour left to download your documents.",
                        "You have %(num)d hours left to download your documents.", hours)
    return _("You have less than an hour left to download your documents.")


def removal_moment(expires_at: dt.datetime) -> dt.datetime:
    """The moment to show: "at midnight" on a date is ambiguous, so 00:00 is shown as 11:59pm the day before."""
    from portal.dates import london

    local = london(expires_at)
    if local.hour == 0 and local.minute == 0:
        return expires_at - dt.timedelta(minutes=1)
    return expires_at
