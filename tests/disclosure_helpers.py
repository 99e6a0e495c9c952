"""Driving the Disclosure Log in tests: the back office's keyed API, a small crafted corpus, bulk imports."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup

from disclosure_log import bulk
from disclosure_log.search import gaps as search_gaps
from disclosure_log.current import get_index
from tests.pages import PageClient
from tests.unit.test_api_keys import bearer, make_key

NEW_ENTRY = {
    "title": "Pothole repairs in Hertford", "request": "How many potholes were repaired last year?",
    "response": "We repaired 300 potholes in Hertford.", "case_type": "FOI", "outcome": "Released in full",
    "category": "Highways", "department": "Place", "received": "2026-04-01", "responded": "2026-04-24",
}
EMAIL = "jane.smith@example.com"
MOBILE = "07700 900123"
NI_NUMBER = "AB 12 34 56 C"
SCRIPT = "<script>alert(1)</script>"


class DisclosureApi:
    """The case system's side: /api/v1/disclosures/{reference} with a disclosures:write key."""

    def __init__(self, app, key: str | None = None):
        self.client = app.test_client()
        self.headers = bearer(key or make_key(app, "disclosures:write"))

    def call(self, method: str, reference: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1/disclosures/{reference}", method=method, headers=headers, **kwargs)

    def put(self, reference: str, method: str = "PUT", **fields):
        return self.call(method, reference, json={**NEW_ENTRY, **fields})

    def publish(self, reference: str, **fields) -> dict:
        response = self.put(reference, **fields)
        assert response.status_code in (200, 201), response.get_data(as_text=True)
        return response.json

    def with_files(self, reference: str, files: dict[str, bytes], method: str = "PUT", **fields):
        """The multipart form: the entry's JSON in "entry", each file an "attachments" part."""
        data = {"entry": json.dumps({**NEW_ENTRY, **fields}),
                "attachments": [(io.BytesIO(content), name) for name, content in files.items()]}
        return self.call(method, reference, data=data, content_type="multipart/form-data")

    def withdraw(self, reference: str, reason: str | None = "Published in error."):
        return self.call("DELETE", reference, json={} if reason is None else {"reason": reason})

    def audit(self, reference: str) -> list[dict]:
        return self.call("GET", reference).json["audit"]


# A small corpus for search: each query below has one right answer on it.
CORPUS = [
    ("FOI-101", "Care home placements in Hertford", "How many care home placements were made?",
     "There were 120 care home placements.", "Adult social care", "FOI", "Released in full", "2024-03-10"),
    ("FOI-102", "Home care visits in Ware", "How many home care visits were missed?",
     "We do not hold data on missed home care visits.", "Adult social care", "FOI", "Information not held",
     "2024-07-01"),
    ("FOI-103", "Pothole repairs in Hertford", "How many potholes were repaired?",
     "We repaired 300 potholes in Hertford.", "Highways", "FOI", "Released in full", "2025-01-15"),
    ("FOI-104", "Pothole claims in Ware", "How many pothole compensation claims were made?",
     "We received 45 claims about potholes in Ware.", "Highways", "FOI", "Partially released", "2025-02-20"),
    ("FOI-105", "Parking permits issued", "How many residents parking permits were issued?",
     "We issued 2,000 permits.", "Highways", "FOI", "Released in full", "2025-04-01"),
    ("EIR-106", "Air quality near schools", "Please send air quality monitoring data.",
     "Nitrogen dioxide readings are in the table below.", "Environment", "EIR", "Released in full", "2025-06-30"),
    ("EIR-107", "Fly-tipping in Hertingfordbury", "How many fly-tipping incidents were reported?",
     "There were 80 fly-tipping incidents in Hertingfordbury.", "Environment", "EIR", "Refused", "2025-09-09"),
    ("FOI-108", "Housing repairs backlog", "How many housing repairs are outstanding?",
     "There are 1,200 outstanding housing repairs.", "Housing", "FOI", "Released in full", "2025-11-11"),
    ("FOI-109", "Temporary accommodation costs", "What did temporary accommodation cost?",
     "It cost 4 million pounds.", "Housing", "FOI", "Refused", "2026-01-05"),
    ("FOI-110", "Council house waiting list", "How long is the waiting list?",
     "There are 5,000 households on the housing waiting list.", "Housing", "FOI", "Released in full", "2026-03-03"),
]
NEWEST_FIRST = [row[0] for row in sorted(CORPUS, key=lambda row: row[-1], reverse=True)]


def corpus_fields(row) -> dict:
    _reference, title, request, response, category, case_type, outcome, published = row
    return {"title": title, "request": request, "response": response, "category": category, "case_type": case_type,
            "outcome": outcome, "published": published, "received": None, "responded": None}


def publish_corpus(api: DisclosureApi) -> None:
    for row in CORPUS:
        api.publish(row[0], **corpus_fields(row))


# Fixtures, imported by the test modules that use them ------------------------------------

@pytest.fixture
def api(app) -> DisclosureApi:
    return DisclosureApi(app)


@pytest.fixture
def corpus(api) -> DisclosureApi:
    """The API after publishing CORPUS."""
    publish_corpus(api)
    return api


# The public side --------------------------------------------------------------------------

def search(client: PageClient, status: int = 200, **params) -> BeautifulSoup:
    """The search page for these URL parameters (a list value repeats the parameter), checked by PageClient."""
    pairs = [(name, v) for name, value in params.items() for v in (value if isinstance(value, list) else [value])]
    return client.get_page("/disclosure-log?" + urlencode(pairs), status=status)


def found(soup: BeautifulSoup) -> list[str]:
    """The references of the results shown, in order (each link carries the search for the entry's back link)."""
    return [urlsplit(link["href"]).path.rsplit("/", 1)[1] for link in soup.select("li.app-result h3 a")]


def refs(client: PageClient, **params) -> list[str]:
    return found(search(client, **params))


def total_shown(soup: BeautifulSoup) -> int:
    return int(re.match(r"[\d,]+", soup.find(id="results-count").get_text(strip=True))[0].replace(",", ""))


def facet_labels(soup: BeautifulSoup, facet: str) -> list[str]:
    """The checkbox labels of one filter, as shown: "Housing (3)"."""
    return [" ".join(label.get_text().split())
            for label in soup.select(f'input[name="{facet}"] + label')]


def entry_is_public(client: PageClient, reference: str) -> bool:
    """Whether the public can find the entry anywhere: its page, the search, the feed, the sitemap."""
    page = client.raw.get(f"/disclosure-log/{reference}").status_code
    searched = reference in refs(client)
    link = f"/disclosure-log/{reference}<"
    in_feed = link in client.raw.get("/disclosure-log.atom").get_data(as_text=True)
    in_sitemap = link in client.raw.get("/disclosure-log/sitemap-0.xml").get_data(as_text=True)
    places = {page == 200, searched, in_feed, in_sitemap}
    assert len(places) == 1, f"{reference}: page {page}, search {searched}, feed {in_feed}, sitemap {in_sitemap}"
    return places.pop()


# Bulk ------------------------------------------------------------------------------------

def bulk_entry(n: int, **fields) -> dict:
    """A cheap valid entry for the bulk import; three share each published day, so ties are broken by id."""
    published = dt.date(2020, 1, 1) + dt.timedelta(days=n // 3)
    return {"reference": f"BULK-{n:05d}", "title": f"Bulk response number {n}", "request": f"Request {n} about roads.",
            "response": f"Response {n}: the figures are below.", "case_type": "FOI", "outcome": "Released in full",
            "category": "Highways", "published": published.isoformat(), **fields}


def bulk_newest_first(count: int) -> list[str]:
    """The references of bulk_entry(0..count-1) in the order newest first: by day, then the later id."""
    return [f"BULK-{n:05d}" for n in sorted(range(count), key=lambda n: (n // 3, n), reverse=True)]


def write_jsonl(path: Path, lines: list[dict | str]) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def import_lines(app, directory: Path, lines: list[dict | str], batch_size: int = 10_000) -> bulk.ImportReport:
    path = write_jsonl(directory / "entries.jsonl", lines)
    with app.app_context():
        database = app.extensions["portal.db"]
        now = app.extensions["portal.services"].clock.now()
        return bulk.run_import(database.sessionmaker, get_index(), path, actor="test", now=now, batch_size=batch_size)


def counted_gaps(app) -> dict[str, int]:
    """The searches that found nothing, as the disclosure_search_gaps table counts them."""
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return {gap.query: gap.count for gap in search_gaps(session, limit=1000)}
