"""A search as the public asks it: the URL's parameters in, a page of entries with snippets and counts out.

The URL is the whole state, so every search is a link. Bad parameters never fail the page: a date that
is not real is reported on the field (GOV.UK error) and left out, anything else unknown is ignored.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import re
from typing import Mapping

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from disclosure_log import guard, word_forms
from disclosure_log.analysis import stem
from disclosure_log.index import SearchIndex
from disclosure_log.models import Disclosure, SearchGap
from disclosure_log.query import (FACETS, MAX_QUERY_CHARS, SORTS, And, Or, SearchRequest, SearchResult, Term, parse,
                                  positive_words, words)
from disclosure_log.presenters import Part, shown, shown_attr
from disclosure_log.snippets import opening, snippet
from disclosure_log.service import current_attachments
from portal.i18n import N_

PAGE_SIZES = (20, 50, 100)  # what the search page offers; anything else there falls back to the first
PAGE_SIZE = PAGE_SIZES[0]
JSON_PAGE_SIZE = 100
JSON_MAX_PAGE_SIZE = 1000  # a client can take a thousand a page; the CSV has every result
MAX_VALUES = 30  # per facet in one URL
MAX_VALUE_CHARS = 100
MAX_LIKE_WORDS = 12
# Words of any request, matched by any published response: left out, so a match is about the subject.
COMMON_WORDS = frozenset("""
    about also between copy copies could council councils data detail details each every figures freedom from
    have held hold include including information know like many much number numbers please provide record
    records regarding request requested requesting send since tell than that their them there these they this
    those total under what when where which with would year years your
