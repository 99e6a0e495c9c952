"""The Disclosure Log's journey in Welsh in Chromium against the live server: search, a date error, filter, an
English entry on a Welsh page, an entry with its own Welsh version, and signing up for email alerts (an error,
check your email, confirm, set up), with axe-core (WCAG 2.2 A and AA) on every state, the page's language and
the language of the English parts in it (WCAG 3.1.1 and 3.1.2) checked on the way."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from disclosure_log import browser_pages as log
from tests.browser.test_shell_accessibility import assert_axe_passes
from tests.disclosure_helpers import DisclosureApi

pytestmark = pytest.mark.browser

WELSH_ENTRY = "FOI-BROWSER-CYMRAEG"
WELSH_TITLE = "Cyflenwad dŵr i erddi cymunedol"


def heading(page: Page, text: str) -> None:
    expect(page.locator("h1")).to_have_text(re.compile(rf"^\s*{re.escape(text)}\s*$"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")


def press(page: Page, name: str, role: str = "button") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


def test_the_disclosure_log_journey_in_welsh(page, live_server, services, email):
    log.ensure_log(live_server)
    api = DisclosureApi(live_server.app)
    api.publish(WELSH_ENTRY, title="Water supply to community gardens", category="Parks", outcome="Released in full",
                request="Which community gardens have a water supply?", response="Nine of the twelve gardens do.",
                welsh={"title": WELSH_TITLE, "request": "Pa erddi cymunedol sydd â chyflenwad dŵr?",
                       "response": "Mae gan naw o’r deuddeg gardd gyflenwad dŵr."})
    try:
        _journey(page, live_server, services, email)
    finally:  # the other browser tests count the log's entries
        assert api.withdraw(WELSH_ENTRY).status_code == 200


def _journey(page: Page, live_server, services, email) -> None:
    page.goto(live_server.url(log.search_path(lang="cy")))
    heading(page, "Chwilio ymatebion a gyhoeddwyd")
    assert_axe_passes(page, "disclosure log in Welsh: search")

    page.get_by_label("Chwilio", exact=True).fill(log.TOPIC)
    press(page, "Chwilio")
    expect(page.locator("#results-count")).to_have_text(re.compile(r"^\d+ canlyniad"))
    first = page.locator("ol.app-results > li h3 a").first
    expect(first).to_have_attribute("lang", "en")  # an English entry's title on a Welsh page
    assert_axe_passes(page, "disclosure log in Welsh: results")

    page.get_by_role("group", name="Cyhoeddwyd o").get_by_label("Diwrnod").fill("31")
    page.get_by_role("group", name="Cyhoeddwyd o").get_by_label("Mis").fill("2")
    page.get_by_role("group", name="Cyhoeddwyd o").get_by_label("Blwyddyn").fill("2024")
    press(page, "Defnyddio hidlyddion")
    summary = page.locator(".govuk-error-summary")
    expect(summary.locator(".govuk-error-summary__title")).to_have_text("Mae problem wedi codi")
    expect(summary.get_by_role("link")).to_have_text("Rhaid i’r dyddiad ‘Cyhoeddwyd o’ fod yn ddyddiad go iawn")
    assert page.title().startswith("Gwall: ")
    assert_axe_passes(page, "disclosure log in Welsh: date error")

    for part in ("Diwrnod", "Mis", "Blwyddyn"):
        page.get_by_role("group", name="Cyhoeddwyd o").get_by_label(part).fill("")
    page.get_by_label(re.compile(r"^Gwrthodwyd \(\d+\)$")).check()  # the outcome in Welsh, its value English
    press(page, "Defnyddio hidlyddion")
    assert "outcome=Refused" in page.url and "lang=" not in page.url  # the cookie keeps the language
    expect(page.get_by_role("link", name="Dileu’r hidlydd Canlyniad: Gwrthodwyd")).to_be_visible()
    assert_axe_passes(page, "disclosure log in Welsh: filtered")

    entry_title = page.locator("ol.app-results > li h3 a").first.inner_text()
    press(page, entry_title, "link")
    expect(page.locator("h1")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("link", name="Yn ôl i’r canlyniadau chwilio")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Gwrthodwyd")
    assert_axe_passes(page, "disclosure log in Welsh: an English entry")

    press(page, "Yn ôl i’r canlyniadau chwilio", "link")
    press(page, "Clirio pob hidlydd", "link")
    page.get_by_label("Chwilio", exact=True).fill("erddi")
    press(page, "Chwilio")
    expect(page.locator("#results-count")).to_have_text("1 canlyniad")
    press(page, WELSH_TITLE, "link")
    heading(page, WELSH_TITLE)
    expect(page.locator("h1")).not_to_have_attribute("lang", re.compile(".*"))
    expect(page.locator("main")).to_contain_text("Mae gan naw o’r deuddeg gardd gyflenwad dŵr.")
    assert_axe_passes(page, "disclosure log in Welsh: an entry with its own Welsh version")

    press(page, "Yn ôl i’r canlyniadau chwilio", "link")
    press(page, "Cael negeseuon e-bost am ymatebion newydd sy’n cyfateb i’r chwiliad hwn", "link")
    heading(page, "Cael negeseuon e-bost am ymatebion newydd")
    expect(page.locator("main ul.govuk-list--bullet li")).to_have_text(["Geiriau chwilio: erddi"])
    assert_axe_passes(page, "disclosure log in Welsh: alert sign-up")

    press(page, "Parhau")
    expect(page.locator(".govuk-error-summary__title")).to_have_text("Mae problem wedi codi")
    expect(page.locator("#email-error")).to_contain_text("Rhowch eich cyfeiriad e-bost")
    assert page.title().startswith("Gwall: ")
    assert_axe_passes(page, "disclosure log in Welsh: alert sign-up errors")

    page.get_by_label("Cyfeiriad e-bost").fill(email)
    page.get_by_label("Unwaith y dydd").check()
    press(page, "Parhau")
    heading(page, "Gwiriwch eich e-bost")
    assert_axe_passes(page, "disclosure log in Welsh: check your email")

    [confirmation] = [m for m in services.mailer.sent if m.to == email]
    assert confirmation.subject == "Cadarnhau eich hysbysiad e-bost"
    link = re.search(r"^(https?://\S+/disclosure-log/email-alerts/confirm/\S+)$", confirmation.body, re.M).group(1)
    assert link.endswith("?lang=cy")
    address = urlsplit(link)
    page.goto(live_server.url(f"{address.path}?{address.query}"))
    heading(page, "Cadarnhau eich hysbysiad e-bost")
    assert_axe_passes(page, "disclosure log in Welsh: confirm the alert")
    press(page, "Cadarnhau")
    heading(page, "Mae eich hysbysiad e-bost wedi’i drefnu")
    expect(page.locator("main")).to_contain_text("unwaith y dydd, tua 7yb")
    assert_axe_passes(page, "disclosure log in Welsh: alert set up")
