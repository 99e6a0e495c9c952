"""The Disclosure Log in Chromium against the live server: each page state (search, results, filters applied,
a 200-character query, no results, results in other word forms, a date error, a deep page, sorted, 50 a page,
on a 320 px phone with the filters hidden and shown, an entry with its document and related entries reached
from a search, a withdrawn entry, a download refused for its date, the downloads) as a person sees it, with
axe-core (WCAG 2.2 A and AA) with JavaScript and without; filtering, sorting and page size without JavaScript,
the state in the URL; the filter button and searching with the keyboard only; where the first result is on a
phone.

The states are registered in disclosure_log/browser_pages.py, so the shell's checks (styles, CSP) visit them too."""
from __future__ import annotations

import datetime as dt
import gzip
import re
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from disclosure_log import browser_pages as log
from tests.browser.test_capture_browser import tab_to
from tests.browser.states import check_with_javascript, check_without_javascript
from tests.browser.test_shell_accessibility import focused, has_govuk_focus_style

pytestmark = pytest.mark.browser

CHECKS = {check.name: check for check in log.CHECKS}
SEARCH_HEADING = "Search published responses"
RESULT_LINKS = "ol.app-results > li h3 a"
COUNT = re.compile(r"^([\d,]+) results?")
FIRST_SCREENS = 1000  # px from the top of a 320 x 568 phone page: under two screens (it was 1,800 px; 929 now)


# Helpers ------------------------------------------------------------------------------------

def result_count(page: Page) -> int:
    return int(COUNT.match(page.locator("#results-count").inner_text()).group(1).replace(",", ""))


def query_of(page: Page) -> dict[str, list[str]]:
    """The search in the address bar, less what the form sends empty or at its default."""
    query = parse_qs(urlsplit(page.url).query)
    if query.get("sort") == ["relevance"]:
        del query["sort"]
    if query.get("per_page") == ["20"]:
        del query["per_page"]
    return query


def follow(page: Page, name: str, role: str = "link") -> None:
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


# What a person sees in each state, besides what every GOV.UK page has -----------------------------------

def searched(page: Page, query: str, *, javascript: bool, filters_shown: bool = True) -> None:
    expect(page.locator("h1")).to_have_text(SEARCH_HEADING)
    expect(page.get_by_label("Search", exact=True)).to_have_value(query)
    apply = page.get_by_role("button", name="Apply filters")
    expect(apply).to_be_visible() if filters_shown else expect(apply).to_be_hidden()
    if query:
        assert page.title().startswith(f"{SEARCH_HEADING}: {query[:40]}")


def every_entry(page: Page, javascript: bool) -> None:
    searched(page, "", javascript=javascript)
    assert result_count(page) == log.TOPIC_ENTRIES + log.OTHER_ENTRIES + 1  # the withdrawn one is not there
    expect(page.locator(RESULT_LINKS)).to_have_count(20)


def results(page: Page, javascript: bool) -> None:
    searched(page, log.TOPIC, javascript=javascript)
    assert result_count(page) == log.TOPIC_ENTRIES + 1
    first = page.locator("ol.app-results > li").first
    expect(first.locator("h3 a")).to_have_attribute("href", re.compile(r"^/disclosure-log/FOI-BROWSER-"))
    expect(first.locator("mark").first).to_have_text(re.compile("^allotment$", re.I))  # the snippet's match
    expect(page.get_by_role("navigation", name="Results pages")).to_be_visible()


def filters_applied(page: Page, javascript: bool) -> None:
    searched(page, log.TOPIC, javascript=javascript)
    assert 0 < result_count(page) < log.TOPIC_ENTRIES
    expect(page.get_by_role("checkbox", name=re.compile(r"^Refused \(\d+\)$"))).to_be_checked()
    removes = page.locator(".app-selected-filters a")
    expect(removes).to_have_text(["Remove filter Department: Place", "Remove filter Outcome: Refused",
                                  "Remove filter Published from"])
    for meta in page.locator(".app-result__meta").all_inner_texts():
        assert "Refused" in meta
    expect(page.get_by_role("link", name="Clear all filters")).to_have_attribute("href", "/disclosure-log?q=allotment")