""".split())
# ... and of titles: "Request for information: annual statistics" says what kind of answer, not about what.
TITLE_COMMON_WORDS = COMMON_WORDS | {"annual", "breakdown", "monthly", "requests", "response", "responses",
                                     "statistics"}
RELATED_WORDS = 2  # title words two entries must share to be related: one ("parking") is a coincidence
MAX_RELATED_WORDS = 8  # of a title's words, searched for in pairs
# English here, for the catalogue (N_): a page or email shows them translated, _(FACET_LABELS[facet]).
FACET_LABELS = {"case_type": N_("Type of request"), "category": N_("Category"), "department": N_("Department"),
                "outcome": N_("Outcome"), "exemption": N_("Exemption applied"), "year": N_("Year published")}
DATE_LABELS = {"from": N_("Published from"), "to": N_("Published to")}


@dataclasses.dataclass
class SearchForm:
    q: str = ""
    selected: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    dates: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)  # "from" -> {"day":..}
    sort: str = "relevance"
    per_page: int | None = None  # None: the default of where the results are shown (PAGE_SIZE, JSON_PAGE_SIZE)
    page: int = 1
    errors: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (field id, message)
    published_from: dt.date | None = None
    published_to: dt.date | None = None

    def args(self, **changes) -> list[tuple[str, str]]:
        """The query string of this search, with changes (q=, page=, sort=, per_page=, remove=(facet, value))."""
        remove = changes.pop("remove", None)
        q = changes.get("q", self.q)
        pairs: list[tuple[str, str]] = [("q", q)] if q else []
        for facet in FACETS:
            pairs += [(facet, v) for v in self.selected.get(facet, []) if (facet, v) != remove]
        for side, parts in self.dates.items():
            if remove != (side, None):
                pairs += [(f"{side}-{part}", parts[part]) for part in ("day", "month", "year") if parts.get(part)]
        sort = changes.get("sort", self.sort)
        if sort != "relevance":
            pairs.append(("sort", sort))
        per_page = changes.get("per_page", self.per_page)
        if per_page:
            pairs.append(("per_page", str(per_page)))
        page = changes.get("page", 1 if remove else self.page)
        if page > 1:
            pairs.append(("page", str(page)))
        return pairs

    def error_for(self, side: str) -> str | None:
        return next((message for field, message in self.errors if field.startswith(side + "-")), None)

    @property
    def has_filters(self) -> bool:
        return any(self.selected.values()) or bool(self.dates)

    @property
    def page_per_page(self) -> int | None:
        """This search's page size as the search page can show it (a JSON search's 1,000 cannot be)."""
        return self.per_page if self.per_page in PAGE_SIZES else None


def _clean(value: str, limit: int) -> str:
    return "".join(c for c in value if c.isprintable())[:limit].strip()


def _whole_number(value: str, digits: int) -> int | None:
    """A positive whole number written in ASCII digits ("²" is a digit to str.isdigit, not to int)."""
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= digits else None


def _per_page(form: SearchForm, value: str, json: bool) -> int | None:
    """The page size asked for. The search page offers PAGE_SIZES and quietly shows the first for anything
    else, as it does an unknown sort; JSON takes 1 to JSON_MAX_PAGE_SIZE and says when it used its default."""
    if not value:
        return None
    number = _whole_number(value, 6)
    if not json:
        return number if number in PAGE_SIZES and number != PAGE_SIZE else None
    if number is None or not 1 <= number <= JSON_MAX_PAGE_SIZE:
        form.errors.append(("per_page", _("per_page must be a whole number from 1 to %(most)s, so %(size)s a page "
                                          "are shown", most=JSON_MAX_PAGE_SIZE, size=JSON_PAGE_SIZE)))
        return None
    return None if number == JSON_PAGE_SIZE else number


def _date(form: SearchForm, side: str, args: Mapping) -> dt.date | None:
    parts = {part: _clean(args.get(f"{side}-{part}", ""), 4) for part in ("day", "month", "year")}
    if not any(parts.values()):
        return None
    form.dates[side] = parts
    missing = tuple(part for part in ("day", "month", "year") if not parts[part])
    if missing:
        form.errors.append((f"{side}-{missing[0]}", _MISSING[side][missing]()))
        return None
    try:
        day = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        if day.year < 1900:
            raise ValueError
    except ValueError:
        form.errors.append((f"{side}-day", _("Published from must be a real date") if side == "from"
                            else _("Published to must be a real date")))
        return None
    return day


# GOV.UK's date input messages, each a whole sentence so that it translates ("must include a day and month").
_MISSING = {
    "from": {
        ("day",): lambda: _("Published from must include a day"),
        ("month",): lambda: _("Published from must include a month"),
        ("year",): lambda: _("Published from must include a year"),
        ("day", "month"): lambda: _("Published from must include a day and month"),
        ("day", "year"): lambda: _("Published from must include a day and year"),
        ("month", "year"): lambda: _("Published from must include a month and year"),
    },
    "to": {
        ("day",): lambda: _("Published to must include a day"),
        ("month",): lambda: _("Published to must include a month"),
        ("year",): lambda: _("Published to must include a year"),
        ("day", "month"): lambda: _("Published to must include a day and month"),
        ("day", "year"): lambda: _("Published to must include a day and year"),
        ("month", "year"): lambda: _("Published to must include a month and year"),
    },
}


def read_form(args, json: bool = False) -> SearchForm:
    """The search in a URL's parameters; json: as /disclosure-log.json reads it (its page sizes)."""
    form = SearchForm(q=_clean(args.get("q", ""), MAX_QUERY_CHARS))
    for facet in FACETS:
        values = [_clean(v, MAX_VALUE_CHARS) for v in args.getlist(facet)[:MAX_VALUES]]
        values = list(dict.fromkeys(v for v in values if v))
        if values:
            form.selected[facet] = values
    form.published_from = _date(form, "from", args)
    form.published_to = _date(form, "to", args)
    if form.published_from and form.published_to and form.published_to < form.published_from:
        form.errors.append(("to-day", _("Published to must be the same as or after published from")))
        form.published_to = None
    sort = args.get("sort", "relevance")
    form.sort = sort if sort in SORTS else "relevance"
    form.per_page = _per_page(form, args.get("per_page", ""), json)
    form.page = max(1, _whole_number(args.get("page", ""), 9) or 1)
    return form


@dataclasses.dataclass(frozen=True)
class Excerpt:
    """A snippet and the field it came from: "response", "request" or "attachment" (with its filename)."""

    field: str
    html: Markup  # escaped, the matched words in <mark>
    filename: str | None = None
    lang: str = "en"  # the language of the text it is from

    @property
    def where(self) -> str:
        if self.field == "attachment":
            return _("Attachment: %(filename)s", filename=self.filename)
        return _("Request") if self.field == "request" else _("Response")

    @property
    def attr(self) -> Markup:
        return shown_attr(self.lang)

    @property
    def text(self) -> str:
        return self.html.striptags()


