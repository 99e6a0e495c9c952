"""Capture's other journeys in Welsh with axe on every state: save and come back later on another device, the
address finder, and a file upload with JavaScript (the upload script's words and the error in place) (the whole FOI request in Welsh is test_capture_browser.py's test_a_whole_foi_request_in_welsh)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_capture_address_browser import DOWNING_STREET
from tests.browser.test_capture_browser import CODE, EXECUTABLE_AS_PDF, PDF, mail_to
from tests.capture_helpers import HAPPY_PATHS
from tests.fakes import FakeAddresses
from tests.browser.test_shell_accessibility import assert_axe_passes


def press(page: Page, name: str, status: int = 200) -> None:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=name, exact=True).click()
    assert navigation.value.status == status, f"{name}: HTTP {navigation.value.status}"


def heading(page: Page, text: str) -> None:
    expect(page.locator("h1")).to_have_text(text)
    expect(page.locator("html")).to_have_attribute("lang", "cy")


def start_in_welsh(page: Page, live_server, form_id: str, email: str, next_page: str) -> None:
    """From the Welsh start page through the name and email questions (each form's first two)."""
    page.goto(live_server.url(f"/request/{form_id}?lang=cy"))
    press(page, "Dechrau nawr")
    page.locator("#full_name").fill("Siân Evans")
    press(page, "Parhau")
    page.locator("#email").fill(email)
    press(page, "Parhau")
    expect(page).to_have_url(re.compile(rf"/request/{form_id}/{next_page}\?lang=cy$"))


def test_save_and_come_back_later_in_welsh_on_another_device(page, browser, live_server, services, email):
    start_in_welsh(page, live_server, "enquiry", email, "topic")

    press(page, "Cadw a dod yn ôl yn nes ymlaen")
    heading(page, "Cadw eich atebion a dod yn ôl yn nes ymlaen")
    assert_axe_passes(page, "enquiry in Welsh: save and come back later")
    press(page, "Cadw ac anfon y ddolen ataf drwy e-bost")
    heading(page, "Rydym wedi cadw eich atebion")
    assert_axe_passes(page, "enquiry in Welsh: saved")
    link = re.search(r"(/request/resume/\S+)", mail_to(services, email)[-1].body).group(1)
    assert link.endswith("?lang=cy"), link  # the emailed link opens in the language the request was made in

    phone = browser.new_context()  # another device: no cookies, so no language chosen there but the link's
    try:
        other = phone.new_page()
        other.goto(live_server.url(link))
        heading(other, "Parhau â’ch cais sydd wedi’i gadw")
        assert_axe_passes(other, "enquiry in Welsh: the saved request's link")
        press(other, "Anfon cod diogelwch ataf drwy e-bost")
        heading(other, "Gwiriwch eich e-bost")
        assert_axe_passes(other, "enquiry in Welsh: the saved request's code sent")
        press(other, "Parhau")
        expect(other.locator(".govuk-error-summary__title")).to_have_text("Mae problem wedi codi")
        assert other.title().startswith("Gwall: ")
        assert_axe_passes(other, "enquiry in Welsh: the saved request's code not given")
        code_email = mail_to(services, email)[-1]
        other.get_by_label("Cod diogelwch", exact=True).fill(CODE.search(code_email.body).group(1))
        press(other, "Parhau")
        expect(other).to_have_url(re.compile(r"/request/enquiry/(topic|question)\?lang=cy$"))
        assert_axe_passes(other, "enquiry in Welsh: carried on")

        broken = re.sub(r"(/request/resume/[^?\s]+)", r"\1x", link)
        other.goto(live_server.url(broken))
        heading(other, "Mae’r ddolen hon wedi dod i ben neu nid yw’n gweithio")
        assert_axe_passes(other, "enquiry in Welsh: a saved request's link that does not work")
    finally:
        phone.close()


@pytest.fixture
def addresses(services, monkeypatch) -> FakeAddresses:
    lookup = FakeAddresses()
    monkeypatch.setattr(services, "addresses", lookup)
    return lookup


def test_the_address_finder_in_welsh(page, live_server, addresses, email):
    start_in_welsh(page, live_server, "eir", email, "postal-address")
    assert_axe_passes(page, "address in Welsh: postcode finder")
    page.get_by_label("Cod post", exact=True).fill("sw1a 2aa")
    press(page, "Dod o hyd i’r cyfeiriad")
    expect(page.locator(".govuk-hint").first).to_contain_text("SW1A 2AA")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert_axe_passes(page, "address in Welsh: select an address")
    press(page, "Defnyddio’r cyfeiriad hwn")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Dewiswch gyfeiriad")
    assert page.title().startswith("Gwall: ")
    assert_axe_passes(page, "address in Welsh: no address selected")
    page.get_by_role("radio", name=DOWNING_STREET, exact=True).check()
    press(page, "Defnyddio’r cyfeiriad hwn")
    expect(page.locator(".govuk-inset-text")).to_have_text("Gwiriwch y cyfeiriad a'i newid os oes angen.")
    expect(page.get_by_label("Llinell 1 y cyfeiriad", exact=True)).to_have_value("10 Downing Street")
    assert_axe_passes(page, "address in Welsh: address chosen")
    press(page, "Parhau")
    expect(page).to_have_url(re.compile(r"/request/eir/request-description\?lang=cy$"))


def test_a_file_upload_in_welsh(page, live_server):
    """The SAR's answers up to its identity page posted with the browser's own cookies (those pages are the
    other tests'), then the upload in Welsh: chosen, sent by the upload script, listed, and a wrong file refused
    in place."""
    page.goto(live_server.url("/request/sar?lang=cy"))
    press(page, "Dechrau nawr")
    for page_id, fields in HAPPY_PATHS["sar"]:
        if page_id == "identity":
            break
        url = live_server.url(f"/request/sar/{page_id}?lang=cy")
        page.goto(url)
        token = page.locator("input[name=csrf_token]").first.get_attribute("value")
        answered = page.request.post(url, form={"csrf_token": token, **fields})
        assert answered.ok, (page_id, answered.status)
    page.goto(live_server.url("/request/sar/identity?lang=cy"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert_axe_passes(page, "upload in Welsh: the identity page")

    page.get_by_label("Dewiswch ffeil", exact=True).set_input_files(PDF)
    with page.expect_navigation(), page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        page.get_by_role("button", name="Uwchlwytho ffeil", exact=True).click()
    expect(page.get_by_role("heading", name="Ffeiliau wedi’u hychwanegu")).to_be_visible()
    expect(page.locator(".govuk-summary-list__value", has_text="passport.pdf")).to_be_visible()
    assert_axe_passes(page, "upload in Welsh: a file added")

    page.get_by_label("Ychwanegu ffeil arall", exact=True).set_input_files(EXECUTABLE_AS_PDF)
    with page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        page.get_by_role("button", name="Uwchlwytho ffeil", exact=True).click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Rhaid i’r ffeil a ddewiswyd fod yn PDF, JPG, PNG, HEIC, DOCX, ODT neu TXT")
    expect(summary.locator(".govuk-error-summary__title")).to_have_text("Mae problem wedi codi")
    assert_axe_passes(page, "upload in Welsh: a wrong file refused in place")
