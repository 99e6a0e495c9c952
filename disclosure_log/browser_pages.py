"""The Disclosure Log's pages and states for the shell's browser checks (axe, CSP, no-JS, styles, the status).

A small published log is made once on the live server: a bulk import, an entry with a document and
related entries, a withdrawn entry and the nightly downloads. tests/browser/test_disclosure_log.py
drives filters, paging, the keyboard and Capture's "Before you ask" on the same entries.

Its words never meet those of Capture's own journeys ("potholes in Hertford", "air quality in Ware"),
so those journeys go on without the "published responses" page in between.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlencode

from accessibility.pages import PageCheck, register

SEARCH = "/disclosure-log"
TOPIC = "allotment"  # in TOPIC_ENTRIES entries: enough for a deep page of results
TOPIC_ENTRIES = 110
OTHER_ENTRIES = 40
DOCUMENTED = "FOI-BROWSER-DOCS"  # an entry with a document and related entries
WITHDRAWN = "FOI-BROWSER-WITHDRAWN"
NO_MATCH = "zeppelin hangar"
OTHER_FORMS = "plot"  # every topic entry says "plots"; only LONG_QUERY's entry has "plot" as typed
LONG_QUERY = ("allotment plots in Royston: how many people were on the waiting list, how long they waited, "
              "what the council charged for a full plot and a half plot, and how many plots stood empty in the summer month")  # 200 characters
DATE_ERROR = {"from-day": "31", "from-month": "2", "from-year": "2024"}
PHONE = {"width": 320, "height": 568}  # the smallest screen WCAG 1.4.10 asks pages to reflow to

PLACES = ["Royston", "Tring", "Harpenden", "Letchworth", "Baldock"]
OTHER_TOPICS = {"Libraries": "library opening hours", "Leisure": "swimming pool charges",
                "Bereavement": "cemetery fees", "Parks": "playground inspections"}
OUTCOMES = ["Released in full", "Released in full", "Partially released", "Refused", "Information not held"]
EXEMPTIONS = ["s.43 commercial interests", "s.21 reasonably accessible", "s.12 cost limit"]
DOCUMENTS = [("allotment-sites.csv", b"Site,Plots,Let,Empty\nSouth Road,120,111,9\nMill Lane,64,60,4\n")]

_made: set[str] = set()
_lock = threading.Lock()


def _entry(rng: random.Random, number: int, category: str, topic: str) -> dict:
    place = rng.choice(PLACES)
    published = dt.date(2022, 1, 10) + dt.timedelta(days=rng.randint(0, 1300))
    outcome = rng.choice(OUTCOMES)
    year = published.year - 1
    return {
        "reference": f"FOI-BROWSER-{number:04d}", "title": f"{topic[0].upper() + topic[1:]} in {place}, {year}",
        "request": f"Please tell me about {topic} in {place} during {year}, and what they cost the council.",
        "response": (f"Thank you for your request about {topic} in {place}. In {year} the council recorded "
                     f"{rng.randint(12, 900)} cases and spent £{rng.randint(2, 90)},000."
                     + ("" if outcome == "Released in full" else " Some details were withheld.")),
        "case_type": "FOI", "category": category, "department": rng.choice(["Place", "Communities"]),
        "outcome": outcome, "exemptions": [] if outcome == "Released in full" else [rng.choice(EXEMPTIONS)],
        "received": (published - dt.timedelta(days=25)).isoformat(),
        "responded": (published - dt.timedelta(days=2)).isoformat(), "published": published.isoformat(),
    }


def _corpus() -> list[dict]:
    rng = random.Random(20260601)
    entries = [_entry(rng, n, "Allotments", f"{TOPIC} plots") for n in range(TOPIC_ENTRIES)]
    entries[0] = {**entries[0], "request": LONG_QUERY + " Thank you."}
    for n in range(OTHER_ENTRIES):
        category = list(OTHER_TOPICS)[n % len(OTHER_TOPICS)]
        entries.append(_entry(rng, TOPIC_ENTRIES + n, category, OTHER_TOPICS[category]))
    return entries


def _fields(title: str, response: str):
    from disclosure_log.entries import EntryFields

    return EntryFields(
        title=title, request=f"Please send me the figures for {title.lower()}.", response=response,
        case_type="FOI", category="Allotments", department="Place", outcome="Released in full", exemptions=(),
        received=dt.date(2025, 3, 3), responded=dt.date(2025, 3, 28), published=dt.date(2025, 4, 1),
        publish_at=None, internal_review="", ico_decision_url="")


def ensure_log(server) -> None:
    """The published log the browser checks read, made once per live server."""
    with _lock:
        if server.base_url in _made:
            return
        _publish_log(server.app)
        _made.add(server.base_url)


def _publish_log(app) -> None:
    from disclosure_log import bulk, jobs, nightly, service
    from disclosure_log.attachments import IncomingAttachment
    from disclosure_log.current import get_index

    services = app.extensions["portal.services"]
    database = app.extensions["portal.db"]
    now = services.clock.now()
    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        index = get_index()
        path = Path(folder) / "log.jsonl"
        path.write_text("".join(json.dumps(entry) + "\n" for entry in _corpus()), encoding="utf-8")
        report = bulk.run_import(database.sessionmaker, index, path, actor="browser checks", now=now)
        assert report.imported + report.already_there == TOPIC_ENTRIES + OTHER_ENTRIES, report
        with database.sessionmaker() as session:
            for reference, title, files in (
                (DOCUMENTED, "Allotment plots let and empty, by site", DOCUMENTS),
                (WITHDRAWN, "Allotment plot holders' letters", []),
            ):
                service.publish(session, services.store, services.scanner, reference=reference,
                                fields=_fields(title, "The figures for each allotment site are in the document."),
                                incoming=[IncomingAttachment(name, io.BytesIO(data)) for name, data in files],
                                override_reason="", change_note="", actor="browser checks", now=now,
                                create_only=False)
            session.commit()
            withdrawn = service.withdraw(session, reference=WITHDRAWN, actor="browser checks", now=now,
                                         reason="It named people who had not agreed to it.")
            session.commit()  # withdrawn before its files are deleted
            jobs.delete_files(service.stored_files(withdrawn))
            jobs.sync_all(database.sessionmaker, index)
            nightly.make(session, services.store, app.config["PORTAL_SETTINGS"].base_url, now)


def search_path(**args) -> str:
    return SEARCH + ("?" + urlencode(args) if args else "")


def _visit(path: str):
    def setup(page, server):
        ensure_log(server)
        return page.goto(server.url(path))
    return setup


def _on_a_phone(path: str, show_filters: bool):
    """The page at 320 px wide; show_filters: with the "Filter" button pressed (without JavaScript there is no
    button: the filters are shown anyway)."""
    def setup(page, server):
        ensure_log(server)
        page.set_viewport_size(PHONE)
        response = page.goto(server.url(path))
        toggle = page.locator("button.app-filter-toggle")
        if show_filters and toggle.is_visible():
            toggle.click()
        return response
    return setup


def _check(name: str, path: str, status: int = 200) -> PageCheck:
    return PageCheck(name, None, status, setup=_visit(path))


CHECKS = [
    _check("disclosure log search", SEARCH),
    _check("disclosure log results", search_path(q=TOPIC)),
    _check("disclosure log filters applied", search_path(q=TOPIC, outcome="Refused", department="Place",
                                                         **{"from-day": "1", "from-month": "1", "from-year": "2023"})),
    _check("disclosure log long query", search_path(q=LONG_QUERY)),
    _check("disclosure log no results", search_path(q=NO_MATCH)),
    _check("disclosure log other word forms", search_path(q=OTHER_FORMS)),
    _check("disclosure log date error", search_path(**DATE_ERROR)),
    _check("disclosure log deep page", search_path(q=TOPIC, page="4")),
    _check("disclosure log sorted oldest first", search_path(q=TOPIC, outcome="Refused", sort="oldest")),
    _check("disclosure log fifty a page", search_path(q=TOPIC, per_page="50", page="2")),
    PageCheck("disclosure log on a phone", None, setup=_on_a_phone(search_path(q=TOPIC), show_filters=False)),
    PageCheck("disclosure log on a phone, filters shown", None,
              setup=_on_a_phone(search_path(q=TOPIC, outcome="Refused"), show_filters=True)),
    _check("disclosure log download with a date error", "/disclosure-log.csv?" + urlencode(DATE_ERROR), 400),
    _check("disclosure log entry from a search", f"{SEARCH}/{DOCUMENTED}?" + urlencode(
        {"search": urlencode({"q": TOPIC, "page": "2"})})),
    _check("disclosure log entry", f"{SEARCH}/{DOCUMENTED}"),
    _check("disclosure log entry withdrawn", f"{SEARCH}/{WITHDRAWN}", 410),
    _check("disclosure log entry not found", f"{SEARCH}/FOI-NO-SUCH-ENTRY", 404),
    _check("disclosure log downloads", f"{SEARCH}/downloads"),
]

register(*CHECKS)
