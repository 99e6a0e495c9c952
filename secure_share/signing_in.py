"""Signing in to a share: emailed security codes, and the server-side sessions that sign-out ends at once.

Someone else may have the link (a forwarded email, a shared computer). What they can do, and why:

- A code belongs to the share, not to the browser that asked for it: whoever asks, the code goes only
  to the requester's inbox, and the requester can use the newest one in any browser. So a stranger
  asking for codes never leaves the requester without a working code.
- Code emails are paced per share: 3 at once, then 1 more every 15 minutes (a token bucket, GCRA;
  `code_emails_at` is when the bucket is full again). At most 7 in the first hour and 4 an hour after.
  Because a code lasts 15 minutes and one more may be sent every 15, there is always either a live code
  in the requester's inbox or one that can be sent now. A request while a code sent under a minute ago
  is live sends nothing and points to that code (a double click, a second tab).
- 5 tries per code, counted by the database (portal.codes), whichever browsers they come from.
- 20 wrong codes over the share's life, counted by the database before each comparison. The 20th locks
  the share: the link stops working until the body resends the share (a new link, which the stranger
  does not have), the case system is told (a "locked" event and webhook), and the requester is emailed
  what happened and what to do. A stranger's chance of guessing a code is thus at most 20 in a million
  over the share's life, whatever its length; the most a stranger with the link can do is make the body
  send a new one.
- No limit here counts network addresses: libraries, offices and mobile networks share them. The
  per-address limits on the views are only flood guards.

Like every service function here, these change the caller's session and never commit (see service.py).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from portal import codes, locks
from portal.codes import CodeCheck
from portal.dates import minutes_to_wait
from portal.exceptions import PortalError
from secure_share.audit import record
from secure_share.models import Share, ShareSession, SignInCode

CODE_VALID = codes.VALID_FOR
CODE_ATTEMPTS = codes.ATTEMPTS
FAILED_CODES_LIMIT = 20  # wrong codes over a share's life; the last one locks it
CODE_EMAILS_AT_ONCE = 3
CODE_EMAIL_EVERY = CODE_VALID  # no longer than a code lasts: see above
STILL_FRESH = dt.timedelta(minutes=1)  # a live code younger than this is not replaced


class TooManyCodes(PortalError):
    """The refusal is in the caller's session, for the audit trail: commit it before showing the page."""

    status_code = 429
    title = "Too many security codes"

    def __init__(self, wait: dt.timedelta):
        self.wait = wait
        super().__init__(f"Wait {minutes_to_wait(wait)} before asking for another code")


@dataclasses.dataclass(frozen=True)
class CodeRequest:
    code: str | None  # a new code to email; None: use the live one sent at `live_since`
    live_since: dt.datetime | None = None


# Security codes ---------------------------------------------------------------------------

def _latest_code(session: Session, share: Share) -> SignInCode | None:
    return session.scalar(select(SignInCode).where(SignInCode.share_id == share.id, SignInCode.used_at.is_(None))
                          .order_by(SignInCode.created_at.desc(), SignInCode.id.desc()).limit(1))


def code_state(session: Session, share: Share, now: dt.datetime) -> str:
    """The share's newest unused code: none | active | locked | expired. Tries nothing."""
    code = _latest_code(session, share)
    if code is None:
        return "none"
    if code.attempts >= CODE_ATTEMPTS:
        return "locked"
    if now > code.expires_at:
        return "expired"
    return "active"


