"""Search correctness on both engines: tantivy (SQLite database) and PostgreSQL full-text search.

Every query runs against the engine and against a brute-force reading of the same corpus in Python;
they must agree on the entries found, the total, every facet count and, for date sorts, the order of
every page down to the last. So both engines give the same results because both give the right ones.
The corpus has words in several forms, with and without accents, for plain words (any form), quoted ones
(exactly as written) and prefixes (either).
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter

import pytest

from disclosure_log import bulk
from disclosure_log.analysis import fold, stem
from disclosure_log.models import Disclosure
from disclosure_log.query import FACETS, And, Not, Or, Phrase, SearchRequest, Term, parse, words
from disclosure_log.current import get_index

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
TOPICS = ["care home placements", "home care visits", "pothole claims", "parking permits", "school transport",
          "fly-tipping incidents", "housing repairs", "council tax arrears", "tree preservation orders"]
PLACES = ["Hertford", "Hertingfordbury", "Ware", "Harlow", "Royston"]
CATEGORIES = ["Housing", "Highways", "Adult social care", "Environment"]
DEPARTMENTS = ["Resources", "Communities", "Place"]
OUTCOMES = ["Released in full", "Partially released", "Refused", "Information not held"]
EXEMPTIONS = ["s.40(2) personal information", "s.43 commercial interests", "reg.12(4)(b) manifestly unreasonable"]
REMARKS = ["", "", "See our complaints procedure.", "One complaint was about the Café on the Green.",
           "Residents complained to the cafe owner.", "The complaints procedure was followed.",
           "A résumé of the Straße scheme is attached.", "The resume of the strasse scheme is attached.",
           "Complaining about naïve figures.", "Parked cars were complaints too."]


def corpus(n: int = 240, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    entries = []
    for i in range(n):
        topic, other = rng.sample(TOPICS, 2)
        place = rng.choice(PLACES)
        published = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 1800))
        outcome = rng.choice(OUTCOMES)
        publish_at = dt.datetime.combine(published, dt.time(9), dt.timezone.utc)
        if i % 40 == 0:  # scheduled: public only after NOW
            publish_at = NOW + dt.timedelta(hours=1)
        entries.append({
            "reference": f"FOI-T-{i:05d}", "title": f"{topic.capitalize()} in {place}",
            "request": f"Please tell me about {topic} and {other} in {place}.",
            "response": f"The figures for {other} are attached. Nothing about {rng.choice(TOPICS)} was held. "
                        + rng.choice(REMARKS),
            "case_type": rng.choice(["FOI", "FOI", "EIR"]), "category": rng.choice(CATEGORIES),
            "department": rng.choice(DEPARTMENTS), "outcome": outcome,
            "exemptions": [] if outcome == "Released in full" else rng.sample(EXEMPTIONS, rng.choice([1, 2])),
            "received": (published - dt.timedelta(days=20)).isoformat(), "published": published.isoformat(),
            "publish_at": publish_at.isoformat(),
        })
    return entries


# --- the brute-force reading -------------------------------------------------------------------

def _matches(node, title: list[str], body: list[str]) -> bool:
    if isinstance(node, And):
        return all(_matches(item, title, body) for item in node.items)
    if isinstance(node, Or):
        return any(_matches(item, title, body) for item in node.items)
    if isinstance(node, Not):
        return not _matches(node.item, title, body)
    if isinstance(node, Phrase):
        n = len(node.words)
        wanted = node.words if node.exact else tuple(stem(w) for w in node.words)
        fields = (title, body) if node.exact else ([stem(t) for t in title], [stem(t) for t in body])
        return any(tuple(tokens[i:i + n]) == wanted for tokens in fields for i in range(len(tokens)))
    assert isinstance(node, Term)
    if node.exact:
        return node.word in title + body
    if node.prefix:
        return any(t.startswith(node.word) or stem(t).startswith(fold(node.word)) for t in title + body)
    return any(stem(t) == stem(node.word) for t in title + body)


def _facet_values(entry: dict, facet: str) -> list[str]:
    if facet == "exemption":
        return entry["exemptions"]
    if facet == "year":
        return [entry["published"][:4]]
    return [entry[facet]]


def expected(entries: list[dict], request: SearchRequest):
    def keep(entry, skip=None):
        if dt.datetime.fromisoformat(entry["publish_at"]) > NOW:
            return False
        if request.query and not _matches(request.query, words(entry["title"]),
                                          words(entry["request"] + "\n" + entry["response"])):
            return False
        for facet, values in request.filters:
            if facet != skip and values and not set(values) & set(_facet_values(entry, facet)):
                return False
        published = dt.date.fromisoformat(entry["published"])
        if request.published_from and published < request.published_from:
            return False
        return not (request.published_to and published > request.published_to)

    found = [e for e in entries if keep(e)]
    facets = {}
    for facet in FACETS:
        skip = facet if request.selected(facet) else None
        counts = Counter(v for e in entries if keep(e, skip) for v in _facet_values(e, facet))
        facets[facet] = dict(counts)
    return found, facets


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture
def searchable(db_app, tmp_path, clock):
    entries = corpus()
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))
    clock.current = NOW
    with db_app.app_context():
        database = db_app.extensions["portal.db"]
        index = get_index()
        report = bulk.run_import(database.sessionmaker, index, path, actor="test", now=NOW, batch_size=100)
        assert report.imported == len(entries)
        with database.sessionmaker() as session:
            ids = dict(session.query(Disclosure.reference, Disclosure.id))
        yield index, entries, ids


QUERIES = [
    "", "home", "care home", '"care home"', '"home care"', "pothole OR parking", "parking OR pothole OR school",
    "home -care", "home NOT care", "NOT Harlow", "hert*", "Hertford", "hertingfordbury", '"tax arrears" OR tree*',
    "s.40(2)", "nothingmatchesthis", "claims Ware", '"care home" -Royston', "fly-tipping",
    # word forms and accents: plain words in any form, quoted ones as written, prefixes either way
    "complaint", "complaints", "COMPLAINED", '"complaints"', '"Complaint"', "complaints procedure",
    '"complaints procedure"', '"complaint procedure"', "complain*", "café", "cafe", '"café"', '"cafe"', "caf*",
    '"caf"', "résumé", "resume", '"résumé"', "strasse", '"strasse"', "straße", "naive", '"naive"',
    '"complaint" OR cafe', "complained -café", 'compl* NOT "complaints"', "parking", '"parked"', "park*",
]
FILTERS = [
    (), (("case_type", ("EIR",)),), (("category", ("Housing", "Highways")),),
    (("exemption", ("s.43 commercial interests",)), ("outcome", ("Refused", "Partially released"))),
    (("year", ("2023",)), ("department", ("Place",))),
]


@pytest.mark.integration
@pytest.mark.parametrize("q", QUERIES)
def test_text_queries_find_exactly_the_right_entries_with_right_counts(searchable, q):
    index, entries, ids = searchable
    for filters in FILTERS:
        request = SearchRequest(query=parse(q), filters=filters, limit=1000, now=NOW)
        result = index.search(request)
        found, facets = expected(entries, request)
        assert result.total == len(found), (q, filters)
        assert sorted(result.ids) == sorted(ids[e["reference"]] for e in found), (q, filters)
        assert result.facets == facets, (q, filters)


@pytest.mark.integration
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_page_to_the_last_page_in_a_total_order(searchable, sort):
    index, entries, ids = searchable
    query = parse("home OR parking")
    found, _ = expected(entries, SearchRequest(query=query, now=NOW))
    order = sorted(found, key=lambda e: (e["published"], ids[e["reference"]]), reverse=sort == "newest")
    want = [ids[e["reference"]] for e in order]
    pages, offset = [], 0
    while offset < len(want):  # small pages, so the far half is served counted from the other end
        pages += index.search(SearchRequest(query=query, sort=sort, offset=offset, limit=7, now=NOW)).ids
        offset += 7
    assert pages == want
    past_end = index.search(SearchRequest(query=query, sort=sort, offset=len(want), limit=7, now=NOW))
    assert past_end.ids == [] and past_end.total == len(want)


@pytest.mark.integration
def test_relevance_puts_title_matches_first_and_pages_do_not_overlap(searchable):
    index, entries, ids = searchable
    query = parse("parking")
    everything = index.search(SearchRequest(query=query, limit=1000, now=NOW)).ids
    by_id = {ids[e["reference"]]: e for e in entries}
    in_title = [i for i in everything if "parking" in by_id[i]["title"].lower()]
    assert in_title and everything[:len(in_title)] == in_title
    paged = []
    for offset in range(0, len(everything), 9):
        paged += index.search(SearchRequest(query=query, offset=offset, limit=9, now=NOW)).ids
    assert sorted(paged) == sorted(everything) and len(set(paged)) == len(paged)


@pytest.mark.integration
def test_published_date_range_is_inclusive(searchable):
    index, entries, ids = searchable
    day = dt.date.fromisoformat(entries[5]["published"])
    request = SearchRequest(published_from=day, published_to=day, limit=1000, now=NOW)
    found, _ = expected(entries, request)
    assert ids[entries[5]["reference"]] in index.search(request).ids
    assert index.search(request).total == len(found) >= 1


@pytest.mark.integration
def test_scheduled_entries_appear_at_their_moment(searchable):
    index, entries, ids = searchable
    scheduled = ids[entries[0]["reference"]]
    request = SearchRequest(query=parse(entries[0]["title"]), limit=1000, now=NOW)
    assert scheduled not in index.search(request).ids
    later = SearchRequest(query=request.query, limit=1000, now=NOW + dt.timedelta(hours=2))
    assert scheduled in index.search(later).ids


@pytest.mark.integration
def test_entries_public_after_a_moment_are_counted_in_whole_seconds_on_both_engines(searchable):
    """Email alerts check back-to-back windows of time: whatever the fractions of a second, each entry falls in
    exactly one window, and both engines agree on which."""
    import math

    from disclosure_log.index import IndexEntry

    index, entries, ids = searchable
    start = NOW - dt.timedelta(hours=1)
    moments = {}  # entry id -> when it became public, every half second and some odd fractions
    for n, entry in enumerate(entries[1:41]):
        moment = start + dt.timedelta(seconds=n / 2 + (0.001 if n % 3 == 0 else 0) + (0.998 if n % 7 == 0 else 0))
        moments[ids[entry["reference"]]] = moment
        index.add([IndexEntry(
            id=ids[entry["reference"]], title=entry["title"], body=entry["request"] + "\n" + entry["response"],
            case_type=entry["case_type"], category=entry["category"], department=entry["department"],
            outcome=entry["outcome"], exemptions=tuple(entry["exemptions"]),
            published=dt.date.fromisoformat(entry["published"]), visible_from=moment)])

    def second(moment: dt.datetime) -> int:
        return math.floor(moment.timestamp())

    def window(after: dt.datetime, until: dt.datetime, query=None) -> set[int]:
        request = SearchRequest(query=query, limit=1000, now=until, visible_after=after, with_facets=False)
        result = index.search(request)
        assert result.total == len(result.ids)
        return set(result.ids)

    # Windows ending at whole seconds and at fractions of one: each covers (after's second, until's second].
    cuts = [start - dt.timedelta(seconds=1)] + [start + dt.timedelta(seconds=s) for s in (0.4, 3, 3.7, 7.999, 12, 25)]
    seen: list[int] = []
    for after, until in zip(cuts, cuts[1:]):
        found = window(after, until)
        assert found == {i for i, m in moments.items() if second(after) < second(m) <= second(until)}, (after, until)
        seen += found
    assert sorted(seen) == sorted(moments) and len(seen) == len(set(seen))  # every entry once, in one window
    query = parse("home OR parking")
    assert window(cuts[0], cuts[-1], query) == {i for i in window(cuts[0], cuts[-1], None)
                                                if i in set(index.search(SearchRequest(query=query, limit=1000,
                                                                                       now=NOW)).ids)}


@pytest.mark.integration
def test_removed_and_replaced_entries_leave_the_index(searchable):
    index, entries, ids = searchable
    first = ids[entries[1]["reference"]]
    index.remove([first])
    assert first not in index.search(SearchRequest(limit=1000, now=NOW)).ids
    total = index.count()
    from disclosure_log.index import IndexEntry

    index.add([IndexEntry(id=first, title="Unique zebra crossings", body="zebra", case_type="FOI", category="Highways",
                          department="Place", outcome="Refused", exemptions=(), published=dt.date(2024, 1, 1),
                          visible_from=NOW - dt.timedelta(days=1))])
    index.add([IndexEntry(id=first, title="Unique pelican crossings", body="pelican", case_type="FOI",
                          category="Highways", department="Place", outcome="Refused", exemptions=(),
                          published=dt.date(2024, 1, 1), visible_from=NOW - dt.timedelta(days=1))])
    assert index.count() == total + 1
    assert index.search(SearchRequest(query=parse("zebra"), now=NOW)).total == 0
    assert index.search(SearchRequest(query=parse("pelican"), now=NOW)).ids == [first]


@pytest.mark.integration
def test_related_entries_share_two_title_words_on_both_engines(searchable, db_app):
    from disclosure_log.analysis import stem
    from disclosure_log.search import MAX_RELATED_WORDS, related, title_words

    index, entries, ids = searchable
    public = [e for e in entries if dt.datetime.fromisoformat(e["publish_at"]) <= NOW]
    shown = 0
    with db_app.extensions["portal.db"].sessionmaker() as session:
        for entry in public[:: len(public) // 12]:
            own = [w for w in dict.fromkeys(words(entry["title"])) if w in title_words(entry["title"])]
            own = {stem(w) for w in own[:MAX_RELATED_WORDS]}  # pothole and potholes are one word
            sharing = {e["reference"] for e in public
                       if e is not entry and len({stem(w) for w in title_words(e["title"])} & own) >= 2}
            found = related(session, index, session.get(Disclosure, ids[entry["reference"]]), NOW, limit=5)
            references = [e.reference for e in found]
            assert set(references) <= sharing and len(references) == min(5, len(sharing)), entry["title"]
            shown += len(references)
    assert shown >= 12 * 3  # most titles here share a topic's two words with many others
