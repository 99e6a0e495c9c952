"""Postcode lookup with the postcodes.io API (the base URL is configurable: it can be self-hosted).

Answers are cached for a day, found or not found; failures are never cached, so the next request
tries again. Postcodes are personal data in context, so they are never logged.
"""
from __future__ import annotations

import logging
from urllib.parse import quote

import requests

from portal.adapters.ports import PostcodeResult
from portal.adapters.postcode_http import PostcodeHttpLookup
from portal.exceptions import PostcodeLookupUnavailable

logger = logging.getLogger(__name__)


class PostcodesIoLookup(PostcodeHttpLookup):
    """A PostcodeLookup backed by postcodes.io: GET {base_url}/postcodes/{postcode}."""

    def __init__(
        self,
        base_url: str = "https://api.postcodes.io",
        timeout: float = 2.0,
        session: requests.Session | None = None,
        cache_size: int = 1024,
        cache_ttl: float = 24 * 60 * 60,
    ):
        super().__init__(base_url, timeout, session, cache_size, cache_ttl)

    def lookup(self, postcode: str) -> PostcodeResult | None:
        """The postcode's place, None when it does not exist; InvalidPostcode before any request."""
        return self._by_postcode(postcode, self._fetch)

    def _fetch(self, postcode: str) -> PostcodeResult | None:
        url = f"{self.base_url}/postcodes/{quote(postcode, safe='')}"
        try:
            response = self._session.get(url, timeout=self.timeout, headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise _unavailable(f"request failed: {type(exc).__name__}") from exc
        if response.status_code == 404:
            return None  # "Postcode not found" or "Invalid postcode": either way, no such place
        if response.status_code != 200:
            raise _unavailable(f"HTTP {response.status_code}")
        try:
            return _parse_result(response.json()["result"], postcode)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _unavailable(f"unexpected response body: {type(exc).__name__}") from exc


def _parse_result(result: dict, postcode: str) -> PostcodeResult:
    return PostcodeResult(
        postcode=result.get("postcode") or postcode,
        town=result.get("admin_district") or "",
        # Only two-tier England has an administrative county; a region ("London") or a country is not one.
        county=result.get("admin_county") or "",
        country=result["country"] or "",
    )


def _unavailable(reason: str) -> PostcodeLookupUnavailable:
    logger.warning("postcodes.io lookup failed: %s", reason)
    return PostcodeLookupUnavailable()