def long_query(page: Page, javascript: bool) -> None:
    searched(page, log.LONG_QUERY, javascript=javascript)
    assert len(log.LONG_QUERY) == 200
    assert result_count(page) == 1
    box = page.get_by_label("Search", exact=True).bounding_box()
    assert box["width"] <= page.locator("main").bounding_box()["width"]  # the box fits; the query scrolls in it


def no_results(page: Page, javascript: bool) -> None:
    searched(page, log.NO_MATCH, javascript=javascript)
    assert result_count(page) == 0
    expect(page.get_by_text("There are no published responses matching your search.")).to_be_visible()
    expect(page.get_by_role("button", name="Make a request")).to_have_attribute(
        "href", "/request/foi?about=zeppelin+hangar")


def other_word_forms(page: Page, javascript: bool) -> None:
    searched(page, log.OTHER_FORMS, javascript=javascript)
    assert result_count(page) == log.TOPIC_ENTRIES + 1  # "plots" in every topic entry and the documented one
    expect(page.locator("#as-typed")).to_have_text(re.compile(
        r"^These results include other forms of 'plot', such as 'plots'\.\s+"
        r"Show only the 1 result for 'plot' exactly as you typed it$"))
    follow(page, "Show only the 1 result for 'plot' exactly as you typed it")
    searched(page, '"plot"', javascript=javascript)
    assert result_count(page) == 1 and page.locator("#as-typed").count() == 0
    expect(page.locator("ol.app-results mark").first).to_have_text("plot")


def date_error(page: Page, javascript: bool) -> None:
    message = "Published from must be a real date"
    assert page.title().startswith(f"Error: {SEARCH_HEADING}")
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#from-day")
    expect(page.locator("#from-error")).to_contain_text(message)
    expect(page.get_by_role("group", name="Published from").get_by_label("Day")).to_have_value("31")
    expect(page.locator("#from-day")).to_have_class(re.compile("govuk-input--error"))
    assert result_count(page) == log.TOPIC_ENTRIES + log.OTHER_ENTRIES + 1  # the bad date is left out, not fatal
    if javascript:
        expect(summary).to_be_focused()
        summary.get_by_role("link", name=message).click()
        expect(page.locator("#from-day")).to_be_focused()


def deep_page(page: Page, javascript: bool) -> None:
    searched(page, log.TOPIC, javascript=javascript)
    assert "(page 4 of 6)" in page.title()
    expect(page.locator("#results-count")).to_contain_text("Showing 61 to 80")
    pages = page.get_by_role("navigation", name="Results pages")
    expect(pages.locator("[aria-current=page]")).to_have_text("4")
    expect(pages.get_by_role("link", name=re.compile("^Previous"))).to_have_attribute(
        "href", "/disclosure-log?q=allotment&page=3")
    expect(pages.get_by_role("link", name=re.compile("^Next"))).to_have_attribute(
        "href", "/disclosure-log?q=allotment&page=5")
    expect(page.locator("ol.app-results")).to_have_attribute("start", "61")


def sorted_oldest(page: Page, javascript: bool) -> None:
    searched(page, log.TOPIC, javascript=javascript)
    expect(page.get_by_label("Sort by")).to_have_value("oldest")
    published = [dt.datetime.strptime(re.search(r"Published (\d+ \w+ \d{4})", meta).group(1), "%d %B %Y")
                 for meta in page.locator(".app-result__meta").all_inner_texts()]
    assert len(published) == 20 and published == sorted(published)
    sort = page.get_by_label("Sort by").bounding_box()
    assert sort["y"] < page.locator("ol.app-results").bounding_box()["y"]  # sort is above the results


def fifty_a_page(page: Page, javascript: bool) -> None:
    searched(page, log.TOPIC, javascript=javascript)
    expect(page.locator(RESULT_LINKS)).to_have_count(50)
    expect(page.locator("#results-count")).to_contain_text("Showing 51 to 100")
    expect(page.get_by_label("Results per page")).to_have_value("50")
    expect(page.get_by_role("navigation", name="Results pages").get_by_role("link", name=re.compile("^Next"))) \
        .to_have_attribute("href", "/disclosure-log?q=allotment&per_page=50&page=3")


