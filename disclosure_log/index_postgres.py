"""The search index when the database is PostgreSQL: full-text search in the disclosure_search table.

The document is a tsvector written out from the same terms as the embedded index holds (disclosure_log.analysis),
never PostgreSQL's own parser or dictionaries, and queries are built as tsquery lexemes directly, so both
engines find the same entries for the same query. Each word is there twice, at the same position: its stem
('complaint') and, marked, its exact form ('=complaints'), which quoted words match. The title's words are
weight A, the body's D, one position apart so no phrase runs from one into the other (the embedded index keeps
them in two fields). PostgreSQL limits a tsvector to 1 MB and positions to 16,383: text past that is still
found by its words, but phrase matches far into a very long attachment may be missed.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from typing import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from disclosure_log.analysis import EXACT_MARK, fold, stem, terms
from disclosure_log.index import IndexEntry, SearchIndexError
from disclosure_log.query import FACETS, And, Node, Not, Or, Phrase, SearchRequest, SearchResult, Term

MAX_DOCUMENT_CHARS = 400_000  # well inside the 1 MB tsvector limit
MAX_POSITION = 16_383  # PostgreSQL's: later positions are read as this one


def _quoted(word: str) -> str:
    """A lexeme as tsvector and tsquery input write it (words hold no quote or backslash; kept safe anyway)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def document(title: str, body: str) -> str:
    """The tsvector input for an entry: "'complaint':1A '=complaints':1A ...".

    Terms are letters and digits, lower-cased or folded: never a quote, backslash or space, so none is escaped
    (a bulk import writes millions of them)."""
    parts, last = [], 0
    for weight, value in (("A", title), ("", body[:MAX_DOCUMENT_CHARS])):  # "": weight D, the default
        exact, stems = terms(value)
        for position, (word, stemmed) in enumerate(zip(exact, stems), last + 1):
            at = f":{position if position < MAX_POSITION else MAX_POSITION}{weight}"
            parts.append(f"'{stemmed}'{at} '{EXACT_MARK}{word}'{at}")
        last += len(exact) + 1  # a position between title and body
    return " ".join(parts)


