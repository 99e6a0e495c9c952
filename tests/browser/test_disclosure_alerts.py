"""Disclosure Log email alerts in Chromium against the live server: each page and error state (registered in
disclosure_log/alert_browser_pages.py) as a person sees it, with axe-core (WCAG 2.2 A and AA) with JavaScript and
without; the whole journey without JavaScript, from the search page's link to the alert email's unsubscribe link;
and signing up with the keyboard only."""
from __future__ import annotations

import re
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Page, expect

from disclosure_log import alert_browser_pages as alert_pages
from disclosure_log import browser_pages as log
from disclosure_log.jobs import send_alerts
from tests.browser.test_capture_browser import tab_to
from tests.browser.states import check_with_javascript, check_without_javascript
from tests.browser.test_shell_accessibility import focused, has_govuk_focus_style
from tests.disclosure_helpers import DisclosureApi

pytestmark = pytest.mark.browser

CHECKS = {check.name: check for check in alert_pages.CHECKS}
HEADING = "Get emails about new responses"


def heading(page: Page, text: str) -> None:
    expect(page.locator("h1")).to_have_text(re.compile(rf"^\s*{re.escape(text)}\s*$"))


def described(page: Page, *lines: str) -> None:
    expect(page.locator("main ul.govuk-list--bullet li")).to_have_text(list(lines))


# What a person sees in each state ------------------------------------------------------------------------------

def sign_up(page: Page, javascript: bool) -> None:
    heading(page, HEADING)
    described(page, "Search words: allotment", "Outcome: Refused")
    expect(page.get_by_role("link", name="Back to your search")).to_have_attribute(
        "href", "/disclosure-log?q=allotment&outcome=Refused")
    email = page.get_by_label("Email address")
    expect(email).to_have_attribute("type", "email")
    expect(email).to_have_attribute("autocomplete", "email")
    how_often = page.get_by_role("group", name="How often do you want to get emails?")
    expect(how_often.get_by_role("radio")).to_have_count(2)
    expect(how_often).to_contain_text("Usually within a few minutes")


def every_response(page: Page, javascript: bool) -> None:
    heading(page, HEADING)
    expect(page.locator("main")).to_contain_text("publishes a new response to a Freedom of Information")
    expect(page.locator("main ul.govuk-list--bullet")).to_have_count(0)


def errors(page: Page, javascript: bool) -> None:
    assert page.title().startswith(f"Error: {HEADING}")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Enter your email address")).to_have_attribute("href", "#email")
    expect(summary.get_by_role("link", name="Select how often you want to get emails")).to_have_attribute(
        "href", "#frequency")
    expect(page.locator("#email-error")).to_contain_text("Enter your email address")
    expect(page.locator("#frequency-error")).to_contain_text("Select how often you want to get emails")
    if javascript:
        expect(summary).to_be_focused()
        summary.get_by_role("link", name="Select how often you want to get emails").click()
        expect(page.locator("#frequency")).to_be_focused()


def too_many_emails(page: Page, javascript: bool) -> None:
    assert page.title().startswith(f"Error: {HEADING}")
    expect(page.locator("#email-error")).to_contain_text(alert_pages.TOO_MANY_ERROR)
    expect(page.get_by_label("Email address")).to_have_value(re.compile(r"^alerts\.\w+@example\.com$"))
    expect(page.get_by_label("Once a day")).to_be_checked()


def check_email(page: Page, javascript: bool) -> None:
    heading(page, "Check your email")
    expect(page.locator("main")).to_contain_text(re.compile(r"We've sent an email to a\*\*\*@example\.com"))
    expect(page.locator("summary")).to_have_text(re.compile("I have not received the email"))


def confirm(page: Page, javascript: bool) -> None:
    heading(page, "Confirm your email alert")
    described(page, "Search words: allotment")
    expect(page.get_by_role("button", name="Confirm")).to_be_visible()


def set_up(page: Page, javascript: bool) -> None:
    heading(page, "Your email alert is set up")
    expect(page.locator(".govuk-panel")).to_be_visible()
    expect(page.locator("main")).to_contain_text("once a day, at about 7am")
    described(page, "Search words: allotment")


def too_many_alerts(page: Page, javascript: bool) -> None:
    heading(page, "You already have 50 email alerts")


