"""How the portal signs what it sends the case system, and how a receiver checks it.

Signature: hex HMAC-SHA256 with the shared secret (CASE_SYSTEM_SECRET) over "<timestamp>.<body>", sent
as X-Portal-Signature: sha256=<hex> with X-Portal-Timestamp: <unix seconds>. The Create Case request
and Secure Share's webhook events are signed the same way.
"""
from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Portal-Timestamp"
SIGNATURE_HEADER = "X-Portal-Signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes) -> dict[str, str]:
    """The timestamp and signature headers for a body sent now."""
    timestamp = str(int(time.time()))  # the receiver checks it against its own clock, so real time
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body)}


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float, tolerance: int = 300) -> bool:
    """For case systems (and our reference server): a fresh timestamp and a matching signature."""
    try:
        fresh = abs(now - int(timestamp)) <= tolerance
    except (TypeError, ValueError):
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature or "")
