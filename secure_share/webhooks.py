"""Telling the case system what the requester did: a signed JSON POST to the share's webhook address.

Signed as the Create Case request is (portal.signing): X-Portal-Timestamp and
X-Portal-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>"> with CASE_SYSTEM_SECRET. The
Idempotency-Key "<share id>:<event>" lets the case system recognise a retry after a lost response.
"""
from __future__ import annotations

import json

import requests

from portal.signing import signed_headers
from secure_share.models import Share

# event -> what it means, for the payload; the requester's pages name them when they call notify_case_system
EVENTS = {
    "downloaded": "The requester downloaded a document from this share for the first time",
    "removed": "The requester removed the documents; their files have been deleted",
}
ALIASES = {"first download": "downloaded"}  # the wording of the share's own events


class WebhookFailed(Exception):
    """Not delivered this time (unreachable, timeout, 5xx, 408, 429, 401/403): retried with backoff."""


class WebhookRejected(Exception):
    """The case system refused the event itself (another 4xx): retrying would not help."""


def payload(share: Share, event: str, occurred_at: str) -> dict:
    return {"event": event, "description": EVENTS[event], "share_id": share.id,
            "case_reference": share.case_reference, "occurred_at": occurred_at, "status": share.status}


def post(url: str, secret: str, body: dict, timeout: float, session: requests.Session | None = None) -> int:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": f"{body['share_id']}:{body['event']}",
        "X-Portal-Event": body["event"],
        **signed_headers(secret, data),
    }
    try:
        response = (session or requests).post(url, data=data, headers=headers, timeout=timeout,
                                              allow_redirects=False)
    except requests.RequestException as exc:
        raise WebhookFailed(f"unreachable: {type(exc).__name__}") from None
    status = response.status_code
    response.close()
    if 200 <= status < 300 or status == 409:  # 409: it already has this event
        return status
    if 400 <= status < 500 and status not in (401, 403, 408, 425, 429):
        raise WebhookRejected(f"answered {status}")
    raise WebhookFailed(f"answered {status}")
