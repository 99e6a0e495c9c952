"""The premises at a postcode from the OS Places API's postcode search (Royal Mail addresses, dataset DPA).

GET {base_url}/postcode?postcode=...&key=...&dataset=DPA&maxresults=100. The answer is
{"header": {"totalresults": N, ...}, "results": [{"DPA": {"UPRN": ..., "POST_TOWN": ...}}, ...]}, with no
"results" when the postcode has no addresses; errors are {"error": {"statuscode": ..., "message": ...}}.
Answers are cached for an hour (the person chooses from the list just fetched); failures never are.
Neither the key nor the postcode is ever logged (the error message can repeat the postcode).
"""
from __future__ import annotations

import logging
import re

import requests

from portal.adapters.ports import Address
from portal.adapters.postcode_http import PostcodeHttpLookup
from portal.exceptions import PostcodeLookupUnavailable
from portal.postcodes import normalise_postcode

logger = logging.getLogger(__name__)

MAX_RESULTS = 100  # the most the API gives in one page
# Joining words, kept lower case inside a name as Royal Mail writes them: Stoke-on-Trent, Weston-super-Mare.
_SMALL_WORDS = {"of", "on", "upon", "under", "super", "le", "la", "de", "in", "by", "the", "en", "sub", "cum", "next", "and"}


class OsPlacesLookup(PostcodeHttpLookup):
    """An AddressLookup backed by the OS Places API (an OS Data Hub key with the Places API)."""

    def __init__(
        self,
        api_key: str,
        base_url: str = "https://api.os.uk/search/places/v1",
        timeout: float = 3.0,
        session: requests.Session | None = None,
        cache_size: int = 1024,
        cache_ttl: float = 60 * 60,
    ):
        super().__init__(base_url, timeout, session, cache_size, cache_ttl)
        self.api_key = api_key

    def addresses(self, postcode: str) -> list[Address]:
        """The premises at the postcode ([] for none); InvalidPostcode before any request."""
        return list(self._by_postcode(postcode, self._fetch))

    def _fetch(self, postcode: str) -> tuple[Address, ...]:
        params = {"postcode": postcode, "key": self.api_key, "dataset": "DPA", "maxresults": MAX_RESULTS}
        try:
            response = self._session.get(f"{self.base_url}/postcode", params=params, timeout=self.timeout,
                                         headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise _unavailable(f"request failed: {type(exc).__name__}") from None  # the URL holds the key
        if response.status_code != 200:
            raise _refused(response)
        try:
            body = response.json()
            if body["header"]["totalresults"] == 0:
                return ()
            return tuple(_address(result["DPA"], postcode) for result in body["results"] if "DPA" in result)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _unavailable(f"unexpected response body: {type(exc).__name__}") from None


def _address(dpa: dict, postcode: str) -> Address:
    """Royal Mail's parts of an address, written as the form's lines: premises and street, then locality."""
    number_and_street = " ".join(str(part) for part in (dpa.get("BUILDING_NUMBER"),
                                                        dpa.get("DEPENDENT_THOROUGHFARE_NAME") or dpa.get("THOROUGHFARE_NAME"))
                                 if part)
    premises = [dpa.get("ORGANISATION_NAME"), dpa.get("DEPARTMENT_NAME"), dpa.get("PO_BOX_NUMBER") and
                f"PO Box {dpa['PO_BOX_NUMBER']}", dpa.get("SUB_BUILDING_NAME"), dpa.get("BUILDING_NAME"),
                number_and_street, dpa.get("DEPENDENT_THOROUGHFARE_NAME") and dpa.get("THOROUGHFARE_NAME")]
    localities = [dpa.get("DOUBLE_DEPENDENT_LOCALITY"), dpa.get("DEPENDENT_LOCALITY")]
    return Address(
        uprn=str(dpa["UPRN"]),
        line1=", ".join(_words(part) for part in premises if part),
        line2=", ".join(_words(part) for part in localities if part),
        town=_words(dpa.get("POST_TOWN") or ""),
        postcode=normalise_postcode(dpa.get("POSTCODE") or postcode),
    )


def _words(text: str) -> str:
    """OS gives addresses in capitals: 'FLAT 2A, ST. MARY'S COURT' -> 'Flat 2A, St. Mary's Court'.

    Joining words stay lower case after the first word (Ashby de la Zouch, Stoke-on-Trent, Lord of the
    Treasury), except a "the" that starts a name of its own (Unit 3 The Paddocks).
    """
    out: list[str] = []
    previous = ""
    for token in re.split(r"(\s+|-)", text.strip()):
        if not token or token.isspace() or token == "-":
            out.append(" " if token.isspace() else token)
            continue
        lower = token.lower()
        joining = previous and lower in _SMALL_WORDS and (lower != "the" or previous in _SMALL_WORDS)
        out.append(token if any(ch.isdigit() for ch in token) else lower if joining else lower[:1].upper() + lower[1:])
        previous = lower
    return "".join(out)


def _refused(response: requests.Response) -> PostcodeLookupUnavailable:
    status = response.status_code
    if status in (401, 403):
        logger.error("OS Places refused the API key (HTTP %s): check OS_PLACES_API_KEY", status)
        return PostcodeLookupUnavailable()
    if status == 429:
        return _unavailable("rate limit exceeded (HTTP 429)")
    return _unavailable(f"HTTP {status}")


def _unavailable(reason: str) -> PostcodeLookupUnavailable:
    logger.warning("OS Places lookup failed: %s", reason)
    return PostcodeLookupUnavailable()
