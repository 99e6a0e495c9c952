"""The public Disclosure Log pages: search with its query language, filters, dates, paging; entry pages."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.disclosure_helpers import (CORPUS, EMAIL, NEWEST_FIRST, SCRIPT, bulk_entry, bulk_newest_first, counted_gaps,
                                      facet_labels, found, import_lines, refs, search, total_shown)
from tests.disclosure_helpers import api, corpus  # noqa: F401 - fixtures
from tests.pages import text_of

ALL = {row[0] for row in CORPUS}


# The search page --------------------------------------------------------------------------

def test_an_empty_log_has_a_search_page(client):
    soup = search(client)
    assert soup.title.get_text().startswith("Search published responses - ")
    assert total_shown(soup) == 0 and found(soup) == []


def test_without_words_every_entry_is_listed_newest_first(client, corpus):
    soup = search(client)
    assert total_shown(soup) == len(CORPUS) and found(soup) == NEWEST_FIRST
    assert search(client, q="").find(id="q")["value"] == ""


@pytest.mark.parametrize(("query", "expected"), [
    ('"care home"', {"FOI-101"}),  # not "home care"
    ("care home", {"FOI-101", "FOI-102"}),
    ('"home care"', {"FOI-102"}),
    ("potholes OR permits", {"FOI-103", "FOI-104", "FOI-105"}),
    ("potholes -ware", {"FOI-103"}),
    ("potholes NOT Ware", {"FOI-103"}),
    ("hert*", {"FOI-101", "FOI-103", "EIR-107"}),
    ("hertford", {"FOI-101", "FOI-103"}),
    ("HOUSING", {"FOI-108", "FOI-110"}),
    ('"home care" OR parking', {"FOI-102", "FOI-105"}),
    ("fly-tipping", {"EIR-107"}),
    ("-potholes", ALL - {"FOI-103", "FOI-104"}),
    ("potholes zebra", set()),
])
def test_the_query_language_finds_the_right_entries(client, corpus, query, expected):
    soup = search(client, q=query)
    assert set(found(soup)) == expected and total_shown(soup) == len(expected)


def test_a_match_is_highlighted_in_its_snippet(client, corpus):
    soup = search(client, q="nitrogen")
    marks = [mark.get_text() for mark in soup.select("li.app-result .app-result__snippet mark")]
    assert marks == ["Nitrogen"]


# Filters ----------------------------------------------------------------------------------

def test_filters_show_their_counts(client, corpus):
    soup = search(client)
    assert facet_labels(soup, "category") == ["Adult social care (2)", "Environment (2)", "Highways (3)", "Housing (3)"]
    assert facet_labels(soup, "case_type") == ["EIR (2)", "FOI (8)"]
    assert facet_labels(soup, "year") == ["2024 (2)", "2025 (6)", "2026 (2)"]


def test_a_filter_narrows_the_results_and_the_other_filters_counts(client, corpus):
    soup = search(client, category="Housing")
    assert set(found(soup)) == {"FOI-108", "FOI-109", "FOI-110"} and total_shown(soup) == 3
    assert soup.find("input", attrs={"name": "category", "value": "Housing"}).has_attr("checked")
    assert facet_labels(soup, "case_type") == ["FOI (3)"]
    assert facet_labels(soup, "outcome") == ["Refused (1)", "Released in full (2)"]


def test_a_filters_own_choice_does_not_zero_its_other_values(client, corpus):
    soup = search(client, category="Housing")
    assert facet_labels(soup, "category") == ["Adult social care (2)", "Environment (2)", "Highways (3)", "Housing (3)"]
    both = search(client, category=["Housing", "Environment"])
    assert set(found(both)) == {"FOI-108", "FOI-109", "FOI-110", "EIR-106", "EIR-107"}


def test_filters_on_different_facets_all_apply(client, corpus):
    soup = search(client, category=["Housing", "Environment"], case_type="EIR")
    assert set(found(soup)) == {"EIR-106", "EIR-107"}
    assert facet_labels(soup, "category") == ["Environment (2)", "Housing (0)"]  # a chosen value stays, at 0
    assert facet_labels(soup, "case_type") == ["EIR (2)", "FOI (3)"]


def test_removing_a_filter_keeps_the_others(client, corpus):
    soup = search(client, q="potholes", category="Highways", outcome="Refused")
    assert found(soup) == []
    remove = next(a["href"] for a in soup.select(".app-selected-filters a") if "Outcome: Refused" in a.get_text())
    assert parse_qs(urlsplit(remove).query) == {"q": ["potholes"], "category": ["Highways"]}
    assert set(found(client.get_page(remove))) == {"FOI-103", "FOI-104"}


def test_an_entry_without_a_department_adds_no_blank_filter(client, api):
    api.publish("FOI-1", department="")
    api.publish("FOI-2", department="Place")
    labels = [label for facet in ("case_type", "category", "department", "outcome", "year")
              for label in facet_labels(search(client), facet)]
    assert labels and not [label for label in labels if label.startswith("(")], labels


# Dates ------------------------------------------------------------------------------------

def test_a_date_range_filters_on_the_published_date(client, corpus):
    soup = search(client, **{"from-day": "1", "from-month": "1", "from-year": "2025",
                             "to-day": "31", "to-month": "12", "to-year": "2025"})
    assert set(found(soup)) == {"FOI-103", "FOI-104", "FOI-105", "EIR-106", "EIR-107", "FOI-108"}
    assert soup.find(id="from-day")["value"] == "1" and soup.find(id="to-year")["value"] == "2025"


def error_summary(soup) -> dict[str, str]:
    """The GOV.UK error summary's messages and where each one links to."""
    summary = soup.select_one(".govuk-error-summary")
    assert summary is not None and soup.title.get_text().startswith("Error: ")
    errors = {" ".join(a.get_text().split()): a["href"] for a in summary.select("a")}
    for href in errors.values():
        assert soup.find(id=href.lstrip("#")) is not None, f"the error links to {href}, which is not on the page"
    return errors


