"""PostcodesIoLookup against a local HTTP server that answers like postcodes.io."""
from __future__ import annotations

import logging
from typing import Iterator

import pytest

from portal.adapters.ports import PostcodeResult
from portal.adapters.postcodes_io import PostcodesIoLookup
from portal.exceptions import PostcodeLookupUnavailable
from portal.postcodes import InvalidPostcode, is_valid_uk_postcode, normalise_postcode
from tests.support.postcodes_server import PostcodesServer, postcodes_server  # noqa: F401

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sw1a2aa", "SW1A 2AA"), (" SW1A  2AA ", "SW1A 2AA"), ("m11ae", "M1 1AE"), ("ec1a\t1bb", "EC1A 1BB")],
)
def test_normalise_postcode(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text", ["SW1A 2AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "GIR 0AA", "bt1 1aa"]
)
def test_real_postcode_formats_are_valid(text):
    assert is_valid_uk_postcode(text)


@pytest.mark.parametrize(
    "text", ["", "SW1A", "SW1A 2A", "SW1A 2AAA", "QA1 1AA", "AI1 1AA", "SW1A 2CA", "12345", "SW1A-2AA", "<script>"]
)
def test_other_text_is_not_a_postcode(text):
    assert not is_valid_uk_postcode(text)


@pytest.fixture
def lookup(postcodes_server: PostcodesServer) -> Iterator[PostcodesIoLookup]:
    client = PostcodesIoLookup(postcodes_server.base_url, timeout=0.3)
    yield client
    client.close()


def test_found_postcode_gives_town_and_no_county_in_a_london_borough(lookup, postcodes_server):
    result = lookup.lookup("sw1a2aa")

    assert result == PostcodeResult(postcode="SW1A 2AA", town="Westminster", county="", country="England")
    assert postcodes_server.requests == ["/postcodes/SW1A%202AA"]


def test_county_is_the_administrative_county_of_two_tier_england(lookup):
    result = lookup.lookup("SG13 8EQ")

    assert result == PostcodeResult(postcode="SG13 8EQ", town="East Hertfordshire", county="Hertfordshire",
                                    country="England")


@pytest.mark.parametrize(("postcode", "country"), [("EH1 1YZ", "Scotland"), ("CF10 1EP", "Wales")])
def test_county_is_never_the_country(lookup, postcode, country):
    result = lookup.lookup(postcode)

    assert (result.county, result.country) == ("", country)


def test_unknown_postcode_is_none(lookup, postcodes_server):
    assert lookup.lookup("EC1A 9ZZ") is None
    assert postcodes_server.requests == ["/postcodes/EC1A%209ZZ"]


@pytest.mark.parametrize("text", ["", "hello", "SW1A", "12345", "SW1A 2AA 1", "QA1 1AA"])
def test_invalid_postcode_is_refused_without_a_request(lookup, postcodes_server, text):
    with pytest.raises(InvalidPostcode, match="Enter a real postcode"):
        lookup.lookup(text)

    assert postcodes_server.requests == []


def test_answers_are_cached_found_and_not_found(lookup, postcodes_server):
    first = lookup.lookup("SW1A 2AA")
    again = lookup.lookup(" sw1a 2aa ")
    assert lookup.lookup("EC1A 9ZZ") is None
    assert lookup.lookup("ec1a9zz") is None

    assert again == first
    assert postcodes_server.requests == ["/postcodes/SW1A%202AA", "/postcodes/EC1A%209ZZ"]


def test_slow_service_is_unavailable(lookup, postcodes_server):
    postcodes_server.set_mode("slow")

    with pytest.raises(PostcodeLookupUnavailable):
        lookup.lookup("SW1A 2AA")


@pytest.mark.parametrize("mode", ["500", "garbage"])
def test_failing_service_is_unavailable(lookup, postcodes_server, mode):
    postcodes_server.set_mode(mode)

    with pytest.raises(PostcodeLookupUnavailable):
        lookup.lookup("SW1A 2AA")


def test_failures_are_not_cached(lookup, postcodes_server):
    postcodes_server.set_mode("500")
    with pytest.raises(PostcodeLookupUnavailable):
        lookup.lookup("SW1A 2AA")

    postcodes_server.set_mode("normal")

    assert lookup.lookup("SW1A 2AA").town == "Westminster"
    assert len(postcodes_server.requests) == 2


def test_service_down_is_unavailable(postcodes_server):
    base_url = postcodes_server.base_url
    postcodes_server.shutdown()
    postcodes_server.server_close()  # nothing listens on the port now
    client = PostcodesIoLookup(base_url, timeout=0.3)

    with pytest.raises(PostcodeLookupUnavailable):
        client.lookup("SW1A 2AA")
    client.close()


def test_logs_name_no_postcode(lookup, postcodes_server, caplog):
    postcodes_server.set_mode("500")
    caplog.set_level(logging.DEBUG, logger="portal")

    with pytest.raises(PostcodeLookupUnavailable):
        lookup.lookup("SW1A 2AA")

    assert "HTTP 500" in caplog.text
    assert "SW1A" not in caplog.text
