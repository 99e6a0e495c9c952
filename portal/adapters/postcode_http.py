"""What the postcode and address lookups share: a postcode checked before any request, one HTTP session,
a timeout, and a cache of answers by postcode.

Answers are cached, found or not found; failures raise, so they are never cached and the next request
tries again.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

import requests
from cachetools import TTLCache

from portal.postcodes import InvalidPostcode, is_valid_uk_postcode, normalise_postcode

_MISSING = object()


class PostcodeHttpLookup:
    def __init__(self, base_url: str, timeout: float, session: requests.Session | None, cache_size: int,
                 cache_ttl: float):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = session or requests.Session()
        self._owns_session = session is None
        self._cache: TTLCache = TTLCache(maxsize=cache_size, ttl=cache_ttl)
        self._lock = threading.Lock()

    def _by_postcode(self, postcode: str, fetch: Callable[[str], Any]) -> Any:
        """fetch(the normalised postcode), or its cached answer; InvalidPostcode before any request."""
        if not is_valid_uk_postcode(postcode):
            raise InvalidPostcode("Enter a real postcode")
        normalised = normalise_postcode(postcode)
        with self._lock:
            cached = self._cache.get(normalised, _MISSING)
        if cached is not _MISSING:
            return cached
        result = fetch(normalised)
        with self._lock:
            self._cache[normalised] = result
        return result

    def close(self) -> None:
        if self._owns_session:
            self._session.close()