@dataclasses.dataclass
class Hit:
    entry: Disclosure
    snippets: list[Excerpt]


@dataclasses.dataclass
class SearchPage:
    form: SearchForm
    result: SearchResult
    hits: list[Hit]
    page: int
    pages: int
    page_size: int = PAGE_SIZE
    as_typed: word_forms.AsTyped | None = None  # the words found in other forms: the count as typed

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1


def to_the_minute(now: dt.datetime) -> dt.datetime:
    """Searches see the log as at the start of the minute: the same answer, and cache entry, all minute."""
    return now.replace(second=0, microsecond=0)


def run(session: Session, index: SearchIndex, form: SearchForm, now: dt.datetime,
        page_size: int = PAGE_SIZE, with_snippets: bool = True) -> SearchPage:
    """One page of a search; page_size is where it is shown's default, unless the form asks for another."""
    page_size = form.per_page or page_size
    query = parse(form.q)
    request = SearchRequest(
        query=query, filters=tuple((f, tuple(v)) for f, v in form.selected.items()),
        published_from=form.published_from, published_to=form.published_to, sort=form.sort,
        offset=(form.page - 1) * page_size, limit=page_size, now=to_the_minute(now))
    result = index.search(request)
    pages = max(1, math.ceil(result.total / page_size))
    if form.page > pages:  # past the end: show the last page rather than an empty one
        form.page = pages
        request = dataclasses.replace(request, offset=(pages - 1) * page_size)
        result = index.search(request)
    entries = {e.id: e for e in session.scalars(
        select(Disclosure).where(Disclosure.id.in_(result.ids)).options(selectinload(Disclosure.attachments)))}
    wanted = positive_words(query)
    hits = [Hit(entries[i], _snippets(entries[i], wanted) if with_snippets else [])
            for i in result.ids if i in entries]
    as_typed = word_forms.count_as_typed(index, request, result.total)
    if as_typed and with_snippets:
        as_typed = word_forms.with_forms(as_typed, query, [text for hit in hits
                                                            for text in [hit.entry.title, *(s.html for s in hit.snippets)]])
    return SearchPage(form=form, result=result, hits=hits, page=form.page, pages=pages, page_size=page_size,
                      as_typed=as_typed)


def like_text(session: Session, index: SearchIndex, text: str, now: dt.datetime, limit: int,
              exclude_id: int | None = None) -> list[Disclosure]:
    """Published entries closest to a piece of text (a title, a request being written), best first.

    Words every request uses are left out, and given four or more words an entry must share two:
    one shared word ("parking") in a paragraph is a coincidence in a log of a million answers."""
    first_forms: dict[str, str] = {}  # stem -> the form written first: one search word for complaint(s)
    for w in words(text[:5000]):
        if len(w) > 3 and not w.isdigit() and w not in COMMON_WORDS:
            first_forms.setdefault(stem(w), w)
    distinct = list(first_forms.values())[:MAX_LIKE_WORDS]
    if not distinct:
        return []
    stems = {stem(w) for w in distinct}
    wanted = 2 if len(distinct) >= 4 else 1
    query = And((Or(tuple(Term(w) for w in distinct)),))
    result = index.search(SearchRequest(query=query, limit=limit * 4 + 1, now=now, with_facets=False))
    ids = [i for i in result.ids if i != exclude_id]
    found = {e.id: e for e in session.scalars(select(Disclosure).where(Disclosure.id.in_(ids)))}
    chosen = []
    for entry_id in ids:
        entry = found.get(entry_id)
        if entry is not None and len(stems & {stem(w) for w in words(f"{entry.title} {entry.request} {entry.response} {entry.title_cy} {entry.request_cy} {entry.response_cy}")}) >= wanted:
            chosen.append(entry)
        if len(chosen) == limit:
            break
    return chosen