def test_an_impossible_date_is_an_error_and_the_results_still_show(client, corpus):
    soup = search(client, **{"from-day": "31", "from-month": "2", "from-year": "2024"})
    assert error_summary(soup) == {"Published from must be a real date": "#from-day"}
    assert "Error: Published from must be a real date" in text_of(soup.select_one("#from").find_parent("fieldset"))
    assert total_shown(soup) == len(CORPUS)


@pytest.mark.parametrize(("params", "message"), [
    ({"from-day": "1", "from-year": "2024"}, "Published from must include a month"),
    ({"to-day": "x", "to-month": "1", "to-year": "2024"}, "Published to must be a real date"),
    ({"from-day": "1", "from-month": "1", "from-year": "1066"}, "Published from must be a real date"),
])
def test_an_incomplete_or_unreal_date_is_an_error(client, corpus, params, message):
    assert message in error_summary(search(client, **params))


def test_a_to_date_before_the_from_date_is_an_error(client, corpus):
    soup = search(client, **{"from-day": "1", "from-month": "1", "from-year": "2025",
                             "to-day": "1", "to-month": "1", "to-year": "2024"})
    assert error_summary(soup) == {"Published to must be the same as or after published from": "#to-day"}
    assert set(found(soup)) == ALL - {"FOI-101", "FOI-102"}  # the from date still applies


# Sorting and paging -----------------------------------------------------------------------

def test_sort_newest_and_oldest(client, corpus):
    assert refs(client, sort="newest") == NEWEST_FIRST
    assert refs(client, sort="oldest") == NEWEST_FIRST[::-1]
    assert refs(client, q="potholes OR permits", sort="oldest") == ["FOI-103", "FOI-104", "FOI-105"]
    assert refs(client, sort="sideways") == NEWEST_FIRST


def pagination(soup) -> dict:
    nav = soup.select_one("nav.govuk-pagination")
    links = {side: nav.select_one(f".govuk-pagination__{side} a") for side in ("prev", "next")}
    return {"previous": links["prev"] and links["prev"]["href"], "next": links["next"] and links["next"]["href"],
            "current": nav.select_one(".govuk-pagination__item--current").get_text(strip=True)}


def test_paging_through_every_result(app, client, tmp_path):
    import_lines(app, tmp_path, [bulk_entry(n) for n in range(45)])
    first = search(client, q="bulk")
    assert total_shown(first) == 45 and "Showing 1 to 20" in text_of(first.find(id="results-count"))
    assert pagination(first) == {"previous": None, "next": "/disclosure-log?q=bulk&page=2", "current": "1"}
    second = client.get_page(pagination(first)["next"])
    assert "Showing 21 to 40" in text_of(second.find(id="results-count"))
    assert "(page 2 of 3)" in second.title.get_text()
    assert pagination(second) == {"previous": "/disclosure-log?q=bulk", "next": "/disclosure-log?q=bulk&page=3",
                                  "current": "2"}
    last = client.get_page(pagination(second)["next"])
    assert pagination(last)["next"] is None and pagination(last)["current"] == "3"
    assert len(found(last)) == 5 and second.find("ol", class_="app-results")["start"] == "21"
    every = [ref for page in ("1", "2", "3") for ref in refs(client, sort="newest", page=page)]
    assert every == bulk_newest_first(45)


@pytest.mark.parametrize("page", ["4", "99", "999999999"])
def test_a_page_beyond_the_end_shows_the_last_page(app, client, tmp_path, page):
    import_lines(app, tmp_path, [bulk_entry(n) for n in range(45)])
    soup = search(client, sort="newest", page=page)
    assert found(soup) == bulk_newest_first(45)[40:] and pagination(soup)["current"] == "3"


