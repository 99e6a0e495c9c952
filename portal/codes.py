"""Emailed one-time security codes, shared by Capture (confirm an email address) and Secure Share (sign in).

6 digits, valid 15 minutes, at most 5 tries; only a keyed hash is stored. The caller keeps the row
(a mapped class with id, code_hash, expires_at and attempts) and commits after `check`.

A try is counted by the database, not in Python: `attempts = attempts + 1 WHERE attempts < 5`, and the
row count decides whether this try may be compared at all. Thirty guesses sent at the same moment
therefore get five comparisons between them, on SQLite and on PostgreSQL alike.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import Integer, String, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from portal.models import UTCDateTime

VALID_FOR = dt.timedelta(minutes=15)
ATTEMPTS = 5


class CodeColumns:
    """The columns of a table of emailed codes (a mixin for its model): only a keyed hash of the code."""

    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


@dataclasses.dataclass(frozen=True)
class CodeCheck:
    ok: bool
    reason: str = ""  # wrong | expired | locked | none
    attempts_left: int = 0
    counted: bool = False  # this try was one of the code's tries


def keyed_hash(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(secret: str, scope: str, code: str) -> str:
    """scope binds the code to what it unlocks (a draft, a share and browser), so it works nowhere else."""
    return keyed_hash(secret, f"{scope}:{code}")


def take_try(session: Session, row) -> bool:
    """Count one try against the row in the database; False when it has none left. Until the caller's
    transaction ends, other tries at this row wait (PostgreSQL's row lock, SQLite's write lock)."""
    table = type(row)
    counted = session.execute(
        update(table).where(table.id == row.id, table.attempts < ATTEMPTS).values(attempts=table.attempts + 1)
        .returning(table.attempts).execution_options(synchronize_session=False)).scalar_one_or_none()
    set_committed_value(row, "attempts", ATTEMPTS if counted is None else counted)
    return counted is not None


def check(session: Session, row, typed: str, now: dt.datetime, secret: str, scope: str) -> CodeCheck:
    if row is None:
        return CodeCheck(False, "none")
    if row.attempts >= ATTEMPTS:
        return CodeCheck(False, "locked")
    if now > row.expires_at:
        return CodeCheck(False, "expired")
    if not take_try(session, row):
        return CodeCheck(False, "locked")
    digits = "".join(ch for ch in typed if ch.isdigit())
    if hmac.compare_digest(row.code_hash, code_hash(secret, scope, digits)):
        return CodeCheck(True, counted=True)
    left = ATTEMPTS - row.attempts
    return CodeCheck(False, "locked" if left <= 0 else "wrong", left, counted=True)
