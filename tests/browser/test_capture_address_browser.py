"""The address finder's "Select an address" in Chromium: with JavaScript and axe on every state, without
JavaScript (axe on the no-JS rendering), and with the keyboard only. The live server's address lookup is
a fake with the premises at SW1A 2AA, put back to none after each test."""
from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_capture_browser import Journey, ScriptsOff, axe, eir, press_key, tab_to
from tests.fakes import FakeAddresses

pytestmark = pytest.mark.browser

HEADING = "What is your postal address?"
DOWNING_STREET = "10 Downing Street, London, SW1A 2AA"


@pytest.fixture(autouse=True)
def addresses(services, monkeypatch) -> FakeAddresses:
    lookup = FakeAddresses()
    monkeypatch.setattr(services, "addresses", lookup)
    return lookup


@dataclasses.dataclass(frozen=True)
class SelectAddress:
    """Find by postcode, select an address (first with none selected), check the fields it fills."""
    page_id: str
    heading: str
    postcode: str
    address: str  # the radio's label

    def run(self, journey: Journey) -> None:
        page = journey.page
        journey.at(self.page_id, self.heading)
        journey.audit(f"{self.page_id}, postcode finder")
        page.get_by_label("Postcode", exact=True).fill(self.postcode)
        journey.press("Find address")
        expect(page.locator(".govuk-hint")).to_contain_text("3 addresses found for SW1A 2AA")
        journey.audit(f"{self.page_id}, select an address")
        if journey.errors:
            journey.press("Use this address")
            journey.error_shown("Select an address", "address-uprn")
            journey.audit(f"{self.page_id}, select an address error")
        page.get_by_role("radio", name=self.address, exact=True).check()
        journey.press("Use this address")
        expect(page.locator(".govuk-inset-text")).to_have_text("Check the address and change it if you need to.")
        expect(page.get_by_label("Address line 1", exact=True)).to_have_value("10 Downing Street")
        expect(page.get_by_label("Town or city", exact=True)).to_have_value("London")
        expect(page.get_by_label("Postcode", exact=True)).to_have_value("SW1A 2AA")
        journey.audit(f"{self.page_id}, address chosen")
        journey.press("Continue")


def with_select_address(email: str):
    steps, rows = eir(email)
    steps = [SelectAddress(s.page_id, s.heading, "sw1a 2aa", DOWNING_STREET) if s.page_id == "postal-address" else s
             for s in steps]
    return steps, {**rows, "Postal address": "10 Downing Street\nLondon\nSW1A 2AA"}


def test_select_an_address_with_javascript_and_its_uprn_reaches_the_case_system(page, live_server, services, email):
    journey = Journey(page, live_server, services, "eir", email, auditor=axe)
    reference = journey.submit(*with_select_address(email))

    payload = dict(services.case_system.delivered)[reference]
    assert payload["requester"]["address"]["uprn"] == "100023336956"


def test_select_an_address_without_javascript(page, live_server, services, email):
    """axe on each state as a browser without JavaScript renders it; errors shown without script."""
    journey = Journey(page, live_server, services, "eir", email, javascript=False, auditor=ScriptsOff(page))
    journey.submit(*with_select_address(email))


def test_cannot_find_the_address_and_change_the_postcode_without_javascript(page_without_js, live_server, services,
                                                                            email):
    page = page_without_js
    journey = Journey(page, live_server, services, "eir", email, javascript=False, errors=False)
    steps, _rows = eir(email)
    journey.start()
    journey.walk(steps, until="postal-address")
    page.get_by_label("Postcode", exact=True).fill("SW1A2AA")
    journey.press("Find address")
    journey.follow("change the postcode")
    journey.at("postal-address", HEADING)
    page.get_by_label("Postcode", exact=True).fill("sw1a 2aa")
    journey.press("Find address")
    journey.press("I cannot find the address in the list")
    expect(page.get_by_label("Postcode", exact=True)).to_have_value("SW1A 2AA")
    expect(page.get_by_label("Address line 1", exact=True)).to_have_value("")
    page.get_by_label("Address line 1", exact=True).fill("Flat 1, 12 Downing Street")
    page.get_by_label("Town or city", exact=True).fill("London")
    journey.press("Continue")
    journey.at("request-description", "What environmental information do you want?")


def test_select_an_address_with_the_keyboard_only(page, live_server, services, email):
    journey = Journey(page, live_server, services, "eir", email, errors=False)
    steps, _rows = eir(email)
    journey.start()
    journey.walk(steps, until="postal-address")

    tab_to(page, page.get_by_label("Postcode", exact=True))
    page.keyboard.type("SW1A 2AA")
    press_key(page, "Enter")  # the finder's only button: Find address
    expect(page.locator(".govuk-hint")).to_contain_text("3 addresses found for SW1A 2AA")

    tab_to(page, page.get_by_role("radio", name=DOWNING_STREET, exact=True))  # Tab enters the group once
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name=DOWNING_STREET, exact=True)).to_be_checked()
    press_key(page, "Enter")  # Enter in the form: its first button, Use this address
    expect(page.get_by_label("Address line 1", exact=True)).to_have_value("10 Downing Street")

    tab_to(page, page.get_by_role("button", name="Continue", exact=True))
    press_key(page, "Enter")
    expect(page).to_have_url(re.compile(r"/request/eir/request-description$"))
