"""Secure Share's domain logic: shares and documents for the back office, sign-in for the requester."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import codes
from portal.codes import CodeCheck  # noqa: F401 - part of this module's interface
from portal.exceptions import Gone, NotFound, PortalError
from portal.uploads import check_and_store
from secure_share import links
from secure_share.models import Document, Share, ShareEvent, ShareSession, SignInCode

log = logging.getLogger(__name__)

CODE_VALID = codes.VALID_FOR
CODE_ATTEMPTS = codes.ATTEMPTS
CODES_PER_BROWSER = 5  # per share and client address, in CODE_WINDOW
CODES_PER_SHARE = 20  # from all addresses, in CODE_WINDOW: an attacker elsewhere cannot use them all up for long
CODE_WINDOW = dt.timedelta(hours=1)
LINK_MAX_AGE = dt.timedelta(days=400)  # the signature's own limit; the share's expiry is checked to the minute


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


class TooManyCodes(PortalError):
    status_code = 429
    title = "Too many security codes"


def _hmac(secret: str, text: str) -> str:
    return codes.keyed_hash(secret, text)


def record(session: Session, share: Share, now: dt.datetime, kind: str, actor: str, *,
           document_id: str | None = None, device: str = "", **detail) -> None:
    session.add(ShareEvent(share_id=share.id, at=now, kind=kind, actor=actor, document_id=document_id,
                           device=device, detail=detail))
    log.info("share event share=%s kind=%s actor=%s", share.id, kind, actor)


# The back office ---------------------------------------------------------------------------

def _clean(value, field: str, limit: int, required: bool = True) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidRequest(f"{field} must be text", field)
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
    share = Share(
        id=secrets.token_hex(12), case_reference=_clean(data.get("case_reference"), "case_reference", 60),
        recipient_name=_clean(data.get("recipient_name"), "recipient_name", 200), recipient_email=email,
        message=_clean(data.get("message", ""), "message", 2000, required=False), status="draft", link_version=0,
        created_at=now, expires_at=_expiry(now, settings, data.get("expires_in_days"), data.get("expires_at")),
        webhook_url=webhook,
    )
    session.add(share)
    session.flush()
    record(session, share, now, "created", "case system", expires_at=share.expires_at.isoformat())
    session.commit()
    return share


def get_share(session: Session, share_id: str) -> Share:
    # only the characters an id can have: a NUL would be a database error on PostgreSQL, not a 404
    share = session.get(Share, share_id) if re.fullmatch(r"[0-9A-Za-z]{1,32}", share_id or "") else None
    if share is None:
        raise NotFound("There is no share with that id.")
    return share


def _open_for_changes(share: Share) -> None:
    if share.status not in ("draft", "sent"):
        raise Conflict(f"the share is {share.status}")


def add_document(session: Session, share: Share, stream, filename: str, title: str | None, services, settings) -> Document:
    _open_for_changes(share)
    title = _clean(title, "title", 200, required=False) or None  # checked before anything is stored
    session.commit()  # no transaction stays open while a large file is spooled, scanned and stored
    accepted = check_and_store(stream, filename, key_prefix=f"shares/{share.id}", label=f"share {share.id}",
                               store=services.store, scanner=services.scanner, max_file=settings.share_max_document)
    session.refresh(share, with_for_update=True)
    if share.status not in ("draft", "sent") or share.files_deleted_at is not None:
        services.store.delete(accepted.store_key)  # revoked or expired meanwhile: the file must not outlive it
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
    session.commit()
    return document


def live_documents(share: Share) -> list[Document]:
    return [d for d in share.documents if d.removed_at is None]


def remove_document(session: Session, share: Share, document_id: str, store, now: dt.datetime) -> None:
    _open_for_changes(share)
    document = next((d for d in live_documents(share) if d.id == document_id), None)
    if document is None:
        raise NotFound("There is no such document in this share.")
    store.delete(document.store_key)
    document.removed_at = now
    record(session, share, now, "document removed", "case system", document_id=document.id)
    session.commit()


def link_for(settings, share: Share) -> str:
    token = links.make_token(settings.secret_key, share.id, share.link_version)
    return f"{settings.base_url.rstrip('/')}/documents/{token}"


def send(session: Session, share: Share, now: dt.datetime, *, resend: bool = False) -> None:
    _open_for_changes(share)
    if not live_documents(share):
        raise Conflict("add at least one document before sending")
    if resend:
        if share.status != "sent":
            raise Conflict("only a share that has been sent can be sent again")
        share.link_version += 1  # every earlier link dies
    elif share.status == "sent":
        raise Conflict("the share has already been sent: use resend for a fresh link")
    share.status, share.sent_at = "sent", now
    record(session, share, now, "resent" if resend else "sent", "case system", link_version=share.link_version)
    session.commit()


def revoke(session: Session, share: Share, now: dt.datetime) -> None:
    if share.status in ("revoked", "removed", "expired"):
        return
    share.status, share.closed_at = "revoked", now
    _end_sessions(session, share, now)
    record(session, share, now, "revoked", "case system")
    session.commit()


def extend(session: Session, share: Share, now: dt.datetime, settings, data: dict) -> None:
    _open_for_changes(share)
    new = _expiry(now, settings, data.get("expires_in_days"), data.get("expires_at"))
    record(session, share, now, "expiry changed", "case system", old=share.expires_at.isoformat(), new=new.isoformat())
    share.expires_at = new
    share.reminder_sent_at = None
    session.commit()


def share_json(share: Share, settings, link: str | None = None) -> dict:
    def stamp(value):
        return value.isoformat().replace("+00:00", "Z") if value else None

    body = {
        "id": share.id, "case_reference": share.case_reference, "recipient_name": share.recipient_name,
        "recipient_email": share.recipient_email, "status": share.status, "expires_at": stamp(share.expires_at),
        "sent_at": stamp(share.sent_at), "first_downloaded_at": stamp(share.first_downloaded_at),
        "files_deleted_at": stamp(share.files_deleted_at), "created_at": stamp(share.created_at),
        "closed_at": stamp(share.closed_at), "reminder_sent_at": stamp(share.reminder_sent_at),
        "message": share.message, "webhook_url": share.webhook_url or None,
        "documents": [{"id": d.id, "title": d.title, "filename": d.filename, "content_type": d.content_type,
                       "size": d.size, "sha256": d.sha256, "uploaded_at": stamp(d.uploaded_at)}
                      for d in live_documents(share)],
    }
    if link:
        body["link"] = link
    return body


def events_json(session: Session, share: Share) -> list[dict]:
    rows = session.scalars(select(ShareEvent).where(ShareEvent.share_id == share.id).order_by(ShareEvent.at, ShareEvent.id))
    return [{"at": e.at.isoformat().replace("+00:00", "Z"), "event": e.kind, "actor": e.actor,
             "document_id": e.document_id, "device": e.device or None, **({"detail": e.detail} if e.detail else {})}
            for e in rows]


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
        session.commit()
    else:
        expire_if_due(session, share, now)


def send_link(session: Session, share: Share, now: dt.datetime, settings, *, resend: bool = False) -> str:
    """Mark the share sent (or bump its link version) and return the link for the email."""
    close_if_due(session, share, now)
    send(session, share, now, resend=resend)
    return link_for(settings, share)


def list_shares(session: Session, *, status: str | None = None, case_reference: str | None = None,
                limit: int = 50) -> list[Share]:
    query = select(Share).order_by(Share.created_at.desc(), Share.id).limit(limit)
    if status:
        query = query.where(Share.status == status)
    if case_reference:
        query = query.where(Share.case_reference == case_reference)
    return list(session.scalars(query))


def expire_due(session: Session, now: dt.datetime) -> list[str]:
    due = session.scalars(select(Share).where(Share.status.in_(("draft", "sent")), Share.expires_at <= now)).all()
    for share in due:
        close_if_due(session, share, now)
    return [share.id for share in due]


def delete_due_files(session: Session, store, now: dt.datetime) -> list[str]:
    """Files of every expired, revoked or removed share; one share's storage failure does not stop the rest."""
    due = session.scalars(select(Share).where(Share.status.in_(("expired", "revoked", "removed")),
                                              Share.files_deleted_at.is_(None))).all()
    deleted = []
    for share in due:
        try:
            delete_files(session, share, store, now)
        except PortalError as exc:
            session.rollback()
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
    session.commit()


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
    if share.status == "sent" and now >= share.expires_at:
        share.status, share.closed_at = "expired", share.expires_at
        _end_sessions(session, share, now)
        record(session, share, now, "expired", "system")
        session.commit()