def first_result_top(page: Page) -> float:
    return page.locator("ol.app-results > li").first.bounding_box()["y"] + page.evaluate("window.scrollY")


def on_a_phone(page: Page, javascript: bool) -> None:
    toggle = page.get_by_role("button", name="Filter", exact=True)
    if javascript:  # GOV.UK's filter pattern: the results first, the filters behind a button
        searched(page, log.TOPIC, javascript=javascript, filters_shown=False)
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(page.locator("#filters")).to_be_hidden()
        assert first_result_top(page) < FIRST_SCREENS, first_result_top(page)
    else:
        searched(page, log.TOPIC, javascript=javascript)
        expect(toggle).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= log.PHONE["width"]  # no sideways scrolling


def on_a_phone_filters_shown(page: Page, javascript: bool) -> None:
    searched(page, log.TOPIC, javascript=javascript)
    if javascript:
        expect(page.get_by_role("button", name="Filter (1 applied)", exact=True)).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("checkbox", name=re.compile(r"^Refused \(\d+\)$"))).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= log.PHONE["width"]


def download_date_error(page: Page, javascript: bool) -> None:
    expect(page.locator("h1")).to_have_text("Check the dates in your search")
    expect(page.locator("main")).to_contain_text("Published from must be a real date")
    expect(page.get_by_role("link", name="Correct the dates in your search")).to_have_attribute(
        "href", re.compile(r"^/disclosure-log\?from-day=31&from-month=2&from-year=2024$"))


def entry_from_a_search(page: Page, javascript: bool) -> None:
    entry(page, javascript)
    expect(page.get_by_role("link", name="Back to search results")).to_have_attribute(
        "href", "/disclosure-log?q=allotment&page=2")


def entry(page: Page, javascript: bool) -> None:
    expect(page.locator("h1")).to_have_text("Allotment plots let and empty, by site")
    expect(page.locator(".govuk-summary-list")).to_contain_text(log.DOCUMENTED)
    expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    document = page.get_by_role("link", name="allotment-sites.csv")
    expect(document).to_have_attribute("href", re.compile(rf"^/disclosure-log/{log.DOCUMENTED}/files/\d+/"))
    download = page.request.get(document.get_attribute("href"))
    assert download.status == 200 and download.body() == log.DOCUMENTS[0][1]
    related = page.get_by_role("complementary", name="Related responses")
    expect(related.get_by_role("link")).to_have_count(5)


def withdrawn(page: Page, javascript: bool) -> None:
    expect(page.locator("h1")).to_have_text("This response has been withdrawn")
    expect(page.locator("main")).to_contain_text("It named people who had not agreed to it.")
    expect(page.locator("main")).not_to_contain_text("The figures for each allotment site")


def not_found(page: Page, javascript: bool) -> None:
    expect(page.locator("h1")).to_have_text("Page not found")


def downloads(page: Page, javascript: bool) -> None:
    links = page.locator("main ul a")
    expect(links).to_have_text(["Every response (CSV, gzip)", "Every response (JSON lines, gzip)"])
    csv = page.request.get(links.first.get_attribute("href"))
    assert csv.status == 200
    assert log.DOCUMENTED in gzip.decompress(csv.body()).decode("utf-8-sig")


SEEN: dict[str, Callable[[Page, bool], None]] = {
    "disclosure log search": every_entry,
    "disclosure log results": results,
    "disclosure log filters applied": filters_applied,
    "disclosure log long query": long_query,
    "disclosure log no results": no_results,
    "disclosure log other word forms": other_word_forms,
    "disclosure log date error": date_error,
    "disclosure log deep page": deep_page,
    "disclosure log sorted oldest first": sorted_oldest,
    "disclosure log fifty a page": fifty_a_page,
    "disclosure log on a phone": on_a_phone,
    "disclosure log on a phone, filters shown": on_a_phone_filters_shown,
    "disclosure log download with a date error": download_date_error,
    "disclosure log entry from a search": entry_from_a_search,
    "disclosure log entry": entry,
    "disclosure log entry withdrawn": withdrawn,
    "disclosure log entry not found": not_found,
    "disclosure log downloads": downloads,
}


