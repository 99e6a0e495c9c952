"""Postcode lookup with the postcodes.io API (the base URL is configurable: it can be self-hosted).

Answers are cached for a day, found or not found; failures are never cached, so the next request
tries again. Postcodes are personal data in context, so they are never logged.
"""
from __future__ import annotations

import logging
import threading
from urllib.parse import quote

import requests
from cachetools import TTLCache

from portal.adapters.ports import PostcodeResult
from portal.exceptions import PostcodeLookupUnavailable
from portal.postcodes import InvalidPostcode, is_valid_uk_postcode, normalise_postcode

logger = logging.getLogger(__name__)

_MISSING = object()


class PostcodesIoLookup:
    """A PostcodeLookup backed by postcodes.io: GET {base_url}/postcodes/{postcode}."""

    def __init__(
        self,
        base_url: str = "https://api.postcodes.io",
        timeout: float = 2.0,
        session: requests.Session | None = None,
        cache_size: int = 1024,
        cache_ttl: float = 24 * 60 * 60,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = session or requests.Session()
        self._owns_session = session is None
        self._cache: TTLCache = TTLCache(maxsize=cache_size, ttl=cache_ttl)
        self._lock = threading.Lock()

    def lookup(self, postcode: str) -> PostcodeResult | None:
        """The postcode's place, None when it does not exist; InvalidPostcode before any request."""
        if not is_valid_uk_postcode(postcode):
            raise InvalidPostcode("Enter a real postcode")
        normalised = normalise_postcode(postcode)
        with self._lock:
            cached = self._cache.get(normalised, _MISSING)
        if cached is not _MISSING:
            return cached
        result = self._fetch(normalised)
        with self._lock:
            self._cache[normalised] = result
        return result

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

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