def masked_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def request_code(session: Session, share: Share, browser: str, client: str, now: dt.datetime, secret: str) -> str:
    since = now - CODE_WINDOW
    from_here = session.scalar(select(func.count()).select_from(SignInCode).where(
        SignInCode.share_id == share.id, SignInCode.client == client, SignInCode.created_at > since))
    in_all = session.scalar(select(func.count()).select_from(SignInCode).where(
        SignInCode.share_id == share.id, SignInCode.created_at > since))
    if from_here >= CODES_PER_BROWSER or in_all >= CODES_PER_SHARE:
        record(session, share, now, "code refused: too many requests", "requester")
        session.commit()
        raise TooManyCodes("You have asked for too many codes. Wait an hour and try again.")
    code = codes.new_code()
    session.add(SignInCode(share_id=share.id, browser=browser, client=client,
                           code_hash=codes.code_hash(secret, f"{share.id}:{browser}", code), created_at=now,
                           expires_at=now + CODE_VALID, attempts=0))
    record(session, share, now, "code sent", "requester")
    session.commit()
    return code


def check_code(session: Session, share: Share, browser: str, typed: str, now: dt.datetime, secret: str,
               device: str) -> CodeCheck:
    """Only the browser that asked for a code can use it, so guessing elsewhere locks nobody else out."""
    code = session.scalar(select(SignInCode).where(SignInCode.share_id == share.id, SignInCode.browser == browser,
                                                   SignInCode.used_at.is_(None))
                          .order_by(SignInCode.created_at.desc(), SignInCode.id.desc()).limit(1))
    tries_before = code.attempts if code is not None else 0
    result = codes.check(code, typed, now, secret, scope=f"{share.id}:{browser}")
    if result.ok:
        code.used_at = now
    elif code is not None and code.attempts > tries_before:  # this try counted: it goes in the audit trail
        record(session, share, now, "code failed", "requester", device=device, attempts_left=result.attempts_left)
        if result.reason == "locked":
            record(session, share, now, "locked: too many wrong codes", "requester", device=device)
    session.commit()
    return result