@pytest.mark.parametrize("page", ["0", "-1", "two", "1e3", "9" * 12])
def test_a_page_that_is_not_a_number_shows_the_first(client, corpus, page):
    assert refs(client, page=page) == NEWEST_FIRST


# Hostile and odd input --------------------------------------------------------------------

def no_live_script_from(soup) -> None:
    """No script runs alert(1); the JSON-LD data block holds it only with "<" escaped, so it cannot end early."""
    for script in soup.find_all("script"):
        text = script.string or ""
        if script.get("type") == "application/ld+json":
            assert "<" not in text
        else:
            assert "alert(1)" not in text, str(script)


def test_markup_in_an_entry_is_shown_as_text_everywhere(client, api):
    api.publish("FOI-1", title=f"Budget {SCRIPT} report", response=f"The budget {SCRIPT} was agreed.")
    results = search(client, q="budget")
    no_live_script_from(results)
    assert f"Budget {SCRIPT} report" in text_of(results.select_one("li.app-result h3"))
    assert any(SCRIPT in text_of(p) for p in results.select(".app-result__snippet"))
    page = client.get_page("/disclosure-log/FOI-1")
    no_live_script_from(page)
    assert page.h1.get_text(strip=True) == f"Budget {SCRIPT} report"
    assert f"The budget {SCRIPT} was agreed." in text_of(page)
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert data["headline"] == f"Budget {SCRIPT} report"
    no_live_script_from(search(client, q=SCRIPT))


@pytest.mark.parametrize("repeats", [19, 59])
def test_a_long_query_is_answered(client, corpus, repeats):
    query = "hertford; " + "potholes; " * repeats  # 200 and 600 characters: the box takes 500
    soup = search(client, q=query)
    assert found(soup) == ["FOI-103"]
    assert len(soup.find(id="q")["value"]) <= 500


@pytest.mark.parametrize("query", ['"', "OR", "NOT", "-", "*", "a*", '"unclosed phrase', "((", "\x00potholes",
                                   "\u202epotholes", "OR OR potholes", "potholes OR", "NOT NOT potholes"])
def test_odd_queries_never_fail(client, corpus, query):
    search(client, q=query)


# No results -------------------------------------------------------------------------------

def test_no_results_offers_a_request_carrying_the_words(client, corpus):
    soup = search(client, q="zebra crossings")
    text = text_of(soup)
    assert "There are no published responses matching your search." in text
    assert "check the spelling of your search words" in text
    link = soup.find("a", string=lambda s: s and s.strip() == "Make a request")
    assert urlsplit(link["href"]).path == "/request/foi"
    assert parse_qs(urlsplit(link["href"]).query) == {"about": ["zebra crossings"]}
    assert client.raw.get(link["href"]).status_code in (200, 302)


def test_searches_that_find_nothing_are_counted_by_their_words(app, client, corpus):
    search(client, q="zebra crossings")
    search(client, q="  Zebra   CROSSINGS!  ")
    search(client, q="library fines")
    search(client, q="potholes")  # found something
    search(client, category="Housing", case_type="EIR")  # nothing, but no words
    assert counted_gaps(app) == {"zebra crossings": 2, "library fines": 1}


@pytest.mark.parametrize("query", [f"letter to {EMAIL}", "call 07700 900123 about bins", "AB 12 34 56 C",
                                   "janet pemberton", "mrs jones noise", "kx21 vhm parking", "943 476 5919",
                                   "sg13 8dq bins"])
def test_a_search_holding_personal_data_is_not_stored(app, client, corpus, query):
    assert found(search(client, q=query)) == []
    assert counted_gaps(app) == {}


# The entry page ---------------------------------------------------------------------------

def test_the_entry_page_has_the_licence_structured_data_and_timeliness(client, api):
    api.publish("FOI-1")
    page = client.get_page("/disclosure-log/FOI-1")
    text = text_of(page)
    licence = page.select_one("main .govuk-inset-text a[rel=license]")
    assert licence["href"] == "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert "Open Government Licence v3.0" in text_of(page.select_one("main .govuk-inset-text"))
    data = json.loads(page.find("script", type="application/ld+json").string)
    assert (data["@type"], data["identifier"], data["datePublished"]) == ("Article", "FOI-1", "2026-06-01")
    assert data["url"].endswith("/disclosure-log/FOI-1")
    assert "15 working days (within the 20 working day limit)" in text
    assert "1 April 2026" in text and "24 April 2026" in text