def tsquery(node: Node) -> str:
    if isinstance(node, And):
        return "(" + " & ".join(tsquery(item) for item in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(tsquery(item) for item in node.items) + ")"
    if isinstance(node, Not):
        return "!" + tsquery(node.item)
    if isinstance(node, Phrase):
        lexemes = [EXACT_MARK + w for w in node.words] if node.exact else [stem(w) for w in node.words]
        return "(" + " <-> ".join(_quoted(w) for w in lexemes) + ")"
    assert isinstance(node, Term)
    if node.prefix:  # either form, as the embedded index searches both its fields
        return f"({_quoted(fold(node.word))}:* | {_quoted(EXACT_MARK + node.word)}:*)"
    return _quoted(EXACT_MARK + node.word if node.exact else stem(node.word))


def _next_second(moment: dt.datetime) -> dt.datetime:
    return moment.replace(microsecond=0) + dt.timedelta(seconds=1)


class PostgresIndex:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, entries: Iterable[IndexEntry], replace: bool = True, threads: int | None = None) -> None:
        rows = [{
            "id": e.id, "document": document(e.title, e.body),
            "visible_from": e.visible_from, "published": e.published, "sort_key": e.sort_key,
            "case_type": e.case_type, "category": e.category, "department": e.department, "outcome": e.outcome,
            "exemptions": list(e.exemptions), "year": e.year,
        } for e in entries]
        if not rows:
            return
        with self._connection() as connection:
            connection.execute(text(
                "insert into disclosure_search (entry_id, document, visible_from, published, sort_key, case_type,"
                " category, department, outcome, exemptions, year) values (:id, cast(:document as tsvector),"
                " :visible_from, :published, :sort_key, :case_type, :category, :department, :outcome, :exemptions, :year)"
                " on conflict (entry_id) do update set document = excluded.document, visible_from = excluded.visible_from,"
                " published = excluded.published, sort_key = excluded.sort_key, case_type = excluded.case_type,"
                " category = excluded.category, department = excluded.department, outcome = excluded.outcome,"
                " exemptions = excluded.exemptions, year = excluded.year"), rows)

    def remove(self, ids: Iterable[int]) -> None:
        with self._connection() as connection:
            connection.execute(text("delete from disclosure_search where entry_id = any(:ids)"), {"ids": list(ids)})

    def clear(self) -> None:
        with self._connection() as connection:
            connection.execute(text("delete from disclosure_search"))

    def count(self) -> int:
        with self._connection() as connection:
            return connection.execute(text("select count(*) from disclosure_search")).scalar_one()

    def ping(self) -> None:
        self.count()

    @contextlib.contextmanager
    def _connection(self):
        try:
            with self.engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise SearchIndexError(str(exc)) from exc

    def _where(self, request: SearchRequest, skip_facet: str | None = None) -> tuple[str, dict]:
        # In whole seconds, as the embedded index keeps them: public in the second of `now` or before.
        conditions = ["visible_from < :visible_before"]
        params: dict = {"visible_before": _next_second(request.now or dt.datetime.now(dt.timezone.utc))}
        if request.visible_after is not None:
            conditions.append("visible_from >= :public_from")
            params["public_from"] = _next_second(request.visible_after)
        if request.query is not None:
            conditions.append("document @@ cast(:q as tsquery)")
            params["q"] = tsquery(request.query)
        for facet, values in request.filters:
            if facet == skip_facet or not values:
                continue
            params[f"f_{facet}"] = list(values)
            column = "exemptions && cast(:f_exemption as text[])" if facet == "exemption" else f"{facet} = any(:f_{facet})"
            conditions.append(column)
        if request.published_from:
            conditions.append("published >= :published_from")
            params["published_from"] = request.published_from
        if request.published_to:
            conditions.append("published <= :published_to")
            params["published_to"] = request.published_to
        if request.sort_key_before is not None:
            conditions.append("sort_key > :sort_key_before" if request.effective_sort == "oldest"
                              else "sort_key < :sort_key_before")
            params["sort_key_before"] = request.sort_key_before
        return " and ".join(conditions), params

    def _facets(self, connection, request: SearchRequest, facets, skip_facet: str | None = None) -> dict:
        where, params = self._where(request, skip_facet)
        counts: dict[str, dict[str, int]] = {}
        for facet in facets:
            column = "unnest(exemptions)" if facet == "exemption" else facet
            rows = connection.execute(text(
                f"select value, count(*) from (select {column} as value from disclosure_search where {where}) found"
                " where value <> '' group by value order by count(*) desc, value"), params)
            counts[facet] = {value: n for value, n in rows}
        return counts

    def search(self, request: SearchRequest) -> SearchResult:
        with self._connection() as connection:
            where, params = self._where(request)
            if request.with_facets:
                selected = [facet for facet in FACETS if request.selected(facet)]
                facets = self._facets(connection, request, [f for f in FACETS if f not in selected])
                for facet in selected:
                    facets.update(self._facets(connection, request, [facet], skip_facet=facet))
                chosen = request.selected("case_type") or tuple(facets["case_type"])
                total = sum(facets["case_type"].get(value, 0) for value in chosen)
            else:
                facets = {}
                total = connection.execute(text(f"select count(*) from disclosure_search where {where}"), params).scalar_one()
            order = {
                "relevance": "ts_rank(document, cast(:q as tsquery)) desc, sort_key desc",
                "newest": "sort_key desc",
                "oldest": "sort_key",
            }[request.effective_sort]
            rows = connection.execute(text(
                f"select entry_id from disclosure_search where {where} order by {order} limit :limit offset :offset"),
                {**params, "limit": request.limit, "offset": request.offset})
            return SearchResult(total=total, ids=[row[0] for row in rows], facets=facets)
