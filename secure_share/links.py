"""Signed share links: an opaque token naming a share and its link version, never a key or a name.

One itsdangerous salt for this purpose; max_age always set; only the exact token issued (portal/tokens.py);
anything odd returns None (fail closed).
A resend bumps the share's link_version, so every older link stops working at once.
"""
from __future__ import annotations

import datetime as dt

from itsdangerous import BadSignature

from portal import tokens

SALT = "secure-share-link"


def make_token(secret: str, share_id: str, version: int) -> str:
    return tokens.dumps(secret, SALT, [share_id, version])


def read_token(secret: str, token: str, max_age: dt.timedelta) -> tuple[str, int] | None:
    if not token or len(token) > 300:
        return None
    try:
        share_id, version = tokens.loads(secret, SALT, token, max_age=int(max_age.total_seconds()))
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(share_id, str) or not isinstance(version, int):
        return None
    return share_id, version
