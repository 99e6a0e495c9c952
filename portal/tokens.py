"""Signed tokens in links the portal sends: share links, email confirmation links, signed file URLs.

One itsdangerous salt per purpose and max_age always set, as before; and a token is accepted only in the
exact form the portal issued. Base64 decoding forgives padding and the spare low bits of a part's last
character, so without this check a signature ending "c" also verified as "d", "e" or "f", and a token with
"==", "=" or "!!" appended still opened the share. Each part must re-encode to exactly the text received.
"""
from __future__ import annotations

import re
from typing import Any

from itsdangerous import BadData, BadSignature, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, base64_encode

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


class NotCanonical(BadSignature):
    """A token that verifies only because decoding forgave something: refused like a bad signature."""


def dumps(secret: str, salt: str, payload: Any) -> str:
    return URLSafeTimedSerializer(secret, salt=salt).dumps(payload)


def loads(secret: str, salt: str, token: str, max_age: int) -> Any:
    """The payload of a genuine, unexpired token in canonical form; BadSignature (or SignatureExpired) if not."""
    if not isinstance(token, str) or not is_canonical(token):
        raise NotCanonical("token not in the form it was issued in")
    return URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=max_age)


def is_canonical(token: str) -> bool:
    # payload.timestamp.signature; a compressed payload starts with "." (itsdangerous' own marker)
    parts = token.removeprefix(".").split(".")
    if len(parts) != 3:
        return False
    for part in parts:
        if not _BASE64URL.fullmatch(part):
            return False
        try:
            if base64_encode(base64_decode(part)).decode("ascii") != part:
                return False
        except (BadData, ValueError):  # itsdangerous raises BadData for a part that is not base64 at all
            return False
    return True
