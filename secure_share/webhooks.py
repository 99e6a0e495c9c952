"""Telling the case system what the requester did: an event posted to the share's webhook address.

The events and their payload are here; sending is the webhook port's (services.webhooks, signed as the
Create Case request is). The Idempotency-Key "<share id>:<event>" lets the case system recognise a
retry after a lost response.
"""
from __future__ import annotations

from portal import current
from portal.exceptions import WebhookFailed, WebhookRejected  # noqa: F401 - secure_share.jobs catches them from here
from secure_share.models import Share

# event -> what it means, for the payload; the requester's pages name them when they call notify_case_system
EVENTS = {
    "downloaded": "The requester downloaded a document from this share for the first time",
    "removed": "The requester removed the documents; their files have been deleted",
    "locked": "Too many wrong security codes were entered, so the link no longer works: resend the share "
              "for a new link",
}
ALIASES = {"first download": "downloaded"}  # the wording of the share's own events


def payload(share: Share, event: str, occurred_at: str) -> dict:
    return {"event": event, "description": EVENTS[event], "share_id": share.id,
            "case_reference": share.case_reference, "occurred_at": occurred_at, "status": share.status}


def send(url: str, body: dict) -> int:
    """Send an event's payload through the webhook port; the receiver's status, or WebhookFailed/WebhookRejected."""
    event = body["event"]
    return current.services().webhooks.send(url, event, body, idempotency_key=f"{body['share_id']}:{event}")