def test_a_late_response_says_it_was_over_the_limit(client, api):
    api.publish("FOI-1", received="2026-01-05", responded="2026-03-02")
    assert "working days (over the 20 working day limit)" in text_of(client.get_page("/disclosure-log/FOI-1"))


def test_an_eir_response_within_the_extended_limit_says_so(client, api):
    api.publish("EIR-1", case_type="EIR", received="2026-01-05", responded="2026-02-16")
    page = client.get_page("/disclosure-log/EIR-1")
    assert "(within the 40 working days allowed for complex requests)" in text_of(page)


def related_to(client, reference: str) -> list[str]:
    page = client.get_page(f"/disclosure-log/{reference}")
    return [a["href"].rsplit("/", 1)[1] for a in page.select(".app-related a")]


def test_related_entries_share_two_title_words_that_are_not_every_requests(client, api):
    for reference, title in [
        ("FOI-1", "Request for information about pothole repairs in Hertford, 2025"),
        ("FOI-2", "Pothole repairs in Ware"),  # pothole, repairs
        ("FOI-3", "Hertford pothole claims"),  # pothole, Hertford
        ("FOI-4", "Request for information about pothole claims, 2025"),  # only pothole is about something
        ("FOI-5", "Request for information about housing repairs, 2025"),  # only repairs
        ("FOI-6", "Road maintenance contracts"),  # its response is about pothole repairs in Hertford
    ]:
        api.publish(reference, title=title, response="We repaired 300 potholes in Hertford: pothole repairs.")
    assert sorted(related_to(client, "FOI-1")) == ["FOI-2", "FOI-3"]
    assert related_to(client, "FOI-2") == ["FOI-1"]
    assert related_to(client, "FOI-6") == []
    api.publish("FOI-7", title="Request for information about parking, 2025")  # one word of its own
    assert related_to(client, "FOI-7") == []


def test_related_entries_leave_out_the_entry_and_stop_at_five(client, api):
    for n in range(8):
        api.publish(f"FOI-{n}", title=f"Allotment plots in Royston, number {n}")
    related = related_to(client, "FOI-0")
    assert len(related) == 5 and "FOI-0" not in related


@pytest.mark.parametrize("reference", ["FOI-404", "..", "%00", "x" * 300])
def test_an_unknown_entry_is_a_404_page(client, corpus, reference):
    client.get_page(f"/disclosure-log/{reference}", status=404)


def test_the_entry_page_lists_exemptions_and_links_the_decision_notice_as_markup(client, api):
    api.publish("FOI-1", outcome="Refused", exemptions=["s.43 commercial interests", "s.40(2) <personal> information"],
                ico_decision_url="https://ico.org.uk/decisions/fs5099?a=1&b=2")
    page = client.get_page("/disclosure-log/FOI-1")
    rows = {text_of(row.select_one("dt")): row.select_one("dd") for row in page.select(".govuk-summary-list__row")}
    exemptions = [text_of(li) for li in rows["Exemptions applied"].select("ul.govuk-list li")]
    assert exemptions == ["s.43 commercial interests", "s.40(2) <personal> information"]
    assert "<ul" not in text_of(rows["Exemptions applied"])  # markup, not text showing the tags
    link = rows["ICO decision notice"].select_one("a.govuk-link")
    assert link["href"] == "https://ico.org.uk/decisions/fs5099?a=1&b=2"
    assert text_of(link) == "Read the Information Commissioner's decision on FOI-1"


@pytest.mark.parametrize("typed", ["FOI-103", " foi-103 ", "Foi-103"])
def test_a_reference_typed_into_the_box_goes_to_its_entry(client, corpus, typed):
    response = client.raw.get("/disclosure-log", query_string={"q": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith("/disclosure-log/FOI-103")


def test_a_reference_that_is_not_published_is_searched_for_as_words(client, corpus):
    soup = client.get_page("/disclosure-log", query_string={"q": "FOI-999"})
    assert "0 results" in text_of(soup)


def test_a_one_letter_prefix_and_a_cut_query_are_explained(client, corpus):
    text = text_of(client.get_page("/disclosure-log", query_string={"q": "p* care"}))
    assert "A * after one letter would match almost every word" in text
    assert "first 500 characters" not in text
    text = text_of(client.get_page("/disclosure-log", query_string={"q": "care " * 120}))
    assert "Your search was too long, so we searched for its first 500 characters only." in text
    assert "A * after one letter" not in text_of(client.get_page("/disclosure-log", query_string={"q": "hou* care"}))


def test_a_withdrawn_references_page_says_it_was_withdrawn(client, api):
    api.publish("FOI-7")
    api.withdraw("FOI-7")
    response = client.raw.get("/disclosure-log", query_string={"q": "foi-7"})
    assert response.headers["Location"].endswith("/disclosure-log/FOI-7")
    client.get_page(response.headers["Location"], status=410)
