"""Capture's "Before you ask" in Chromium, with axe-core (WCAG 2.2 A and AA) on each state: the notice on the
description page; without JavaScript, the published responses on a page of their own before the next question
(through to the confirmation, a change link included); with JavaScript, the closest ones in a live region
while the person types; and a search of the log that found nothing starting a request with its words."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from disclosure_log import browser_pages as log
from tests.browser.test_capture_browser import Journey, ScriptsOff, axe, eir, foi

pytestmark = pytest.mark.browser

DESCRIPTION = "How many allotment plots in Royston stood empty last summer?"
PUBLISHED = "These published responses might answer your question"
FOI_QUESTION = "What information do you want?"
EIR_QUESTION = "What environmental information do you want?"
FOI_LAW = "section 21 of the Freedom of Information Act 2000"
EIR_LAW = "regulation 6(1)(b) of the Environmental Information Regulations 2004"
NEW_TAB = re.compile(r"^.+ \(opens in new tab\)$")


@pytest.fixture(autouse=True)
def published_log(live_server):
    log.ensure_log(live_server)


def to_the_description(journey: Journey, question: str, *, started: bool = False) -> tuple[list, dict]:
    """Start the form and answer up to the description; the steps after it, and the answers to check."""
    steps, rows = {"foi": foi, "eir": eir}[journey.form_id](journey.email)
    index = next(i for i, step in enumerate(steps) if step.page_id == "request-description")
    if not started:
        journey.start()
    journey.walk(steps[:index])
    journey.at("request-description", question)
    return steps[index + 1:], rows


def links_open_in_a_new_tab(links) -> None:
    expect(links.first).to_be_visible()
    assert 1 <= links.count() <= 5
    for link in links.all():
        expect(link).to_have_text(NEW_TAB)
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("href", re.compile(r"^/disclosure-log/[A-Z]"))


def notice_shown(page: Page, law: str) -> None:
    notice = page.locator(".app-before-you-ask")
    expect(notice).to_contain_text(f"we may refuse your request because you can get it another way ({law})")
    search = notice.get_by_role("link", name="Search published responses (opens in new tab)")
    expect(search).to_have_attribute("href", "/disclosure-log")
    expect(search).to_have_attribute("target", "_blank")


def published_responses_shown(journey: Journey, law: str) -> None:
    page = journey.page
    journey.at("request-description/published-responses", PUBLISHED)
    links_open_in_a_new_tab(page.locator("main ul a"))
    expect(page.locator("main")).to_contain_text(law)
    journey.audit("published responses")


def test_published_responses_before_the_next_question_without_javascript(page, live_server, services, email):
    journey = Journey(page, live_server, services, "foi", email, javascript=False, errors=False,
                      auditor=ScriptsOff(page))
    after, rows = to_the_description(journey, FOI_QUESTION)
    notice_shown(page, FOI_LAW)
    journey.audit("request description, before you ask")
    page.get_by_label(FOI_QUESTION, exact=True).fill(DESCRIPTION)
    journey.press("Continue")

    published_responses_shown(journey, FOI_LAW)
    first = page.locator("main ul a").first
    title = first.inner_text().removesuffix(" (opens in new tab)")
    with page.context.expect_page() as opened:
        first.click()
    expect(opened.value.locator("h1")).to_have_text(title)
    opened.value.close()
    journey.press("Continue with my request")
    journey.walk(after)

    journey.at("check-answers", "Check your answers before sending your request")
    journey.follow("Change information requested")
    description = page.get_by_label(FOI_QUESTION, exact=True)
    expect(description).to_have_value(DESCRIPTION)
    description.fill(DESCRIPTION + " And what rent the council charged for a plot.")
    journey.press("Continue")
    published_responses_shown(journey, FOI_LAW)
    expect(page).to_have_url(re.compile(r"\?change=1$"))
    journey.press("Continue with my request")
    journey.check_answers({**rows, "Information requested": "what rent the council charged"})
    journey.confirm_with_code()
    journey.confirmation()


def test_closest_published_responses_appear_while_typing(page, live_server, services, email):
    journey = Journey(page, live_server, services, "eir", email, errors=False, auditor=axe)
    after, rows = to_the_description(journey, EIR_QUESTION)
    notice_shown(page, EIR_LAW)
    region = page.locator("[data-related-results]")
    expect(region).to_have_attribute("aria-live", "polite")

    asked = []
    page.on("request", lambda request: asked.append(request) if request.url.endswith("/related") else None)
    field = page.get_by_label(EIR_QUESTION, exact=True)
    field.press_sequentially("Allotment soil", delay=20)
    page.wait_for_timeout(800)
    assert asked == [] and region.inner_text() == ""  # fewer than three words: nothing is asked
    with page.expect_response(lambda response: response.url.endswith("/related")) as answered:
        field.press_sequentially(" tests in Royston", delay=20)
    assert answered.value.status == 200 and answered.value.request.method == "POST"
    assert len(asked) == 1, "each key press asked the server: the wait after typing is missing"
    expect(region.get_by_role("heading", name=PUBLISHED)).to_be_visible()
    links_open_in_a_new_tab(region.get_by_role("link"))
    expect(page.locator("input[name=related-checked]")).to_have_value("1")
    journey.audit("request description, published responses shown")

    journey.press("Continue")  # they were on show: no page of them in between
    journey.walk(after)
    journey.check_answers({**rows, "Information requested": "Allotment soil tests in Royston"})
    journey.confirm_with_code()
    journey.confirmation()


def test_text_sent_before_its_search_finished_gets_the_page(page, live_server, services, email):
    journey = Journey(page, live_server, services, "foi", email, errors=False, auditor=axe)
    to_the_description(journey, FOI_QUESTION)
    field = page.get_by_label(FOI_QUESTION, exact=True)
    with page.expect_response(lambda response: response.url.endswith("/related")):
        field.fill("Allotment plots in Tring")
    expect(page.locator("input[name=related-checked]")).to_have_value("1")
    field.fill(DESCRIPTION)  # typed on, and sent at once: what is shown is not for this text
    expect(page.locator("input[name=related-checked]")).to_have_value("")
    journey.press("Continue")
    published_responses_shown(journey, FOI_LAW)  # with JavaScript on, as axe sees it
    journey.press("Continue with my request")
    journey.at("environmental", "Is your request about the environment?")


def test_a_search_that_found_nothing_starts_the_request(page, live_server, services, email):
    journey = Journey(page, live_server, services, "foi", email, errors=False, auditor=axe)
    page.goto(live_server.url(log.search_path(q=log.NO_MATCH)))
    with page.expect_navigation():
        page.get_by_role("button", name="Make a request").click()
    expect(page).to_have_url(re.compile(r"/request/foi\?about=zeppelin\+hangar$"))
    expect(page.locator("h1")).to_have_text(journey.form.title)
    journey.press("Start now")
    to_the_description(journey, FOI_QUESTION, started=True)  # every page before it is still asked
    expect(page.get_by_label(FOI_QUESTION, exact=True)).to_have_value(log.NO_MATCH)
    expect(page.locator(".govuk-inset-text")).to_have_text(re.compile("started your description with the words"))
    journey.audit("request description, started from a search")
    page.get_by_label(FOI_QUESTION, exact=True).fill("Where the council's zeppelin hangar plans stand")
    journey.press("Continue")
    journey.at("environmental", "Is your request about the environment?")
