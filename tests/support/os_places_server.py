"""A local HTTP server that answers GET /search/places/v1/postcode like the OS Places API.

As the real service: the key is a query parameter and a wrong one is a 401; a postcode it cannot read is a
400; a postcode with no addresses is a 200 whose header says totalresults 0, with no "results"; errors are
{"error": {"statuscode": ..., "message": ...}}; results are {"DPA": {...}} in capitals, with only the
fields an address has. Modes make it slow, rate limited, failing or garbled. Use the fixture
`os_places_server`: `.base_url` (the adapter's base URL), `.api_key`, `.mode`, `.requests` (each path and
query asked for, in order).
"""
from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.lookup_server import LookupHandler, LookupServer, running

API_KEY = "test-os-places-key"
PATH = "/search/places/v1/postcode"
# What the API accepts: at least the district and the sector's digit ("SO16 0"), spaces anywhere.
READABLE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9]([A-Z]{2})?$")


def _dpa(uprn: str, address: str, postcode: str, town: str, **parts: str) -> dict:
    """A DPA record: the parts an address has, then the fields every record carries."""
    return {"DPA": {"UPRN": uprn, "UDPRN": str(int(uprn) % 10**8), "ADDRESS": address, **parts, "POST_TOWN": town,
                    "POSTCODE": postcode, "RPC": "1", "X_COORDINATE": 530047.0, "Y_COORDINATE": 179951.0,
                    "STATUS": "APPROVED", "LOGICAL_STATUS_CODE": "1", "CLASSIFICATION_CODE": "RD04",
                    "CLASSIFICATION_CODE_DESCRIPTION": "Terraced", "LOCAL_CUSTODIAN_CODE": 5990,
                    "LOCAL_CUSTODIAN_CODE_DESCRIPTION": "CITY OF WESTMINSTER", "COUNTRY_CODE": "E",
                    "COUNTRY_CODE_DESCRIPTION": "This record is within England", "POSTAL_ADDRESS_CODE": "D",
                    "POSTAL_ADDRESS_CODE_DESCRIPTION": "A record which is linked to PAF", "BLPU_STATE_CODE": None,
                    "BLPU_STATE_CODE_DESCRIPTION": "Unknown/Not applicable", "LAST_UPDATE_DATE": "10/02/2016",
                    "ENTRY_DATE": "01/09/2000", "LANGUAGE": "EN", "MATCH": 1.0, "MATCH_DESCRIPTION": "EXACT",
                    "DELIVERY_POINT_SUFFIX": "1A"}}


KNOWN = {
    "SW1A 2AA": [
        _dpa("100023336956", "10, DOWNING STREET, LONDON, SW1A 2AA", "SW1A 2AA", "LONDON",
             BUILDING_NUMBER="10", THOROUGHFARE_NAME="DOWNING STREET"),
        _dpa("10033540874", "PRIME MINISTER & FIRST LORD OF THE TREASURY, 10, DOWNING STREET, LONDON, SW1A 2AA",
             "SW1A 2AA", "LONDON", ORGANISATION_NAME="PRIME MINISTER & FIRST LORD OF THE TREASURY",
             BUILDING_NUMBER="10", THOROUGHFARE_NAME="DOWNING STREET"),
    ],
    "SO16 0AS": [
        _dpa("200010019924", "ORDNANCE SURVEY, 4, ADANAC DRIVE, NURSLING, SOUTHAMPTON, SO16 0AS", "SO16 0AS",
             "SOUTHAMPTON", ORGANISATION_NAME="ORDNANCE SURVEY", BUILDING_NUMBER="4",
             THOROUGHFARE_NAME="ADANAC DRIVE", DEPENDENT_LOCALITY="NURSLING"),
    ],
    "ST4 1AA": [
        _dpa("3455012345", "FLAT 2A, ST. MARY'S COURT, 12, MEWS LANE, HIGH STREET, STOKE-ON-TRENT, ST4 1AA",
             "ST4 1AA", "STOKE-ON-TRENT", SUB_BUILDING_NAME="FLAT 2A", BUILDING_NAME="ST. MARY'S COURT",
             BUILDING_NUMBER="12", DEPENDENT_THOROUGHFARE_NAME="MEWS LANE", THOROUGHFARE_NAME="HIGH STREET"),
        _dpa("3455012346", "ROSE COTTAGE, LITTLE HAMLET, UPPER VILLAGE, STOKE-ON-TRENT, ST4 1AA", "ST4 1AA",
             "STOKE-ON-TRENT", BUILDING_NAME="ROSE COTTAGE", DOUBLE_DEPENDENT_LOCALITY="LITTLE HAMLET",
             DEPENDENT_LOCALITY="UPPER VILLAGE"),
    ],
}
MODES = {"normal", "slow", "400", "429", "500", "503", "html", "truncated", "other-json"}


class OsPlacesServer(LookupServer):
    modes = frozenset(MODES)

    def __init__(self, slow_seconds: float = 2.0):
        super().__init__(OsPlacesHandler, slow_seconds)
        self.api_key = API_KEY

    @property
    def base_url(self) -> str:
        return super().base_url + "/search/places/v1"


class OsPlacesHandler(LookupHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server naming
        mode = self._arrived()
        url = urlsplit(self.path)
        query = {name: values[-1] for name, values in parse_qs(url.query).items()}
        if url.path != PATH:
            return self._error(404, "Resource not found")
        if query.get("key") != self.server.api_key:
            return self._error(401, "Invalid API key")
        postcode = query.get("postcode", "").upper()
        if mode == "400" or not READABLE.match(postcode):
            return self._error(400, "Requested postcode must contain a minimum of the sector plus 1 digit of the "
                                    f"district e.g. SO1. Requested postcode was {postcode}")
        if mode == "429":
            return self._error(429, "Rate limit exceeded")
        if mode in ("500", "503"):
            return self._error(int(mode), "Internal server error" if mode == "500" else "Service unavailable")
        if mode == "html":
            return self._send(200, b"<html><body>Gateway says hello</body></html>", "text/html")
        if mode == "truncated":
            return self._send(200, b'{"header": {"uri": "https://api.os.uk/search/places/v1/postcode", "totalres')
        if mode == "other-json":
            return self._send_json(200, {"message": "Welcome to the API"})
        self._answer(postcode, query)

    def _answer(self, postcode: str, query: dict) -> None:
        compact = "".join(postcode.split())
        found = [r for known, results in KNOWN.items() if "".join(known.split()) == compact for r in results]
        maxresults = int(query.get("maxresults", "100"))
        header = {"uri": f"https://api.os.uk/search/places/v1/postcode?postcode={postcode}", "query": f"postcode={postcode}",
                  "offset": 0, "totalresults": len(found), "format": "JSON", "dataset": query.get("dataset", "DPA"),
                  "lr": "EN,CY", "maxresults": maxresults, "epoch": "112", "lastupdate": "2024-10-21",
                  "output_srs": "EPSG:27700"}
        body = {"header": header, **({"results": found[:maxresults]} if found else {})}
        self._send_json(200, body)

    def _error(self, status: int, message: str) -> None:
        self._send_json(status, {"error": {"statuscode": status, "message": message}})


@pytest.fixture
def os_places_server() -> Iterator[OsPlacesServer]:
    with running(OsPlacesServer()) as server:
        yield server