def title_words(title: str) -> set[str]:
    """The words of a title that say what it is about: not the ones any request's title has."""
    return {w for w in words(title) if len(w) > 3 and not w.isdigit() and w not in TITLE_COMMON_WORDS}


def related(session: Session, index: SearchIndex, entry: Disclosure, now: dt.datetime, limit: int) -> list[Disclosure]:
    """Entries whose titles share at least RELATED_WORDS of this title's words, best first.

    The index is asked for entries holding any two of them (anywhere, titles counting most), so that entries
    sharing one common word do not crowd out the rest; the titles then decide."""
    telling = title_words(entry.title)
    own = [w for w in dict.fromkeys(words(entry.title)) if w in telling][:MAX_RELATED_WORDS]
    if len(own) < RELATED_WORDS:
        return []
    pairs = tuple(And((Term(a), Term(b))) for a, b in itertools.combinations(own, 2))
    # Candidates: a pair may match in an entry's body, and the titles decide, so ask for plenty (ids only: cheap).
    result = index.search(SearchRequest(query=And((Or(pairs),)), limit=limit * 20 + 1, now=now, with_facets=False))
    ids = [i for i in result.ids if i != entry.id]
    found = {e.id: e for e in session.scalars(select(Disclosure).where(Disclosure.id.in_(ids)))}
    own_stems = {stem(w) for w in own}  # "pothole" in one title and "potholes" in another are one word
    shared = [found[i] for i in ids
              if i in found and len({stem(w) for w in title_words(found[i].title)} & own_stems) >= RELATED_WORDS]
    return shared[:limit]


def _snippets(entry: Disclosure, wanted) -> list[Excerpt]:
    """From the text the page shows (the entry's Welsh version on a Welsh page, when it has one): a word found in
    the other language's text is still highlighted there when the shown text has it."""
    found = []
    parts = shown(entry)
    fields = [("response", None, parts.response), ("request", None, parts.request)]
    fields += [("attachment", a.filename, Part(a.text, parts.lang)) for a in current_attachments(entry)]
    for field, filename, part in fields:
        marked = snippet(part.text, wanted)
        if marked:
            found.append(Excerpt(field, marked, filename, part.lang))
        if len(found) == 2:
            break
    if not found and parts.response.text:  # no words, or only the title matched: the start of the response
        start = opening(parts.response.text)
        if start:
            found.append(Excerpt("response", start, lang=parts.response.lang))
    return found


_REFERENCE = re.compile(r"^[A-Za-z]{2,5}-[A-Za-z0-9][A-Za-z0-9._-]{0,54}$")
_ONE_LETTER_PREFIX = re.compile(r"(?<![\w*])\w\*")


def as_reference(q: str) -> str | None:
    """The text of the search box when it is a reference ("FOI-2026-0042", "eir-17"), in capitals."""
    text = q.strip()
    return text.upper() if _REFERENCE.match(text) and any(c.isdigit() for c in text) else None


def query_notices(typed: str) -> list[str]:
    """What the search did with the words other than search for them, said plainly."""
    notices = []
    if len(typed) > MAX_QUERY_CHARS:
        notices.append(_("Your search was too long, so we searched for its first %(limit)s characters only.",
                         limit=MAX_QUERY_CHARS))
    if _ONE_LETTER_PREFIX.search(typed[:MAX_QUERY_CHARS]):
        notices.append(_("A * after one letter would match almost every word, so we searched for that letter as a "
                         "word. Type at least 2 letters before the *, like hou*."))
    return notices


def record_gap(session: Session, q: str, today: dt.date) -> None:
    """Count a search that found nothing: its words only, never with personal data in them, never who."""
    normalised = " ".join(words(q))[:200]
    if not normalised or guard.is_personal_query(q):
        return  # a name, postcode, registration or number in a search is someone's: never kept
    table = SearchGap.__table__
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    session.execute(insert.values(query=normalised, count=1, first_seen=today, last_seen=today)
                    .on_conflict_do_update(index_elements=["query"],
                                           set_={"count": table.c.count + 1, "last_seen": today}))


def gaps(session: Session, limit: int = 50) -> list[SearchGap]:
    return list(session.scalars(select(SearchGap).order_by(SearchGap.count.desc(), SearchGap.query).limit(limit)))
