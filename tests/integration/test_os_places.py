"""OsPlacesLookup against a local HTTP server that answers like the OS Places API's postcode search:
addresses, none, a refused postcode, a refused key, rate limits, failures, a time-out and garbled answers."""
from __future__ import annotations

import logging
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from portal.adapters.os_places import OsPlacesLookup
from portal.adapters.ports import Address
from portal.exceptions import PostcodeLookupUnavailable
from portal.postcodes import InvalidPostcode
from tests.support.os_places_server import OsPlacesServer, os_places_server  # noqa: F401

pytestmark = pytest.mark.integration


@pytest.fixture
def lookup(os_places_server: OsPlacesServer) -> Iterator[OsPlacesLookup]:
    client = OsPlacesLookup(os_places_server.api_key, os_places_server.base_url, timeout=0.3)
    yield client
    client.close()


def asked(server: OsPlacesServer) -> list[dict[str, str]]:
    return [{"path": urlsplit(path).path, **{k: v[-1] for k, v in parse_qs(urlsplit(path).query).items()}}
            for path in server.requests]


def test_the_premises_at_a_postcode_are_addresses_with_their_uprn(lookup, os_places_server):
    found = lookup.addresses("sw1a2aa")

    assert found == [
        Address("100023336956", "10 Downing Street", "", "London", "SW1A 2AA"),
        Address("10033540874", "Prime Minister & First Lord of the Treasury, 10 Downing Street", "", "London",
                "SW1A 2AA"),
    ]
    assert found[0].label == "10 Downing Street, London, SW1A 2AA"
    assert asked(os_places_server) == [{"path": "/search/places/v1/postcode", "postcode": "SW1A 2AA",
                                        "key": os_places_server.api_key, "dataset": "DPA", "maxresults": "100"}]


def test_royal_mail_parts_become_the_forms_lines(lookup):
    assert lookup.addresses("SO16 0AS") == [
        Address("200010019924", "Ordnance Survey, 4 Adanac Drive", "Nursling", "Southampton", "SO16 0AS")]
    assert lookup.addresses("ST4 1AA") == [
        Address("3455012345", "Flat 2A, St. Mary's Court, 12 Mews Lane, High Street", "", "Stoke-on-Trent", "ST4 1AA"),
        Address("3455012346", "Rose Cottage", "Little Hamlet, Upper Village", "Stoke-on-Trent", "ST4 1AA"),
    ]


def test_a_postcode_with_no_addresses_is_an_empty_list(lookup, os_places_server):
    assert lookup.addresses("EC1A 9ZZ") == []  # header.totalresults 0 and no "results" at all
    assert len(os_places_server.requests) == 1


@pytest.mark.parametrize("text", ["", "hello", "SW1A", "12345", "SW1A 2AA 1", "QA1 1AA"])
def test_an_invalid_postcode_is_refused_without_a_request(lookup, os_places_server, text):
    with pytest.raises(InvalidPostcode):
        lookup.addresses(text)

    assert os_places_server.requests == []


@pytest.mark.parametrize("mode", ["400", "429", "500", "503", "html", "truncated", "other-json"])
def test_an_error_or_a_garbled_answer_is_unavailable(lookup, os_places_server, mode, caplog):
    os_places_server.set_mode(mode)
    caplog.set_level(logging.DEBUG, logger="portal")

    with pytest.raises(PostcodeLookupUnavailable):
        lookup.addresses("SW1A 2AA")

    assert "OS Places lookup failed" in caplog.text
    assert "SW1A" not in caplog.text and os_places_server.api_key not in caplog.text


def test_a_refused_key_is_unavailable_and_an_error_for_the_operators(os_places_server, caplog):
    client = OsPlacesLookup("not-the-key", os_places_server.base_url, timeout=0.3)
    caplog.set_level(logging.DEBUG, logger="portal")

    with pytest.raises(PostcodeLookupUnavailable):
        client.addresses("SW1A 2AA")
    client.close()

    refused = [r for r in caplog.records if "refused the API key" in r.getMessage()]
    assert [r.levelno for r in refused] == [logging.ERROR]
    assert "HTTP 401" in refused[0].getMessage() and "not-the-key" not in caplog.text and "SW1A" not in caplog.text


def test_a_slow_answer_times_out_as_unavailable(lookup, os_places_server):
    os_places_server.set_mode("slow")

    with pytest.raises(PostcodeLookupUnavailable):
        lookup.addresses("SW1A 2AA")


def test_service_down_is_unavailable_and_the_key_is_not_logged(os_places_server, caplog):
    base_url, key = os_places_server.base_url, os_places_server.api_key
    os_places_server.shutdown()
    os_places_server.server_close()  # nothing listens on the port now
    client = OsPlacesLookup(key, base_url, timeout=0.3)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(PostcodeLookupUnavailable) as raised:
        client.addresses("SW1A 2AA")
    client.close()

    assert raised.value.__cause__ is None and raised.value.__suppress_context__  # the URL holds the key
    assert key not in caplog.text


def test_answers_are_cached_and_failures_are_not(lookup, os_places_server):
    os_places_server.set_mode("500")
    with pytest.raises(PostcodeLookupUnavailable):
        lookup.addresses("SW1A 2AA")
    os_places_server.set_mode("normal")

    first = lookup.addresses("SW1A 2AA")
    again = lookup.addresses("sw1a 2aa")
    assert lookup.addresses("EC1A 9ZZ") == lookup.addresses("ec1a9zz") == []

    assert again == first and len(first) == 2
    assert [q["postcode"] for q in asked(os_places_server)] == ["SW1A 2AA", "SW1A 2AA", "EC1A 9ZZ"]