def link_invalid(page: Page, javascript: bool) -> None:
    heading(page, "This link does not work")
    expect(page.get_by_role("link", name="Search published responses")).to_have_attribute("href", "/disclosure-log")


def unsubscribe(page: Page, javascript: bool) -> None:
    heading(page, "Unsubscribe from this email alert")
    described(page, "Search words: allotment", "Outcome: Refused")
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()


def unsubscribed(page: Page, javascript: bool) -> None:
    heading(page, "You've unsubscribed")
    expect(page.locator("main")).to_contain_text("We've deleted your email address from it.")


SEEN: dict[str, Callable[[Page, bool], None]] = {
    "disclosure log alert sign-up": sign_up,
    "disclosure log alert sign-up for every response": every_response,
    "disclosure log alert sign-up errors": errors,
    "disclosure log alert sign-up too many emails": too_many_emails,
    "disclosure log alert check your email": check_email,
    "disclosure log alert confirm": confirm,
    "disclosure log alert set up": set_up,
    "disclosure log alert too many alerts": too_many_alerts,
    "disclosure log alert link does not work": link_invalid,
    "disclosure log alert unsubscribe": unsubscribe,
    "disclosure log alert unsubscribed": unsubscribed,
}


def test_every_registered_state_is_checked_here():
    assert set(SEEN) == set(CHECKS)


# 1. Every state, with JavaScript and without, with axe ------------------------------------------------------

@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
@pytest.mark.parametrize("name", SEEN)
def test_each_state(page, live_server, name, javascript):
    check = check_with_javascript if javascript else check_without_javascript
    check(page, live_server, CHECKS[name], SEEN[name])


# 2. The journey without JavaScript, as the emails lead it ----------------------------------------------------

def _path_of(body: str, kind: str) -> str:
    return re.search(rf"^https?://[^/\s]+(/disclosure-log/email-alerts/{kind}/\S+)$", body, re.M).group(1)


def test_from_the_search_page_to_an_alert_email_and_unsubscribing_without_javascript(page_without_js, live_server,
                                                                                     services, email):
    page = page_without_js
    log.ensure_log(live_server)
    page.goto(live_server.url(log.search_path(q=log.TOPIC, outcome="Refused", sort="oldest")))
    with page.expect_navigation():
        page.get_by_role("link", name="Get emails about new responses that match this search").click()
    assert parse_qsl(urlsplit(page.url).query) == [("q", log.TOPIC), ("outcome", "Refused")]
    page.get_by_label("Email address").fill(email)
    page.get_by_label("As soon as they're published").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    heading(page, "Check your email")

    [confirmation] = [m for m in services.mailer.sent if m.to == email]
    page.goto(live_server.url(_path_of(confirmation.body, "confirm")))
    heading(page, "Confirm your email alert")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    heading(page, "Your email alert is set up")

    services.clock.advance(minutes=1)
    api = DisclosureApi(live_server.app)
    api.publish("FOI-BROWSER-ALERT", title="Allotment plots refused in Tring", request="Allotment plots?",
                response="Refused.", outcome="Refused")
    try:
        services.clock.advance(minutes=2)
        with live_server.app.app_context():
            assert send_alerts.call_local().get("sent", 0) >= 1
    finally:  # the other browser tests count the log's entries
        assert api.withdraw("FOI-BROWSER-ALERT").status_code == 200
    [alert] = [m for m in services.mailer.sent if m.to == email and m.unsubscribe_url]
    assert "FOI-BROWSER-ALERT, published" in alert.body

    page.goto(live_server.url(_path_of(alert.body, "unsubscribe")))
    heading(page, "Unsubscribe from this email alert")
    with page.expect_navigation():
        page.get_by_role("button", name="Unsubscribe").click()
    heading(page, "You've unsubscribed")
    page.go_back()
    page.reload()  # the link again, once the alert has gone
    heading(page, "You've unsubscribed")


# 3. The keyboard only ------------------------------------------------------------------------------------------

def test_sign_up_with_the_keyboard_only(page, live_server, email):
    page.goto(live_server.url(alert_pages.new_path(q="allotment")))
    field = page.get_by_label("Email address")
    tab_to(page, field)
    assert has_govuk_focus_style(focused(page)), focused(page)
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first choice: as soon as they're published
    expect(page.get_by_label("As soon as they're published")).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continue"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    heading(page, "Check your email")
