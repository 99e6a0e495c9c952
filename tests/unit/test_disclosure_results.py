"""How the Disclosure Log's results read and are moved through: page size, the result line, sort above the results,
the filters' toggle, and an entry's way back to the search it was found by (issue 14 items 8 and 9)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.disclosure_helpers import (NEWEST_FIRST, bulk_entry, bulk_newest_first, found, import_lines, refs, search,
                                      total_shown)
from tests.disclosure_helpers import api, corpus  # noqa: F401 - fixtures
from tests.pages import text_of


@pytest.fixture
def many(app, tmp_path):
    """120 entries, all with the word "bulk" in the title."""
    import_lines(app, tmp_path, [bulk_entry(n) for n in range(120)])


def pagination_links(soup) -> list[str]:
    return [a["href"] for a in soup.select("nav.govuk-pagination a")]


# Page size --------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [50, 100])
def test_a_page_size_shows_that_many_and_paging_keeps_it(client, many, size):
    soup = search(client, q="bulk", sort="newest", per_page=str(size))
    assert found(soup) == bulk_newest_first(120)[:size]
    assert f"Showing 1 to {size}" in text_of(soup.find(id="results-count"))
    assert soup.find("select", id="per_page").find("option", selected=True)["value"] == str(size)
    next_page = soup.select_one(".govuk-pagination__next a")["href"]
    assert parse_qs(urlsplit(next_page).query) == {"q": ["bulk"], "sort": ["newest"], "per_page": [str(size)],
                                                    "page": ["2"]}
    second = client.get_page(next_page)
    assert found(second) == bulk_newest_first(120)[size:2 * size]
    assert second.find("ol", class_="app-results")["start"] == str(size + 1)


@pytest.mark.parametrize("asked", ["20", "37", "1000", "0", "-50", "fifty", "²", "9" * 30])
def test_a_page_size_the_page_does_not_offer_shows_twenty(client, many, asked):
    soup = search(client, q="bulk", per_page=asked)
    assert len(found(soup)) == 20 and "Showing 1 to 20" in text_of(soup.find(id="results-count"))
    assert not soup.select(".govuk-error-summary")  # as an unknown sort is: the select offers only these
    assert all("per_page" not in link for link in pagination_links(soup))
    assert soup.find("select", id="per_page").find("option", selected=True)["value"] == "20"


def test_the_page_size_is_offered_only_when_there_is_more_than_a_page(client, corpus):
    soup = search(client)
    assert soup.find("select", id="per_page") is None and soup.find("select", id="sort") is not None


@pytest.mark.parametrize("page", ["²", "٣", "1.0", "+2"])
def test_a_page_number_in_other_digits_shows_the_first_page(client, corpus, page):
    assert refs(client, page=page) == NEWEST_FIRST  # "²".isdigit() is True, and int("²") a ValueError


# The result line --------------------------------------------------------------------------

def test_each_result_shows_its_category_and_department(client, api):
    api.publish("FOI-1", category="Highways", department="Place")
    api.publish("FOI-2", category="Housing", department="", title="Housing repairs in Ware")
    meta = {found(search(client, q=q))[0]: text_of(search(client, q=q).select_one(".app-result__meta"))
            for q in ("pothole", "housing")}
    assert "Category: Highways · Department: Place" in meta["FOI-1"]
    assert meta["FOI-1"].startswith("FOI-1 · FOI · Released in full · Published 1 June 2026")
    assert "Category: Housing" in meta["FOI-2"] and "Department" not in meta["FOI-2"]


# Sort above the results, filters behind a toggle ---------------------------------------------

def test_sort_sits_above_the_results_and_page_size_below_each_with_its_own_button_in_the_search_form(client, many):
    soup = search(client, q="bulk", category="Highways")
    form = soup.select_one("main form")
    results = form.select_one("ol.app-results")
    sort, size = (form.find("select", id=name).find_parent(class_="app-results-options") for name in ("sort", "per_page"))
    assert sort in results.find_all_previous("div") and size in results.find_all_next("div")
    assert [button.get_text(strip=True) for button in sort.select("button")] == ["Sort"]
    assert [button.get_text(strip=True) for button in size.select("button")] == ["Show results"]
    assert form.select_one("#filters select") is None  # not at the foot of the filters any more
    # the same GET form as the words and the filters: sorting keeps them
    assert form.find(id="q")["value"] == "bulk"
    assert form.find("input", attrs={"name": "category", "value": "Highways"}).has_attr("checked")


def test_the_search_language_is_in_search_tips_not_a_hint_between_the_box_and_the_results(client):
    soup = search(client)
    assert not soup.find(id="q").get("aria-describedby")
    [tips] = [details for details in soup.select("details") if text_of(details.summary) == "Search tips"]
    assert "parking OR permits finds either word" in text_of(tips)


def test_the_filter_toggle_is_in_the_page_hidden_until_scripts_show_it(client, corpus):
    soup = search(client, category="Housing", outcome="Refused")
    toggle = soup.select_one("button.app-filter-toggle")
    assert toggle.has_attr("hidden") and toggle["type"] == "button"
    assert toggle["aria-controls"] == "filters" and soup.find(id="filters") is not None
    assert text_of(toggle) == "Filter (2 applied)"
    assert soup.find(id="filters").find("button", string=lambda s: s and s.strip() == "Apply filters")


def test_with_no_results_the_sort_and_page_size_still_go_with_the_form(client, corpus):
    soup = search(client, q="zebra", sort="oldest", per_page="50")
    form = soup.select_one("main form")
    assert form.find("input", attrs={"type": "hidden", "name": "sort"})["value"] == "oldest"
    assert form.find("input", attrs={"type": "hidden", "name": "per_page"})["value"] == "50"


def test_with_a_date_error_the_feed_and_csv_links_give_way_to_a_sentence(client, corpus):
    soup = search(client, **{"from-day": "31", "from-month": "2", "from-year": "2024"})
    links = [a.get_text(strip=True) for a in soup.select("main ul.govuk-list a")]
    assert "Download as CSV" not in links and "Get updates with an Atom feed" not in links
    assert "Correct the dates to follow or download these results." in text_of(soup)


def test_export_links_are_for_every_result_not_this_page(client, many):
    soup = search(client, q="bulk", per_page="50", page="2")
    for name in ("Download as CSV", "Get updates with an Atom feed", "Download as JSON"):
        href = soup.find("a", string=name)["href"]
        assert parse_qs(urlsplit(href).query) == {"q": ["bulk"]}, name


# Back to the search ---------------------------------------------------------------------------

def back_link(soup) -> tuple[str, str]:
    link = soup.select_one("a.govuk-back-link")
    return link["href"], link.get_text(strip=True)


def test_an_entry_found_by_a_search_links_back_to_that_search(client, many):
    soup = search(client, q="bulk", category="Highways", sort="newest", per_page="50", page="2")
    first = soup.select_one("li.app-result h3 a")["href"]
    assert urlsplit(first).path == f"/disclosure-log/{bulk_newest_first(120)[50]}"
    href, text = back_link(client.get_page(first))
    assert text == "Back to search results"
    assert urlsplit(href).path == "/disclosure-log"
    assert parse_qs(urlsplit(href).query) == {"q": ["bulk"], "category": ["Highways"], "sort": ["newest"],
                                              "per_page": ["50"], "page": ["2"]}
    assert found(client.get_page(href))[0] == bulk_newest_first(120)[50]  # the same page of the same search


def test_an_entry_reached_otherwise_links_to_the_search_page(client, corpus):
    assert back_link(client.get_page("/disclosure-log/FOI-103")) == ("/disclosure-log", "Search published responses")
    listed = search(client).select_one("li.app-result h3 a")["href"]
    assert "?" not in listed  # the first page of everything: nothing to carry


@pytest.mark.parametrize("carried", [
    "https://evil.example/phish", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
    "next=https://evil.example&q=", "%2F%2Fevil.example", "q=\r\nLocation:%20https://evil.example",
    "q=" + "a" * 9000, "&".join(["category=x"] * 400),
])
def test_the_back_link_is_only_ever_the_logs_own_search(client, corpus, carried):
    page = client.get_page("/disclosure-log/FOI-103?" + urlencode({"search": carried}))
    href, _text = back_link(page)
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("", "", "/disclosure-log")
    assert set(parse_qs(parts.query)) <= {"q", "category", "sort", "per_page", "page"}
    assert "\n" not in href and "\r" not in href


def test_a_carried_search_keeps_its_words_as_words(client, corpus):
    page = client.get_page("/disclosure-log/FOI-103?" + urlencode({"search": urlencode({"q": "https://evil.example"})}))
    href, text = back_link(page)
    assert text == "Back to search results"
    assert urlsplit(href).path == "/disclosure-log" and parse_qs(urlsplit(href).query) == {"q": ["https://evil.example"]}
    assert total_shown(client.get_page(href)) == 0