def test_every_registered_state_is_checked_here():
    assert set(SEEN) == set(CHECKS)


# 1. Every state, with JavaScript and without, with axe ------------------------------------------------------

@pytest.mark.parametrize("name", SEEN)
def test_state_with_javascript(page, live_server, name):
    check_with_javascript(page, live_server, CHECKS[name], SEEN[name])


@pytest.mark.parametrize("name", SEEN)
def test_state_without_javascript(page, live_server, name):
    check_without_javascript(page, live_server, CHECKS[name], SEEN[name])


# 2. Filtering without JavaScript: one GET form, the whole state in the URL ------------------------------------

def test_filters_narrow_the_results_without_javascript(page_without_js, live_server):
    page = page_without_js
    log.ensure_log(live_server)
    page.goto(live_server.url(log.search_path(q=log.TOPIC)))
    everything = result_count(page)

    page.get_by_role("group", name="Outcome").get_by_role("checkbox", name=re.compile(r"^Refused \(")).check()
    page.locator("summary", has_text="Department").click()  # a native <details>: it opens without scripts
    page.get_by_role("group", name="Department").get_by_role("checkbox", name=re.compile(r"^Place \(")).check()
    follow(page, "Apply filters", role="button")

    assert query_of(page) == {"q": [log.TOPIC], "outcome": ["Refused"], "department": ["Place"]}
    narrowed = result_count(page)
    assert 0 < narrowed < everything
    assert all("Refused" in meta for meta in page.locator(".app-result__meta").all_inner_texts())
    expect(page.get_by_role("checkbox", name=re.compile(r"^Refused \("))).to_be_checked()

    page.reload()  # the URL alone brings the same search back
    assert result_count(page) == narrowed

    with page.expect_navigation():
        page.get_by_role("link", name="Remove filter Outcome: Refused", exact=True).click()
    assert query_of(page) == {"q": [log.TOPIC], "department": ["Place"]}
    assert narrowed < result_count(page) <= everything
    follow(page, "Clear all filters")
    assert query_of(page) == {"q": [log.TOPIC]} and result_count(page) == everything


def test_pages_follow_on_without_javascript(page_without_js, live_server):
    page = page_without_js
    log.ensure_log(live_server)
    page.goto(live_server.url(log.search_path(q=log.TOPIC, page="4")))
    first_on_four = page.locator(RESULT_LINKS).first.inner_text()
    follow(page, "Next page")
    assert query_of(page)["page"] == ["5"]
    follow(page, "Previous page")
    assert query_of(page)["page"] == ["4"]
    assert page.locator(RESULT_LINKS).first.inner_text() == first_on_four  # the same order each time


def test_sort_and_a_date_range_are_kept_in_the_url_without_javascript(page_without_js, live_server):
    page = page_without_js
    log.ensure_log(live_server)
    page.goto(live_server.url(log.search_path(q=log.TOPIC)))
    page.get_by_label("Sort by").select_option("Oldest first")
    to_date = page.get_by_role("group", name="Published to")
    for part, value in (("Day", "31"), ("Month", "12"), ("Year", "2022")):
        to_date.get_by_label(part, exact=True).fill(value)
    follow(page, "Apply filters", role="button")
    assert query_of(page)["sort"] == ["oldest"] and query_of(page)["to-year"] == ["2022"]
    published = [re.search(r"Published (\d+ \w+ \d{4})", meta).group(1)
                 for meta in page.locator(".app-result__meta").all_inner_texts()]
    assert published and all(date.endswith("2022") for date in published)


def test_sort_and_page_size_work_on_their_own_without_javascript(page_without_js, live_server):
    page = page_without_js
    log.ensure_log(live_server)
    page.goto(live_server.url(log.search_path(q=log.TOPIC, outcome="Refused")))
    page.get_by_label("Sort by").select_option("Newest first")
    follow(page, "Sort", role="button")
    assert query_of(page) == {"q": [log.TOPIC], "outcome": ["Refused"], "sort": ["newest"]}
    expect(page.get_by_role("checkbox", name=re.compile(r"^Refused \("))).to_be_checked()
    page.get_by_label("Results per page").select_option("50")
    follow(page, "Show results", role="button")
    assert query_of(page) == {"q": [log.TOPIC], "outcome": ["Refused"], "sort": ["newest"], "per_page": ["50"]}
    assert result_count(page) == page.locator(RESULT_LINKS).count()  # fewer than 50 refused: all on one page
    expect(page.get_by_label("Sort by")).to_have_value("newest")


