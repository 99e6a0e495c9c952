"""The public search language, parsed once into a small tree that every search engine translates.

    council tax            both words (AND), in any of their forms: council, councils; taxes, tax
    "care home"            the words next to each other, exactly as typed (upper or lower case)
    parking OR permits     either
    NOT refused, -refused  without
    hert*                  words starting with "hert", with or without accents

Parsing never fails: anything else is read as words, so no query is a syntax error. Words are split
the way the indexes split text (letters and digits, lower-cased: disclosure_log.analysis), so "s.40(2)"
becomes the words "s 40 2" next to each other and finds what the index holds.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Union

from disclosure_log.analysis import fold, probe, stem, words

MAX_QUERY_CHARS = 500  # longer is cut: a search box, not a document
MAX_CLAUSES = 32
MIN_PREFIX = 2  # "a*" would expand to most of the vocabulary
FACETS = ("case_type", "category", "department", "outcome", "exemption", "year")
SORTS = ("relevance", "newest", "oldest")

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


@dataclasses.dataclass(frozen=True)
class Term:
    word: str  # as typed, lower-cased (analysis.words)
    prefix: bool = False
    exact: bool = False  # quoted: this form only, not its stem


@dataclasses.dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    exact: bool = False


@dataclasses.dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]


@dataclasses.dataclass(frozen=True)
class Not:
    item: "Node"


@dataclasses.dataclass(frozen=True)
class And:
    items: tuple["Node", ...]  # at least one is not a Not, or the query is "everything except"


Node = Union[Term, Phrase, Or, Not, And]


def _leaf(text: str, quoted: bool) -> Node | None:
    prefix = not quoted and text.endswith("*")
    found = words(text)
    if not found:
        return None
    if len(found) == 1:
        return Term(found[0], prefix=prefix and len(found[0]) >= MIN_PREFIX, exact=quoted)
    return Phrase(tuple(found), exact=quoted)


def parse(text: str) -> And | None:
    """The tree for a query, or None when it holds no words (then every entry matches)."""
    clauses: list[Node] = []
    pending_or = False
    negate = False
    for match in _TOKEN.finditer(text[:MAX_QUERY_CHARS]):
        quoted, bare = match.group(1), match.group(2)
        if bare == "OR":
            pending_or = bool(clauses) and not isinstance(clauses[-1], Not)
            continue
        if bare in ("NOT", "-"):
            negate = True
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negate, bare = True, bare[1:]
        node = _leaf(quoted if quoted is not None else bare, quoted is not None)
        if node is None:
            continue
        if negate:
            clauses.append(Not(node))
        elif pending_or:
            previous = clauses.pop()
            items = previous.items if isinstance(previous, Or) else (previous,)
            clauses.append(Or(items + (node,)))
        else:
            clauses.append(node)
        negate = pending_or = False
        if len(clauses) >= MAX_CLAUSES:
            break
    return And(tuple(clauses)) if clauses else None


@dataclasses.dataclass(frozen=True)
class Wanted:
    """One word a match shows, as the snippets look for it in a text."""

    word: str
    prefix: bool = False
    exact: bool = False

    def matches(self, token: str) -> bool:
        """Whether a word of the text (analysis.words' form) is this word as the search reads it."""
        if self.exact:
            return token == self.word
        if self.prefix:  # either form: what the engines' two prefix searches find together
            return token.startswith(self.word) or stem(token).startswith(fold(self.word))
        return stem(token) == stem(self.word)

    def in_text(self, lowered: str, folded: str) -> bool:
        """A cheap first test on the whole lower-cased text (and its fold_text): False means no word matches."""
        if self.exact:
            return self.word in lowered
        return probe(fold(self.word) if self.prefix else stem(self.word)) in folded


def positive_words(node: Node | None) -> list[Wanted]:
    """Every word a match shows: what snippets highlight."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Term):
        return [Wanted(node.word, node.prefix, node.exact)]
    if isinstance(node, Phrase):
        return [Wanted(w, exact=node.exact) for w in node.words]
    return [found for item in node.items for found in positive_words(item)]


def as_typed(node: Node) -> Node:
    """The query with every word matched only as typed, as if each were quoted (a prefix stays a prefix)."""
    if isinstance(node, Term):
        return node if node.prefix else dataclasses.replace(node, exact=True)
    if isinstance(node, Phrase):
        return dataclasses.replace(node, exact=True)
    if isinstance(node, Not):
        return Not(as_typed(node.item))
    return type(node)(tuple(as_typed(item) for item in node.items))


def to_text(node: Node) -> str:
    """The query text that parses to this tree: parse(to_text(tree)) == tree."""
    if isinstance(node, And):
        return " ".join(to_text(item) for item in node.items)
    if isinstance(node, Or):
        return " OR ".join(to_text(item) for item in node.items)
    if isinstance(node, Not):
        return "NOT " + to_text(node.item)
    if isinstance(node, Phrase):
        return f'"{" ".join(node.words)}"' if node.exact else "-".join(node.words)
    if node.exact:
        return f'"{node.word}"'
    return node.word + ("*" if node.prefix else "")


@dataclasses.dataclass(frozen=True)
class SearchRequest:
    query: And | None = None
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (facet, selected values): values OR, facets AND
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    sort: str = "relevance"
    offset: int = 0
    limit: int = 20
    now: dt.datetime | None = None  # entries scheduled after this are not public yet
    with_facets: bool = True  # False: ids and total only (related entries, exports)
    sort_key_before: int | None = None  # keyset paging for exports: only entries past this key in sort order
    # Email alerts: only entries that became public after this moment. Both bounds count in whole seconds (an entry
    # public at 09:00:00.4 is public in the second 09:00:00), so back-to-back windows neither overlap nor leave gaps.
    visible_after: dt.datetime | None = None

    def selected(self, facet: str) -> tuple[str, ...]:
        return dict(self.filters).get(facet, ())

    @property
    def effective_sort(self) -> str:
        return self.sort if self.query is not None or self.sort != "relevance" else "newest"


@dataclasses.dataclass
class SearchResult:
    total: int
    ids: list[int]  # entry ids of this page, in order
    facets: dict[str, dict[str, int]]  # facet -> value -> count; a facet's own selection does not narrow it
