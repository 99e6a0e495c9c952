"""Results for other forms of the words: said on the page, with the count for the words exactly as typed.

A plain word finds its other forms and the word without accents (complaint: complaints; café: cafe). When
that finds more than the words as typed would, the page says so and links the search with the words quoted,
so a reader who meant the exact word gets it in one step:

    These results include other forms of 'complaint', such as 'complaints'.
    Show only the 5 results for 'complaint' exactly as you typed it

The count is one more search, for the total only, and only for a query with a plain word in it.
"""
from __future__ import annotations

import dataclasses
from typing import Sequence

from markupsafe import Markup

from disclosure_log.index import SearchIndex
from disclosure_log.query import MAX_QUERY_CHARS, And, SearchRequest, Wanted, as_typed, positive_words, to_text, words

MAX_FORMS = 3


@dataclasses.dataclass(frozen=True)
class AsTyped:
    q: str  # the search box's text for the words as typed: each plain word quoted
    total: int  # what that finds, fewer than the search did
    words: tuple[str, ...]  # the plain words, which other forms were found for
    forms: tuple[str, ...] = ()  # other forms seen in this page's results, a few


def count_as_typed(index: SearchIndex, request: SearchRequest, total: int) -> AsTyped | None:
    """The search with its words as typed, when it finds fewer than `total`; None when it cannot differ."""
    query = request.query
    if query is None or total == 0:
        return None
    exact = as_typed(query)
    q = to_text(exact)
    if exact == query or len(q) > MAX_QUERY_CHARS:  # a link whose search box cuts the query would find another thing
        return None
    found = index.search(dataclasses.replace(request, query=exact, offset=0, limit=0, with_facets=False)).total
    if found >= total:
        return None
    return AsTyped(q=q, total=found, words=tuple(dict.fromkeys(w.word for w in widened(query))))


def widened(query: And) -> list[Wanted]:
    return [w for w in positive_words(query) if not w.exact and not w.prefix]


def with_forms(found: AsTyped, query: And, texts: Sequence[str | Markup]) -> AsTyped:
    """Other forms of the typed words in these texts (the results' titles and snippets), in the order met."""
    wanted = widened(query)
    forms: dict[str, None] = {}
    for text in texts:
        for token in words(text.striptags() if isinstance(text, Markup) else text):
            if token not in found.words and token not in forms and any(w.matches(token) for w in wanted):
                forms[token] = None
                if len(forms) == MAX_FORMS:
                    return dataclasses.replace(found, forms=tuple(forms))
    return dataclasses.replace(found, forms=tuple(forms))