def request_code(session: Session, share: Share, now: dt.datetime, secret: str) -> CodeRequest:
    """A new code to email, or the live code to use instead; TooManyCodes when neither. The caller adds its
    email to the outbox and commits both together. Parallel requests for one share take their turn (portal.locks)."""
    locks.serialise(session, f"share-codes:{share.id}", now)
    session.refresh(share, ["code_emails_at"])
    live = _latest_code(session, share)
    if live is not None and (live.attempts >= CODE_ATTEMPTS or now > live.expires_at):
        live = None
    if live is not None and now - live.created_at < STILL_FRESH:
        return CodeRequest(None, live.created_at)
    full_again = max(share.code_emails_at or now, now)
    if full_again - now > (CODE_EMAILS_AT_ONCE - 1) * CODE_EMAIL_EVERY:
        if live is not None:
            return CodeRequest(None, live.created_at)
        record(session, share, now, "code refused: too many requests", "requester")
        raise TooManyCodes(full_again - (CODE_EMAILS_AT_ONCE - 1) * CODE_EMAIL_EVERY - now)
    share.code_emails_at = full_again + CODE_EMAIL_EVERY
    code = codes.new_code()
    session.add(SignInCode(share_id=share.id, code_hash=codes.code_hash(secret, share.id, code), created_at=now,
                           expires_at=now + CODE_VALID, attempts=0))
    record(session, share, now, "code sent", "requester")
    return CodeRequest(code)


def _count_failure(session: Session, share: Share, step: int) -> int | None:
    """Add step (1: a failure reserved before a comparison, -1: given back) to the share's wrong codes;
    None when a reservation finds the share locked or its failures used up."""
    guard = [Share.status == "sent", Share.failed_codes < FAILED_CODES_LIMIT] if step > 0 else []
    counted = session.execute(
        update(Share).where(Share.id == share.id, *guard).values(failed_codes=Share.failed_codes + step)
        .returning(Share.failed_codes).execution_options(synchronize_session=False)).scalar_one_or_none()
    if counted is not None:
        set_committed_value(share, "failed_codes", counted)
    return counted


def check_code(session: Session, share: Share, typed: str, now: dt.datetime, secret: str, device: str) -> CodeCheck:
    """Try the share's newest code. A wrong try counts against the code and the share: the caller commits
    whatever the answer. reason "link locked": the share is locked (by this very try when `counted`)."""
    code = _latest_code(session, share)
    if code is None or code.attempts >= CODE_ATTEMPTS or now > code.expires_at:
        return codes.check(session, code, typed, now, secret, scope=share.id)  # none | locked | expired, untried
    if _count_failure(session, share, 1) is None:
        session.refresh(share)  # locked (or closed) by another request since this one read it
        return CodeCheck(False, "link locked")
    result = codes.check(session, code, typed, now, secret, scope=share.id)
    if result.ok or not result.counted:
        _count_failure(session, share, -1)
    if result.ok:
        used = session.execute(update(SignInCode).where(SignInCode.id == code.id, SignInCode.used_at.is_(None))
                               .values(used_at=now).execution_options(synchronize_session=False)).rowcount
        return result if used else CodeCheck(False, "none")  # a parallel request used it first
    if result.counted:
        record(session, share, now, "code failed", "requester", device=device, attempts_left=result.attempts_left)
        if result.reason == "locked":
            record(session, share, now, "locked: too many wrong codes", "requester", device=device)
        if share.failed_codes >= FAILED_CODES_LIMIT:
            lock(session, share, now)
            return CodeCheck(False, "link locked", counted=True)
    return result


def lock(session: Session, share: Share, now: dt.datetime) -> None:
    """Too many wrong codes: the link stops working until the share is resent."""
    share.status, share.locked_at = "locked", now
    end_sessions(session, share, now)
    record(session, share, now, "link locked: too many wrong codes", "system", failed_codes=share.failed_codes)


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


def sign_out(session: Session, share: Share, token: str | None, now: dt.datetime, device: str,
             idle: bool = False) -> None:
    """`idle`: the timeout warning signed the browser out, not the requester."""
    row = session.get(ShareSession, _session_id(token)) if token else None
    if row is not None and row.ended_at is None:
        row.ended_at = now
        record(session, share, now, "signed out: idle" if idle else "signed out", "requester", device=device)


def end_sessions(session: Session, share: Share, now: dt.datetime) -> None:
    """Every live session of the share, ended: it has closed."""
    for row in session.scalars(select(ShareSession).where(ShareSession.share_id == share.id,
                                                          ShareSession.ended_at.is_(None))):
        row.ended_at = now