def start_session(session: Session, share: Share, now: dt.datetime, device: str) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ShareSession(id=hashlib.sha256(token.encode()).hexdigest(), share_id=share.id, created_at=now,
                             last_seen_at=now))
    record(session, share, now, "signed in", "requester", device=device)
    session.commit()
    return token


def current_session(session: Session, share: Share, token: str | None, now: dt.datetime,
                    idle: dt.timedelta) -> ShareSession | None:
    if not token:
        return None
    row = session.get(ShareSession, hashlib.sha256(token.encode()).hexdigest())
    if row is None or row.share_id != share.id or row.ended_at is not None or now - row.last_seen_at > idle:
        return None
    row.last_seen_at = now
    session.commit()
    return row


def sign_out(session: Session, share: Share, token: str | None, now: dt.datetime, device: str) -> None:
    row = session.get(ShareSession, hashlib.sha256(token.encode()).hexdigest()) if token else None
    if row is not None and row.ended_at is None:
        row.ended_at = now
        record(session, share, now, "signed out", "requester", device=device)
        session.commit()


def _end_sessions(session: Session, share: Share, now: dt.datetime) -> None:
    for row in session.scalars(select(ShareSession).where(ShareSession.share_id == share.id,
                                                          ShareSession.ended_at.is_(None))):
        row.ended_at = now


