"""Signing in to a share: emailed security codes bound to one browser, and the server-side sessions
that sign-out ends at once.

Like every service function here, these change the caller's session and never commit (see service.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import codes
from portal.codes import CodeCheck
from portal.exceptions import PortalError
from secure_share.audit import record
from secure_share.models import Share, ShareSession, SignInCode

CODE_VALID = codes.VALID_FOR
CODE_ATTEMPTS = codes.ATTEMPTS
CODES_PER_BROWSER = 5  # per share and client address, in CODE_WINDOW
CODES_PER_SHARE = 20  # from all addresses, in CODE_WINDOW: an attacker elsewhere cannot use them all up for long
CODE_WINDOW = dt.timedelta(hours=1)


class TooManyCodes(PortalError):
    """The refusal is in the caller's session, for the audit trail: commit it before showing the page."""

    status_code = 429
    title = "Too many security codes"


def masked_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def client_key(secret: str, address: str | None) -> str:
    """A keyed hash of the client's address, for rate limits: the address itself is never stored."""
    return codes.keyed_hash(secret, f"share-client:{address or ''}")


# Security codes ---------------------------------------------------------------------------

def request_code(session: Session, share: Share, browser: str, client: str, now: dt.datetime, secret: str) -> str:
    """A new code for this browser. The caller adds its email to the outbox and commits both together."""
    since = now - CODE_WINDOW
    from_here = session.scalar(select(func.count()).select_from(SignInCode).where(
        SignInCode.share_id == share.id, SignInCode.client == client, SignInCode.created_at > since))
    in_all = session.scalar(select(func.count()).select_from(SignInCode).where(
        SignInCode.share_id == share.id, SignInCode.created_at > since))
    if from_here >= CODES_PER_BROWSER or in_all >= CODES_PER_SHARE:
        record(session, share, now, "code refused: too many requests", "requester")
        raise TooManyCodes("You have asked for too many codes. Wait an hour and try again.")
    code = codes.new_code()
    session.add(SignInCode(share_id=share.id, browser=browser, client=client,
                           code_hash=codes.code_hash(secret, f"{share.id}:{browser}", code), created_at=now,
                           expires_at=now + CODE_VALID, attempts=0))
    record(session, share, now, "code sent", "requester")
    return code


def _latest_code(session: Session, share: Share, browser: str) -> SignInCode | None:
    return session.scalar(select(SignInCode).where(SignInCode.share_id == share.id, SignInCode.browser == browser,
                                                   SignInCode.used_at.is_(None))
                          .order_by(SignInCode.created_at.desc(), SignInCode.id.desc()).limit(1))


def code_state(session: Session, share: Share, browser: str, now: dt.datetime) -> str:
    """This browser's latest unused code: none | active | locked | expired. Tries nothing."""
    code = _latest_code(session, share, browser)
    if code is None:
        return "none"
    if code.attempts >= CODE_ATTEMPTS:
        return "locked"
    if now > code.expires_at:
        return "expired"
    return "active"


def check_code(session: Session, share: Share, browser: str, typed: str, now: dt.datetime, secret: str,
               device: str) -> CodeCheck:
    """Only the browser that asked for a code can use it, so guessing elsewhere locks nobody else out.

    A wrong try counts: the caller commits whatever the answer."""
    code = _latest_code(session, share, browser)
    tries_before = code.attempts if code is not None else 0
    result = codes.check(code, typed, now, secret, scope=f"{share.id}:{browser}")
    if result.ok:
        code.used_at = now
    elif code is not None and code.attempts > tries_before:  # this try counted: it goes in the audit trail
        record(session, share, now, "code failed", "requester", device=device, attempts_left=result.attempts_left)
        if result.reason == "locked":
            record(session, share, now, "locked: too many wrong codes", "requester", device=device)
    return result


# Sessions ---------------------------------------------------------------------------------

def _session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, share: Share, now: dt.datetime, device: str) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ShareSession(id=_session_id(token), share_id=share.id, created_at=now, last_seen_at=now))
    record(session, share, now, "signed in", "requester", device=device)
    return token


def current_session(session: Session, share: Share, token: str | None, now: dt.datetime,
                    idle: dt.timedelta) -> ShareSession | None:
    """The live session a cookie names for this share; its idle clock restarts (the caller commits)."""
    if not token:
        return None
    row = session.get(ShareSession, _session_id(token))
    if row is None or row.share_id != share.id or row.ended_at is not None or now - row.last_seen_at > idle:
        return None
    row.last_seen_at = now
    return row


def peek_session(session: Session, share: Share, token: str | None) -> ShareSession | None:
    """The session a cookie names for this share, live or not, without touching its idle clock."""
    row = session.get(ShareSession, _session_id(token)) if token else None
    return row if row is not None and row.share_id == share.id else None


def sign_out(session: Session, share: Share, token: str | None, now: dt.datetime, device: str) -> None:
    row = session.get(ShareSession, _session_id(token)) if token else None
    if row is not None and row.ended_at is None:
        row.ended_at = now
        record(session, share, now, "signed out", "requester", device=device)


def end_sessions(session: Session, share: Share, now: dt.datetime) -> None:
    """Every live session of the share, ended: it has closed."""
    for row in session.scalars(select(ShareSession).where(ShareSession.share_id == share.id,
                                                          ShareSession.ended_at.is_(None))):
        row.ended_at = now
