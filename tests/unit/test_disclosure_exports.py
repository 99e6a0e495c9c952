"""The Disclosure Log as data: JSON search, Atom feed, CSV, sitemaps and the nightly full download."""
from __future__ import annotations

import csv
import gzip
import io
import json
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.etree import ElementTree

import pytest

from tests.disclosure_helpers import (CORPUS, DisclosureApi, bulk_entry, bulk_newest_first, facet_labels, found,
                                      import_lines, search, total_shown)
from tests.disclosure_helpers import api, corpus  # noqa: F401 - fixtures
from tests.pages import PageClient, text_of

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "http://127.0.0.1:5000"


@pytest.fixture
def public_scheduled_withdrawn(api) -> DisclosureApi:
    """FOI-1 public, FOI-2 public tomorrow, FOI-3 withdrawn."""
    api.publish("FOI-1")
    api.publish("FOI-2", publish_at="2026-06-02T09:00:00Z")
    api.publish("FOI-3")
    api.withdraw("FOI-3")
    return api


def json_search(client, params: dict | str = "") -> dict:
    query = params if isinstance(params, str) else urlencode(params, doseq=True)
    response = client.raw.get(f"/disclosure-log.json?{query}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def csv_rows(client, params: dict | None = None) -> list[dict]:
    response = client.raw.get("/disclosure-log.csv?" + urlencode(params or {}, doseq=True))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="disclosure-log-2026-06-01.csv"')
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")  # so Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def feed(client, params: dict | None = None) -> ElementTree.Element:
    response = client.raw.get("/disclosure-log.atom?" + urlencode(params or {}, doseq=True))
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    return root


def feed_references(root) -> list[str]:
    return [entry.find(f"{ATOM}id").text.rsplit("/", 1)[1] for entry in root.findall(f"{ATOM}entry")]


def sitemap_locations(client, path: str) -> list[str]:
    response = client.raw.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return [loc.text for loc in ElementTree.fromstring(response.data).iter(f"{SITEMAP}loc")]


# JSON -------------------------------------------------------------------------------------

@pytest.mark.parametrize("params", [{}, {"category": "Housing"}, {"q": "potholes OR permits"},
                                    {"q": "care home", "sort": "oldest"}, {"case_type": "EIR", "outcome": "Refused"}])
def test_the_json_search_agrees_with_the_search_page(client, corpus, params):
    data = json_search(client, params)
    soup = search(client, **params)
    assert data["total"] == total_shown(soup) and (data["page"], data["pages"]) == (1, 1)
    assert [result["reference"] for result in data["results"]] == found(soup)
    for facet in ("case_type", "category", "outcome", "year"):
        assert [f"{value} ({count})" for value, count in sorted(data["facets"][facet].items())] == \
            facet_labels(soup, facet)
    assert data["links"]["html"] == BASE + "/disclosure-log" + (f"?{urlencode(params)}" if params else "")
    assert data["errors"] == []


def test_json_results_carry_the_entry(client, corpus):
    [result] = json_search(client, {"q": '"care home"'})["results"]
    row = next(row for row in CORPUS if row[0] == "FOI-101")
    assert (result["reference"], result["title"], result["category"], result["published"]) == (
        "FOI-101", row[1], row[4], row[7])
    assert result["url"] == BASE + "/disclosure-log/FOI-101" and result["status"] == "published"
    assert "audit" not in result  # the trail is for the back office


def test_json_pages_follow_their_links_to_every_entry(app, client, tmp_path):
    import_lines(app, tmp_path, [bulk_entry(n) for n in range(250)])
    first = json_search(client, {"sort": "newest"})
    assert (first["total"], first["pages"], first["per_page"], len(first["results"])) == (250, 3, 100, 100)
    assert "previous" not in first["links"]
    second = json_search(client, urlsplit(first["links"]["next"]).query)
    assert second["page"] == 2 and urlsplit(second["links"]["previous"]).query == "sort=newest"
    third = json_search(client, urlsplit(second["links"]["next"]).query)
    assert len(third["results"]) == 50 and "next" not in third["links"]
    every = [r["reference"] for page in (first, second, third) for r in page["results"]]
    assert every == bulk_newest_first(250)


def test_json_reports_a_bad_date_and_still_answers(client, corpus):
    data = json_search(client, {"from-day": "31", "from-month": "2", "from-year": "2024"})
    assert data["errors"] == ["Published from must be a real date"] and data["total"] == len(CORPUS)


def test_json_takes_up_to_a_thousand_a_page_on_both_engines(db_app, tmp_path):
    client = PageClient(db_app)
    import_lines(db_app, tmp_path, [bulk_entry(n) for n in range(1203)])
    first = json_search(client, {"sort": "newest", "per_page": "1000"})
    assert (first["per_page"], first["pages"], len(first["results"]), first["errors"]) == (1000, 2, 1000, [])
    assert parse_qs(urlsplit(first["links"]["next"]).query) == {"sort": ["newest"], "per_page": ["1000"], "page": ["2"]}
    second = json_search(client, urlsplit(first["links"]["next"]).query)
    assert [r["reference"] for r in first["results"] + second["results"]] == bulk_newest_first(1203)
    # the search page holding the same first result, at a size the page has
    assert parse_qs(urlsplit(second["links"]["html"]).query) == {"sort": ["newest"], "page": ["51"]}
    small = json_search(client, {"per_page": "50", "page": "3"})
    assert len(small["results"]) == 50 and parse_qs(urlsplit(small["links"]["html"]).query) == {
        "per_page": ["50"], "page": ["3"]}


@pytest.mark.parametrize("asked", ["0", "1001", "-5", "ten", "²", "9" * 20, ""])
def test_a_json_page_size_out_of_range_is_reported_and_the_default_used(client, corpus, asked):
    data = json_search(client, {"per_page": asked})
    assert data["per_page"] == 100 and data["total"] == len(CORPUS)
    if asked:
        assert data["errors"] == ["per_page must be a whole number from 1 to 1000, so 100 a page are shown"]
    else:
        assert data["errors"] == []


def test_json_results_carry_their_snippets(client, corpus):
    [result] = json_search(client, {"q": "nitrogen"})["results"]
    assert result["snippets"] == [{"field": "response", "filename": None,
                                   "text": "Nitrogen dioxide readings are in the table below.",
                                   "html": "<mark>Nitrogen</mark> dioxide readings are in the table below."}]
    [result] = json_search(client, {"q": "missed"})["results"]
    assert [(s["field"], s["text"]) for s in result["snippets"]] == [
        ("response", "We do not hold data on missed home care visits."),
        ("request", "How many home care visits were missed?")]
    [result] = json_search(client, {"q": "placements made"})["results"]  # "made" in the request only
    assert [(s["field"], s["html"]) for s in result["snippets"]] == [
        ("response", "There were 120 care home <mark>placements</mark>."),
        ("request", "How many care home <mark>placements</mark> were <mark>made</mark>?")]
    everything = json_search(client)["results"]
    assert all(len(r["snippets"]) == 1 and r["snippets"][0]["field"] == "response" for r in everything)


# Atom -------------------------------------------------------------------------------------

def test_the_atom_feed_has_the_newest_fifty(app, client, tmp_path):
    import_lines(app, tmp_path, [bulk_entry(n) for n in range(60)])
    root = feed(client)
    assert feed_references(root) == bulk_newest_first(60)[:50]
    published = [entry.find(f"{ATOM}published").text for entry in root.findall(f"{ATOM}entry")]
    assert published == sorted(published, reverse=True)
    first = root.find(f"{ATOM}entry")
    assert first.find(f"{ATOM}title").text == "BULK-00059: Bulk response number 59"
    assert first.find(f"{ATOM}link").get("href") == BASE + "/disclosure-log/BULK-00059"
    assert root.find(f"{ATOM}rights").text == "Open Government Licence v3.0"


def test_the_atom_feed_follows_a_search(client, corpus):
    root = feed(client, {"q": "care home"})
    assert feed_references(root) == ["FOI-102", "FOI-101"]
    assert root.find(f"{ATOM}title").text == "Example Council disclosure log: care home"
    assert feed_references(feed(client, {"category": "Housing", "sort": "oldest"})) == ["FOI-108", "FOI-109", "FOI-110"]


def test_the_search_page_links_its_feed_and_downloads(client, corpus):
    soup = search(client, q="care home")
    assert soup.find("link", rel="alternate", type="application/atom+xml")["href"] == "/disclosure-log.atom?q=care+home"
    hrefs = {a.get_text(strip=True): a["href"] for a in soup.select("main a.govuk-link")}
    assert hrefs["Download as CSV"] == "/disclosure-log.csv?q=care+home"
    assert hrefs["Download as JSON"] == "/disclosure-log.json?q=care+home"


@pytest.mark.parametrize("path", ["/disclosure-log.csv", "/disclosure-log.atom"])
@pytest.mark.parametrize(("dates", "message"), [
    ({"from-day": "31", "from-month": "2", "from-year": "2024"}, "Published from must be a real date"),
    ({"to-day": "1", "to-year": "2024"}, "Published to must include a month"),
    ({"from-day": "1", "from-month": "1", "from-year": "2025", "to-day": "1", "to-month": "1", "to-year": "2024"},
     "Published to must be the same as or after published from"),
])
def test_a_download_or_feed_of_a_search_with_a_wrong_date_says_so(client, corpus, path, dates, message):
    soup = client.get_page(f"{path}?" + urlencode({"q": "care", **dates}), status=400)
    assert soup.h1.get_text(strip=True) == "Check the dates in your search"
    assert message in text_of(soup)
    back = soup.find("a", string="Correct the dates in your search")["href"]
    assert urlsplit(back).path == "/disclosure-log" and parse_qs(urlsplit(back).query)["q"] == ["care"]
    assert message in text_of(client.get_page(back))  # the search page shows it on the field


# CSV --------------------------------------------------------------------------------------

def test_the_csv_has_one_row_per_entry_across_batches(app, client, tmp_path):
    count = 1203  # more than two of the export's batches of 500
    lines = [bulk_entry(n, category="Housing" if n % 2 else "Highways") for n in range(count)]
    assert import_lines(app, tmp_path, lines).imported == count
    rows = csv_rows(client)
    assert [row["reference"] for row in rows] == bulk_newest_first(count)
    assert [row["reference"] for row in csv_rows(client, {"sort": "oldest"})] == bulk_newest_first(count)[::-1]
    housing = csv_rows(client, {"category": "Housing"})
    assert [row["reference"] for row in housing] == [r for r in bulk_newest_first(count) if int(r[5:]) % 2]
    assert rows[0]["url"] == BASE + "/disclosure-log/BULK-01202" and rows[0]["title"] == "Bulk response number 1202"


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", "=1+1", "\uff1dSUM(A1)"])
def test_a_cell_that_a_spreadsheet_would_run_is_made_text(client, api, title):
    api.publish("FOI-1", title=title, response=f"{title} was the cell.")
    [row] = csv_rows(client)
    assert row["title"] == "'" + title
    assert row["response"] == "'" + f"{title} was the cell."
    assert row["request"] == "How many potholes were repaired last year?"
    assert json_search(client)["results"][0]["title"] == title  # data stays as it was outside spreadsheets


def test_exports_leave_out_scheduled_and_withdrawn_entries(client, public_scheduled_withdrawn):
    assert [row["reference"] for row in csv_rows(client)] == ["FOI-1"]
    assert [r["reference"] for r in json_search(client)["results"]] == ["FOI-1"]
    assert feed_references(feed(client)) == ["FOI-1"]


# Sitemaps ---------------------------------------------------------------------------------

def test_the_sitemaps_list_public_entries_only(client, clock, public_scheduled_withdrawn):
    parts = sitemap_locations(client, "/sitemap.xml")
    assert parts == [BASE + "/disclosure-log/sitemap-0.xml"]
    assert sitemap_locations(client, urlsplit(parts[0]).path) == [BASE + "/disclosure-log/FOI-1"]
    clock.advance(days=1)
    assert sitemap_locations(client, "/disclosure-log/sitemap-0.xml") == [
        BASE + "/disclosure-log/FOI-1", BASE + "/disclosure-log/FOI-2"]
    for location in sitemap_locations(client, "/disclosure-log/sitemap-0.xml"):
        client.get_page(urlsplit(location).path)


def test_a_sitemap_is_read_a_batch_at_a_time_and_split_at_its_size(app, client, tmp_path, monkeypatch):
    from disclosure_log import service, views

    import_lines(app, tmp_path, [bulk_entry(n) for n in range(25)])
    batches = []
    real = service.public_references

    def counted(session, low, high, now, batch=5000):
        for row in real(session, low, high, now, batch=4):
            batches.append(row[0])
            yield row

    monkeypatch.setattr(service, "public_references", counted)
    monkeypatch.setattr(views, "SITEMAP_SIZE", 10)
    parts = sitemap_locations(client, "/sitemap.xml")
    assert [urlsplit(p).path for p in parts] == [f"/disclosure-log/sitemap-{n}.xml" for n in range(3)]
    listed = [loc for p in parts for loc in sitemap_locations(client, urlsplit(p).path)]
    assert listed == [f"{BASE}/disclosure-log/BULK-{n:05d}" for n in range(25)]
    assert [len(sitemap_locations(client, urlsplit(p).path)) for p in parts] == [9, 10, 6]  # ids from 1


def test_sitemap_rows_are_read_by_id_a_batch_at_a_time_on_both_databases(db_app, tmp_path, clock):
    from sqlalchemy import select

    from disclosure_log import service
    from disclosure_log.models import Disclosure

    import_lines(db_app, tmp_path, [bulk_entry(n) for n in range(23)])
    with db_app.app_context(), db_app.extensions["portal.db"].sessionmaker() as session:
        ids = list(session.scalars(select(Disclosure.id).order_by(Disclosure.id)))
        every = [reference for reference, _changed in service.public_references(session, 0, ids[-1] + 1, clock.now(),
                                                                                 batch=5)]
        assert every == [f"BULK-{n:05d}" for n in range(23)]
        some = list(service.public_references(session, ids[4], ids[11], clock.now(), batch=3))  # low in, high out
        assert [reference for reference, _changed in some] == [f"BULK-{n:05d}" for n in range(4, 11)]
        assert list(service.public_references(session, ids[-1] + 1, ids[-1] + 100, clock.now())) == []


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_off_searches_and_links(client):
    response = client.raw.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    disallowed = {line.removeprefix("Disallow: ") for line in lines if line.startswith("Disallow: ")}
    assert disallowed == {"/api/", "/documents/", "/disclosure-log?", "/disclosure-log.csv", "/disclosure-log.json"}
    sitemap = next(line for line in lines if line.startswith("Sitemap: ")).removeprefix("Sitemap: ")
    assert sitemap_locations(client, urlsplit(sitemap).path) == [BASE + "/disclosure-log/sitemap-0.xml"]


# The nightly full download ----------------------------------------------------------------

def export(app) -> str:
    result = app.test_cli_runner().invoke(args=["disclosure-log", "export"])
    assert result.exit_code == 0, result.output
    return result.output


def download_links(client) -> dict[str, str]:
    page = client.get_page("/disclosure-log/downloads")
    return {a.get_text(strip=True): a["href"] for a in page.select("main a[href*='/disclosure-log/downloads/']")}


def downloaded(client, href: str) -> bytes:
    response = client.raw.get(href)
    assert response.status_code == 200 and response.mimetype == "application/gzip"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="{href.rsplit("/", 1)[1]}"')
    return gzip.decompress(response.data)


def downloaded_references(client) -> tuple[list[str], list[str]]:
    links = download_links(client)
    csv_text = downloaded(client, links["Every response (CSV, gzip)"]).decode("utf-8-sig")
    jsonl = downloaded(client, links["Every response (JSON lines, gzip)"]).decode("utf-8").splitlines()
    return ([row["reference"] for row in csv.DictReader(io.StringIO(csv_text, newline=""))],
            [json.loads(line)["reference"] for line in jsonl])


def test_the_full_download_is_offered_once_it_is_made(app, client, public_scheduled_withdrawn):
    page = client.get_page("/disclosure-log/downloads")
    assert "The files have not been made yet." in text_of(page) and download_links(client) == {}
    assert client.raw.get("/disclosure-log/downloads/disclosure-log.csv.gz").status_code == 404
    output = export(app)
    assert "disclosure-log.csv.gz:" in output and "disclosure-log.jsonl.gz:" in output
    assert download_links(client) == {
        "Every response (CSV, gzip)": "/disclosure-log/downloads/disclosure-log.csv.gz",
        "Every response (JSON lines, gzip)": "/disclosure-log/downloads/disclosure-log.jsonl.gz"}
    assert "made 1 June 2026 at 10:00am" in text_of(client.get_page("/disclosure-log/downloads"))
    assert downloaded_references(client) == (["FOI-1"], ["FOI-1"])


def test_a_new_full_download_replaces_the_old_one(app, client, clock, services, public_scheduled_withdrawn):
    export(app)
    clock.advance(days=1)
    export(app)
    assert downloaded_references(client) == (["FOI-1", "FOI-2"], ["FOI-1", "FOI-2"])
    kept = [key for key in services.store.files if key.startswith("disclosure-log/exports/")]
    assert len(kept) == 3  # the manifest and one of each file: the old ones are deleted


@pytest.mark.parametrize("name", ["manifest.json", "..%2Fmanifest.json", "disclosure-log.zip"])
def test_only_the_listed_files_can_be_downloaded(app, client, public_scheduled_withdrawn, name):
    export(app)
    assert client.raw.get(f"/disclosure-log/downloads/{name}").status_code == 404


def test_the_feed_may_be_cached_and_the_search_page_may_not(client, corpus):
    """A view's own public caching is kept (nothing in the feed is anyone's); pages keep no-store."""
    assert client.raw.get("/disclosure-log.atom").headers["Cache-Control"] == "public, max-age=300"
    assert client.raw.get("/disclosure-log?q=care").headers["Cache-Control"] == "no-store"
