"""The embedded default CaseSystem: nothing is pushed; the case system pulls through the API.

Submissions stay pending until the case system acknowledges them (the Capture delivery issue
adds the HMAC-signed HTTP push client beside this adapter).
"""
from __future__ import annotations

from portal.adapters.ports import DeliveryResult


class PullOnlyCaseSystem:
    mode = "pull"

    def deliver(self, reference: str, payload: dict) -> DeliveryResult:
        return DeliveryResult(delivered=False, detail="waiting for the case system to pull and acknowledge")
