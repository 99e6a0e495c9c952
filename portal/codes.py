"""Emailed one-time security codes, shared by Capture (confirm an email address) and Secure Share (sign in).

6 digits, valid 15 minutes, at most 5 tries; only a keyed hash is stored. The caller keeps the row
(anything with code_hash, expires_at and attempts) and commits after `check`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets

VALID_FOR = dt.timedelta(minutes=15)
ATTEMPTS = 5


@dataclasses.dataclass(frozen=True)
class CodeCheck:
    ok: bool
    reason: str = ""  # wrong | expired | locked | none
    attempts_left: int = 0


def keyed_hash(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(secret: str, scope: str, code: str) -> str:
    """scope binds the code to what it unlocks (a draft, a share and browser), so it works nowhere else."""
    return keyed_hash(secret, f"{scope}:{code}")


def check(row, typed: str, now: dt.datetime, secret: str, scope: str) -> CodeCheck:
    if row is None:
        return CodeCheck(False, "none")
    if row.attempts >= ATTEMPTS:
        return CodeCheck(False, "locked")
    if now > row.expires_at:
        return CodeCheck(False, "expired")
    row.attempts += 1
    digits = "".join(ch for ch in typed if ch.isdigit())
    if hmac.compare_digest(row.code_hash, code_hash(secret, scope, digits)):
        return CodeCheck(True)
    left = ATTEMPTS - row.attempts
    return CodeCheck(False, "locked" if left <= 0 else "wrong", left)