def test_an_entry_goes_back_to_the_search_it_was_found_by(page, live_server):
    log.ensure_log(live_server)
    page.goto(live_server.url(log.search_path(q=log.TOPIC, page="3", sort="oldest")))
    searched_for = query_of(page)
    with page.expect_navigation():
        page.locator(RESULT_LINKS).first.click()
    follow(page, "Back to search results")
    assert urlsplit(page.url).path == log.SEARCH and query_of(page) == searched_for
    expect(page.locator("#results-count")).to_contain_text("Showing 41 to 60")


def test_at_320px_the_first_result_is_on_the_first_screens_with_javascript(page, live_server):
    log.ensure_log(live_server)
    page.set_viewport_size(log.PHONE)
    page.goto(live_server.url(log.search_path(q=log.TOPIC)))
    hidden = first_result_top(page)
    page.get_by_role("button", name="Filter", exact=True).click()
    shown = first_result_top(page)
    assert hidden < FIRST_SCREENS < shown, (hidden, shown)  # the filters are long: they were what was in the way
    page.set_viewport_size({"width": 1024, "height": 768})  # wider: no button, the filters beside the results
    expect(page.get_by_role("button", name="Filter", exact=True)).to_be_hidden()
    expect(page.locator("#filters")).to_be_visible()


# 3. The keyboard only ------------------------------------------------------------------------------------------

def test_the_filter_button_with_the_keyboard_only(page, live_server):
    log.ensure_log(live_server)
    page.set_viewport_size(log.PHONE)
    page.goto(live_server.url(log.search_path(q=log.TOPIC)))
    toggle = page.get_by_role("button", name="Filter", exact=True)
    tab_to(page, toggle)
    assert has_govuk_focus_style(focused(page)), focused(page)
    expect(toggle).to_have_attribute("aria-controls", "filters")
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#filters")).to_be_visible()
    refused = page.get_by_role("group", name="Outcome").get_by_role("checkbox", name=re.compile(r"^Refused \("))
    tab_to(page, refused)
    page.keyboard.press("Space")
    apply = page.get_by_role("button", name="Apply filters")
    tab_to(page, apply)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_of(page) == {"q": [log.TOPIC], "outcome": ["Refused"]}
    toggle = page.get_by_role("button", name="Filter (1 applied)", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")  # the results first again
    tab_to(page, toggle)
    page.keyboard.press("Space")
    expect(page.locator("#filters")).to_be_visible()
    page.keyboard.press("Space")
    expect(page.locator("#filters")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")


def test_search_with_the_keyboard_only(page, live_server):
    log.ensure_log(live_server)
    page.goto(live_server.url(log.SEARCH))
    box = page.get_by_label("Search", exact=True)
    tab_to(page, box)
    assert has_govuk_focus_style(focused(page)), focused(page)
    page.keyboard.type("allotment soil")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in the box submits the form
    assert query_of(page)["q"] == ["allotment soil"]
    expect(page.locator("h1")).to_have_text(SEARCH_HEADING)

    page.goto(live_server.url(log.search_path(q=log.TOPIC)))
    refused = page.get_by_role("group", name="Outcome").get_by_role("checkbox", name=re.compile(r"^Refused \("))
    tab_to(page, refused)
    page.keyboard.press("Space")
    expect(refused).to_be_checked()
    apply = page.get_by_role("button", name="Apply filters")
    tab_to(page, apply)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert query_of(page)["outcome"] == ["Refused"]

    first = page.locator(RESULT_LINKS).first
    tab_to(page, first, limit=120)
    assert has_govuk_focus_style(focused(page)), focused(page)
    title = first.inner_text()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(title)
