"""Webhook events over HTTP: a JSON POST signed as the Create Case request is (portal.signing).

The Idempotency-Key lets the receiver recognise a retry after a lost response; redirects are not
followed, so an event goes only where it was addressed.
"""
from __future__ import annotations

import json

import requests

from portal.exceptions import WebhookFailed, WebhookRejected
from portal.signing import signed_headers


class HttpWebhookSender:
    def __init__(self, secret: str, timeout: float = 10.0, session: requests.Session | None = None):
        self.secret = secret
        self.timeout = timeout
        self.session = session

    def send(self, url: str, event: str, body: dict, idempotency_key: str) -> int:
        data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
            "X-Portal-Event": event,
            **signed_headers(self.secret, data),
        }
        try:
            response = (self.session or requests).post(url, data=data, headers=headers, timeout=self.timeout,
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
