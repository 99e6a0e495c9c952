"""A local HTTP server that answers like postcodes.io, and can be made slow, failing or garbled.

Use the fixture `postcodes_server`: `.base_url`, `.mode` ("normal", "slow", "500", "garbage"),
`.requests` (paths asked for, in order).
"""
from __future__ import annotations

import contextlib
from typing import Iterator
from urllib.parse import unquote

import pytest

from tests.support.lookup_server import LookupHandler, LookupServer, running

# The fields the portal reads, as postcodes.io returns them (plus a few it ignores). admin_county is null
# outside two-tier England: London boroughs, Scotland and Wales have no county in the data.
KNOWN_POSTCODES = {
    "SW1A 2AA": {"postcode": "SW1A 2AA", "country": "England", "region": "London", "admin_county": None,
                 "admin_district": "Westminster", "longitude": -0.127695, "latitude": 51.50354},
    "EH1 1YZ": {"postcode": "EH1 1YZ", "country": "Scotland", "region": None, "admin_county": None,
                "admin_district": "City of Edinburgh", "longitude": -3.188375, "latitude": 55.952055},
    "CF10 1EP": {"postcode": "CF10 1EP", "country": "Wales", "region": None, "admin_county": None,
                 "admin_district": "Cardiff", "longitude": -3.17551, "latitude": 51.479752},
    "SG13 8EQ": {"postcode": "SG13 8EQ", "country": "England", "region": "East of England",
                 "admin_county": "Hertfordshire", "admin_district": "East Hertfordshire",
                 "longitude": -0.069602, "latitude": 51.79509},
}


class PostcodesServer(LookupServer):
    modes = frozenset({"normal", "slow", "500", "garbage"})

    def __init__(self, slow_seconds: float = 2.0):
        super().__init__(PostcodesHandler, slow_seconds)


class PostcodesHandler(LookupHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server naming
        mode = self._arrived()
        if mode == "500":
            return self._send(500, b'{"status":500,"error":"Internal server error"}')
        if mode == "garbage":
            return self._send(200, b"<html>Gateway says hello</html>", "text/html")
        self._answer_postcode()

    def _answer_postcode(self) -> None:
        prefix = "/postcodes/"
        if not self.path.startswith(prefix):
            return self._send_json(404, {"status": 404, "error": "Resource not found"})
        postcode = unquote(self.path[len(prefix):]).upper()
        if postcode in KNOWN_POSTCODES:
            return self._send_json(200, {"status": 200, "result": KNOWN_POSTCODES[postcode]})
        self._send_json(404, {"status": 404, "error": "Postcode not found"})


@contextlib.contextmanager
def running_postcodes_server() -> Iterator[PostcodesServer]:
    with running(PostcodesServer()) as server:
        yield server


@pytest.fixture
def postcodes_server() -> Iterator[PostcodesServer]:
    with running_postcodes_server() as server:
        yield server
