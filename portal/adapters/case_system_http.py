"""The case system's Create Case API over HTTP: HMAC-SHA256 signed (portal.signing), idempotent by reference.

The reference is the Idempotency-Key, so a retry after a lost response never creates a second case.
"""
from __future__ import annotations

import json
import logging

import requests

from portal.adapters.ports import DeliveryResult
from portal.exceptions import CaseSystemUnavailable, PayloadRejected
from portal.signing import signed_headers

log = logging.getLogger(__name__)


class HttpCaseSystem:
    mode = "push"

    def __init__(self, url: str, secret: str, timeout: float = 10.0, session: requests.Session | None = None):
        self.url = url
        self.secret = secret
        self.timeout = timeout
        self.session = session or requests.Session()

    def deliver(self, reference: str, payload: dict) -> DeliveryResult:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": reference,
                   **signed_headers(self.secret, body)}
        try:
            response = self.session.post(self.url, data=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise CaseSystemUnavailable(f"case system unreachable: {type(exc).__name__}") from None
        if response.status_code in (200, 201, 202) or response.status_code == 409:
            # 409: the case system already has this reference (an earlier attempt's response was lost).
            return DeliveryResult(delivered=True, case_id=_case_id(response), detail=str(response.status_code))
        # 401/403 mean our key or secret is wrong: an operator fixes that, and the retries carry on meanwhile.
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403, 408, 425, 429):
            raise PayloadRejected(f"{response.status_code}: {_reason(response)}")
        raise CaseSystemUnavailable(f"case system answered {response.status_code}")


def _case_id(response) -> str | None:
    try:
        data = response.json()
    except ValueError:
        return None
    value = data.get("case_id") if isinstance(data, dict) else None
    return str(value)[:100] if value else None


def _reason(response) -> str:
    try:
        data = response.json()
        text = data.get("detail") or data.get("error") or data.get("title") or json.dumps(data)
    except ValueError:
        text = response.text
    return " ".join(str(text).split())[:500]
