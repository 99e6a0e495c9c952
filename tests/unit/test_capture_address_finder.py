"""The address finder inside the journey, without JavaScript: find, select an address, check the fields it
fills, or type the address; every fallback when the lookups find nothing or are down; the UPRN in the payload."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from capture.models import Draft, Submission
from portal.adapters.ports import PostcodeResult
from portal.exceptions import PostcodeLookupUnavailable
from tests.capture_helpers import HAPPY_PATHS, answer, code_from, errors_in, fill, post
from tests.fakes import FakeAddresses
from tests.pages import check_page, text_of

PAGE = "/request/eir/postal-address"
SCHEMA = json.loads((Path(__file__).parents[2] / "capture/schema/create_case.schema.json").read_text())
DOWNING_STREET = "100023336956"


@pytest.fixture(autouse=True)
def _finder(no_rate_limits, services):
    services.addresses = FakeAddresses()
    services.postcodes.known["SG13 8EQ"] = PostcodeResult("SG13 8EQ", "East Hertfordshire", "Hertfordshire", "England")


@pytest.fixture
def at_address(client):
    fill(client, "eir", upto="postal-address")
    return client


def find(client, postcode: str):
    return post(client, PAGE, {"action": "find", "address-lookup": postcode})


def choose(client, uprn: str | None, postcode: str = "SW1A 2AA"):
    return post(client, PAGE, {"action": "choose", "address-lookup": postcode, **({"address-uprn": uprn} if uprn else {})})


def fields(soup) -> dict[str, str]:
    return {key: soup.find("input", id=f"address-{key}")["value"] for key in ("line1", "line2", "town", "county", "postcode")}


def hidden_choice(soup) -> str:
    chosen = soup.find("input", attrs={"name": "address-chosen"})
    return chosen["value"] if chosen else ""


def save(client, values: dict, chosen: str = ""):
    data = {"action": "save", **{f"address-{key}": value for key, value in values.items()}}
    return answer(client, "eir", "postal-address", {**data, **({"address-chosen": chosen} if chosen else {})})


def saved_answer(app) -> dict:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return session.scalars(select(Draft)).one().answers["address"]


def finish(client, services) -> dict:
    """The rest of the EIR form, check answers and the code: the payload the case system received."""
    steps = HAPPY_PATHS["eir"]
    for page_id, data in steps[[p for p, _ in steps].index("postal-address") + 1:]:
        answer(client, "eir", page_id, data)
    post(client, "/request/eir/check-answers", {})
    response = post(client, "/request/eir/confirm-email", {"code": code_from(services.mailer)})
    assert response.status_code == 302, errors_in(response)
    _reference, payload = services.case_system.delivered[-1]
    jsonschema.validate(payload, SCHEMA)
    return payload


def test_the_premises_at_the_postcode_are_offered_to_select(at_address, services):
    soup = check_page(find(at_address, "sw1a2aa").get_data(as_text=True))

    assert soup.h1.get_text(strip=True) == "What is your postal address?"
    assert "3 addresses found for SW1A 2AA" in text_of(soup)
    radios = {radio["value"]: soup.find("label", attrs={"for": radio["id"]}).get_text(strip=True)
              for radio in soup.select("input[type=radio][name=address-uprn]")}
    assert radios == {DOWNING_STREET: "10 Downing Street, London, SW1A 2AA",
                      "10033540874": "Prime Minister's Office, 11 Downing Street, London, SW1A 2AA",
                      "100023336957": "70 Whitehall, London, SW1A 2AA"}
    assert soup.select_one("input[type=radio]")["id"] == "address-uprn"  # where the error summary links to
    buttons = [b.get_text(strip=True) for b in soup.select("form button")]
    assert buttons == ["Use this address", "I cannot find the address in the list"]  # Enter chooses
    assert services.addresses.asked == ["SW1A 2AA"]


def test_choosing_an_address_fills_the_fields_to_check_and_its_uprn_reaches_the_case_system(at_address, services):
    soup = check_page(choose(at_address, DOWNING_STREET).get_data(as_text=True))

    assert fields(soup) == {"line1": "10 Downing Street", "line2": "", "town": "London", "county": "",
                            "postcode": "SW1A 2AA"}
    assert "Check the address and change it if you need to." in text_of(soup)
    save(at_address, fields(soup), hidden_choice(soup))
    payload = finish(at_address, services)
    assert payload["requester"]["address"] == {"line1": "10 Downing Street", "line2": "", "town": "London",
                                               "county": "", "postcode": "SW1A 2AA", "uprn": DOWNING_STREET}
    shown = [row["answer"] for row in payload["answers"] if row["question"] == "address"]
    assert shown == ["10 Downing Street\nLondon\nSW1A 2AA"]  # the UPRN is for the case system, not read back


def test_an_address_changed_after_choosing_loses_its_uprn(app, at_address):
    soup = check_page(choose(at_address, DOWNING_STREET).get_data(as_text=True))
    save(at_address, {**fields(soup), "line1": "12 Downing Street"}, hidden_choice(soup))

    assert saved_answer(app) == {"line1": "12 Downing Street", "line2": "", "town": "London", "county": "",
                                 "postcode": "SW1A 2AA"}


def test_a_county_added_after_choosing_keeps_the_uprn(app, at_address):
    soup = check_page(choose(at_address, DOWNING_STREET).get_data(as_text=True))
    save(at_address, {**fields(soup), "county": "Greater London", "town": "LONDON"}, hidden_choice(soup))

    assert saved_answer(app)["uprn"] == DOWNING_STREET


@pytest.mark.parametrize("chosen", ["forged", "altered"])
def test_a_uprn_the_finder_did_not_give_is_not_kept(app, at_address, chosen):
    soup = check_page(choose(at_address, DOWNING_STREET).get_data(as_text=True))
    token = hidden_choice(soup)
    token = "not-a-token" if chosen == "forged" else token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    save(at_address, fields(soup), token)

    assert "uprn" not in saved_answer(app)


def test_a_saved_choice_keeps_its_uprn_when_saved_again_unchanged(app, at_address):
    soup = check_page(choose(at_address, DOWNING_STREET).get_data(as_text=True))
    save(at_address, fields(soup), hidden_choice(soup))
    again = at_address.get_page(f"{PAGE}?change=1")  # from check answers: the fields, no hidden choice
    assert hidden_choice(again) == ""
    save(at_address, fields(again))
    assert saved_answer(app)["uprn"] == DOWNING_STREET


def test_use_this_address_with_none_selected_is_an_error_on_the_list(at_address):
    response = choose(at_address, None)

    assert errors_in(response) == ["Select an address"]
    soup = check_page(response.get_data(as_text=True))
    assert soup.select_one(".govuk-error-summary a")["href"] == "#address-uprn"
    assert len(soup.select("input[type=radio][name=address-uprn]")) == 3


def test_a_uprn_not_at_the_postcode_is_an_error_on_the_list(at_address):
    assert errors_in(choose(at_address, "999999999")) == ["Select an address"]


def test_i_cannot_find_the_address_gives_the_fields_with_the_postcode(at_address):
    response = post(at_address, PAGE, {"action": "manual", "address-lookup": "SW1A 2AA", "address-uprn": DOWNING_STREET})
    soup = check_page(response.get_data(as_text=True))

    assert fields(soup) == {"line1": "", "line2": "", "town": "", "county": "", "postcode": "SW1A 2AA"}
    assert hidden_choice(soup) == ""


def test_change_the_postcode_goes_back_to_the_finder(at_address):
    soup = check_page(find(at_address, "SW1A 2AA").get_data(as_text=True))
    link = soup.find("a", string="change the postcode")
    assert link["href"] == PAGE

    finder = at_address.get_page(link["href"])
    assert finder.find("input", id="address-lookup") is not None
    assert [b.get_text(strip=True) for b in finder.select("form button")] == ["Find address"]


def test_no_addresses_at_the_postcode_gives_the_fields_with_town_and_county(at_address, services):
    soup = check_page(find(at_address, "SG13 8EQ").get_data(as_text=True))

    assert "We could not find any addresses for SG13 8EQ. Enter your address below." in text_of(soup)
    assert fields(soup) == {"line1": "", "line2": "", "town": "East Hertfordshire", "county": "Hertfordshire",
                            "postcode": "SG13 8EQ"}


def test_a_postcode_nobody_knows_is_an_error_on_the_finder(at_address):
    response = find(at_address, "SW1A 9ZZ")

    assert errors_in(response) == ["We could not find that postcode. Check it, or enter the address manually"]
    assert check_page(response.get_data(as_text=True)).find("input", id="address-lookup")["value"] == "SW1A 9ZZ"


@pytest.mark.parametrize("typed", ["SW1A", "12345", "<b>SW1A</b>"])
def test_an_invalid_postcode_is_an_error_without_a_lookup(at_address, services, typed):
    response = find(at_address, typed)

    assert errors_in(response) == ["Enter a full UK postcode, like AA3 1AB"]
    assert check_page(response.get_data(as_text=True)).find("input", id="address-lookup")["value"] == typed
    assert services.addresses.asked == []


def test_address_lookup_down_falls_back_to_the_town(at_address, services):
    services.addresses.down = True
    soup = check_page(find(at_address, "sg13 8eq").get_data(as_text=True))

    assert "We found SG13 8EQ in East Hertfordshire" in text_of(soup)
    assert fields(soup)["town"] == "East Hertfordshire" and fields(soup)["county"] == "Hertfordshire"


def _down(_postcode):
    raise PostcodeLookupUnavailable()


def test_both_lookups_down_leave_the_fields_with_the_postcode(at_address, services):
    services.addresses.down = True
    services.postcodes.lookup = _down
    soup = check_page(find(at_address, "SW1A 2AA").get_data(as_text=True))

    assert "We cannot look up your postcode at the moment. Enter your address below." in text_of(soup)
    assert fields(soup) == {"line1": "", "line2": "", "town": "", "county": "", "postcode": "SW1A 2AA"}
    save(at_address, {**fields(soup), "line1": "10 Downing Street", "town": "London"})


def test_lookup_down_when_choosing_keeps_the_postcode(at_address, services):
    find(at_address, "SW1A 2AA")
    services.addresses.down = True
    soup = check_page(choose(at_address, DOWNING_STREET).get_data(as_text=True))

    assert "We cannot look up your postcode at the moment" in text_of(soup)
    assert fields(soup)["postcode"] == "SW1A 2AA"


def test_without_the_address_lookup_the_finder_fills_the_town(at_address, services):
    services.addresses = None
    soup = check_page(find(at_address, "SG13 8EQ").get_data(as_text=True))

    assert "We found SG13 8EQ in East Hertfordshire" in text_of(soup)
    assert fields(soup)["county"] == "Hertfordshire"


def test_the_sar_subject_address_carries_the_uprn(app, client, services):
    fill(client, "sar", upto="postal-address")
    soup = check_page(post(client, "/request/sar/postal-address", {"action": "choose", "address-lookup": "SW1A 2AA",
                                                                  "address-uprn": DOWNING_STREET}).get_data(as_text=True))
    answer(client, "sar", "postal-address", {"action": "save", "address-chosen": hidden_choice(soup),
                                             **{f"address-{k}": v for k, v in fields(soup).items()}})
    steps = HAPPY_PATHS["sar"]
    for page_id, data in steps[[p for p, _ in steps].index("postal-address") + 1:]:
        answer(client, "sar", page_id, data)
    post(client, "/request/sar/check-answers", {})
    post(client, "/request/sar/confirm-email", {"code": code_from(services.mailer)})
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        payload = session.scalars(select(Submission)).one().payload
    assert payload["subject"]["address"]["uprn"] == DOWNING_STREET
    jsonschema.validate(payload, SCHEMA)