def record_download(session: Session, share: Share, now: dt.datetime, device: str, document: Document | None,
                    byte_range: str | None = None) -> bool:
    """Returns True for the share's first download (the case system's webhook is told)."""
    first = share.first_downloaded_at is None
    if first:
        share.first_downloaded_at = now
    record(session, share, now, "downloaded" if document else "downloaded all", "requester",
           document_id=document.id if document else None, device=device,
           **({"range": byte_range} if byte_range else {}))
    session.commit()
    return first


def remove_by_requester(session: Session, share: Share, store, now: dt.datetime, device: str) -> None:
    share.status, share.closed_at = "removed", now
    record(session, share, now, "removed by the requester", "requester", device=device)
    delete_files(session, share, store, now)
    _end_sessions(session, share, now)
    session.commit()


def delete_files(session: Session, share: Share, store, now: dt.datetime) -> None:
    if share.files_deleted_at is not None:
        return
    for document in share.documents:
        store.delete(document.store_key)
    share.files_deleted_at = now
    record(session, share, now, "files deleted", "system", documents=len(share.documents))
    session.commit()


def history(session: Session, share: Share) -> list[ShareEvent]:
    kinds = ("sent", "resent", "signed in", "signed out", "downloaded", "downloaded all", "code failed",
             "locked: too many wrong codes")
    return list(session.scalars(select(ShareEvent).where(ShareEvent.share_id == share.id, ShareEvent.kind.in_(kinds))
                                .order_by(ShareEvent.at.desc(), ShareEvent.id.desc())))


# The requester's pages: helpers that change nothing ---------------------------------------

def client_key(secret: str, address: str | None) -> str:
    """A keyed hash of the client's address, for rate limits: the address itself is never stored."""
    return _hmac(secret, f"share-client:{address or ''}")


def code_state(session: Session, share: Share, browser: str, now: dt.datetime) -> str:
    """This browser's latest unused code: none | active | locked | expired. Tries nothing."""
    code = session.scalar(select(SignInCode).where(SignInCode.share_id == share.id, SignInCode.browser == browser,
                                                   SignInCode.used_at.is_(None))
                          .order_by(SignInCode.created_at.desc(), SignInCode.id.desc()).limit(1))
    if code is None:
        return "none"
    if code.attempts >= CODE_ATTEMPTS:
        return "locked"
    if now > code.expires_at:
        return "expired"
    return "active"


def peek_session(session: Session, share: Share, token: str | None) -> ShareSession | None:
    """The session a cookie names for this share, live or not, without touching its idle clock."""
    row = session.get(ShareSession, hashlib.sha256(token.encode()).hexdigest()) if token else None
    return row if row is not None and row.share_id == share.id else None


def document_of(share: Share, document_id: str) -> Document:
    """A live document of THIS share; another share's id is simply not found."""
    document = next((d for d in live_documents(share) if d.id == document_id), None)
    if document is None:
        raise NotFound("There is no such document.")
    return document


def time_left(now: dt.datetime, expires_at: dt.datetime) -> str:
    """"You have 29 days left...": whole units, rounded down, so it never promises more time than there is."""
    left = expires_at - now
    if left >= dt.timedelta(days=2):
        return f"You have {left.days} days left to download your documents."
    if left >= dt.timedelta(days=1):
        return "You have 1 day left to download your documents."
    hours = int(left.total_seconds() // 3600)
    if hours >= 2:
        return f"You have {hours} hours left to download your documents."
    if hours == 1:
        return "You have 1 hour left to download your documents."
    return "You have less than an hour left to download your documents."


def removal_moment(expires_at: dt.datetime) -> dt.datetime:
    """The moment to show: "at midnight" on a date is ambiguous, so 00:00 is shown as 11:59pm the day before."""
    from portal.dates import london

    local = london(expires_at)
    if local.hour == 0 and local.minute == 0:
        return expires_at - dt.timedelta(minutes=1)
    return expires_at
