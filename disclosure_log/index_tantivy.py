"""The embedded search index: tantivy on local disk, no server.

One writer at a time may hold an index (tantivy's lock file), across processes: the web server, the
worker and `flask disclosure-log import` each take it briefly and wait their turn. Readers reload on
every commit, whichever process made it.

The title and body are each two fields: their words' stems (plain words search these) and their exact
forms (quoted words and phrases), made by disclosure_log.analysis and split again on the spaces between them.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import threading
import time
from pathlib import Path
from typing import Iterable

import cachetools
import tantivy

from disclosure_log.analysis import fold, stem, terms
from disclosure_log.index import IndexEntry, SearchIndexError, day_number
from disclosure_log.query import FACETS, And, Node, Not, Or, Phrase, SearchRequest, SearchResult
from portal.private_files import private_folder

TEXT_FIELDS = (("title", 2.0), ("body", 1.0))  # stems; each has an exact twin, "title_exact" and "body_exact"
EXACT = "_exact"
_REGEX_SPECIAL = re.compile(r"[\\.+*?()|\[\]{}^$#&\-~]")
FACET_BUCKETS = 2000
SET_SEPARATOR = "\x1f"
WRITER_HEAP = 128 * 1024 * 1024
WRITER_WAIT = 30.0  # seconds to wait for another process's writer before giving up


def _literal(word: str) -> str:
    """A word as a regular expression matching only itself (a folded ⒈ is "1.")."""
    return _REGEX_SPECIAL.sub(r"\\\g<0>", word)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    for name, _boost in TEXT_FIELDS:
        for field in (name, name + EXACT):  # the terms come ready-made: tantivy only splits them at the spaces
            builder.add_text_field(field, stored=False, tokenizer_name="whitespace", index_option="position")
    for facet in FACETS:
        builder.add_text_field(facet, stored=False, tokenizer_name="raw", fast=True)
    # Counting a multi-valued field costs 30 times a single-valued one: exemptions are also counted
    # as their combination (a few dozen distinct values), then split into one count per exemption.
    builder.add_text_field("exemption_set", stored=False, tokenizer_name="raw", fast=True)
    builder.add_unsigned_field("published", indexed=True, fast=True)
    builder.add_unsigned_field("visible", indexed=True, fast=True)
    builder.add_unsigned_field("sort_key", fast=True)
    return builder.build()


class TantivyIndex:
    def __init__(self, path: Path, writer_threads: int = 1, cache_size: int = 0):
        self.path = Path(path)
        # Answers are kept until the index changes (any process's commit rewrites meta.json) or the
        # minute turns (scheduled entries); a page of results and the counts are kept apart, so paging
        # through a search counts its filters once.
        self._cache = cachetools.LRUCache(maxsize=cache_size) if cache_size else None
        self._cache_lock = threading.Lock()
        private_folder(self.path)
        self.fresh = not (self.path / "meta.json").exists()  # a new index: the database must fill it
        self.schema = _schema()
        self.writer_threads = writer_threads
        self._lock = threading.Lock()
        try:
            self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        except ValueError as exc:
            raise SearchIndexError(f"search index at {self.path} cannot be opened: {exc}") from exc

    # --- writing -------------------------------------------------------------------------------

    def _writer(self, heap: int = WRITER_HEAP, threads: int | None = None):
        deadline = time.monotonic() + WRITER_WAIT
        while True:
            try:
                return self.index.writer(heap, threads or self.writer_threads)
            except ValueError as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise SearchIndexError(f"search index is busy: {exc}") from exc
                time.sleep(0.05)

    def _id_query(self, entry_id: int) -> tantivy.Query:
        # not delete_documents_by_term: it takes a Python int as i64, which never equals a u64 term
        return tantivy.Query.term_query(self.schema, "id", entry_id)

    def _document(self, entry: IndexEntry) -> tantivy.Document:
        doc = tantivy.Document()
        doc.add_unsigned("id", entry.id)
        for field, text in (("title", entry.title), ("body", entry.body)):
            exact, stems = terms(text)
            doc.add_text(field, " ".join(stems))
            doc.add_text(field + EXACT, " ".join(exact))
        for facet in ("case_type", "category", "department", "outcome"):
            if getattr(entry, facet):  # an entry without a department is not filed under ""
                doc.add_text(facet, getattr(entry, facet))
        for exemption in entry.exemptions:
            doc.add_text("exemption", exemption)
        if entry.exemptions:
            doc.add_text("exemption_set", SET_SEPARATOR.join(sorted(set(entry.exemptions))))
        doc.add_text("year", entry.year)
        doc.add_unsigned("published", day_number(entry.published))
        doc.add_unsigned("visible", int(entry.visible_from.timestamp()))
        doc.add_unsigned("sort_key", entry.sort_key)
        return doc

    @contextlib.contextmanager
    def _writing(self, threads: int | None = None):
        with self._lock:
            writer = self._writer(threads=threads)
            try:
                yield writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()  # ends the writer, so its lock is freed even after an error
        self.index.reload()

    def add(self, entries: Iterable[IndexEntry], replace: bool = True, threads: int | None = None) -> None:
        documents = [(entry.id, self._document(entry)) for entry in entries]  # bad data fails before the lock
        if not documents:
            return
        with self._writing(threads) as writer:
            for entry_id, document in documents:
                if replace:
                    writer.delete_documents_by_query(self._id_query(entry_id))
                writer.add_document(document)

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        with self._writing() as writer:
            for entry_id in ids:
                writer.delete_documents_by_query(self._id_query(entry_id))

    def clear(self) -> None:
        with self._writing() as writer:
            writer.delete_all_documents()

    # --- reading -------------------------------------------------------------------------------

    def count(self) -> int:
        return self.index.searcher().num_docs

    def ping(self) -> None:
        try:
            self.index.searcher()
        except Exception as exc:  # tantivy raises plain ValueError/OSError subclasses
            raise SearchIndexError(str(exc)) from exc

    def _text(self, node: Node) -> tantivy.Query:
        if isinstance(node, And):
            positives = [(tantivy.Occur.Must, self._text(item)) for item in node.items if not isinstance(item, Not)]
            negatives = [(tantivy.Occur.MustNot, self._text(item.item)) for item in node.items if isinstance(item, Not)]
            if not positives:
                positives = [(tantivy.Occur.Must, tantivy.Query.all_query())]
            return tantivy.Query.boolean_query(positives + negatives)
        if isinstance(node, Or):
            return tantivy.Query.boolean_query([(tantivy.Occur.Should, self._text(item)) for item in node.items])
        per_field = []
        for name, boost in TEXT_FIELDS:
            exact = name + EXACT
            if isinstance(node, Phrase):
                words = list(node.words) if node.exact else [stem(w) for w in node.words]
                queries = [tantivy.Query.phrase_query(self.schema, exact if node.exact else name, words)]
            elif node.prefix:
                queries = [tantivy.Query.regex_query(self.schema, name, _literal(fold(node.word)) + ".*"),
                           tantivy.Query.regex_query(self.schema, exact, _literal(node.word) + ".*")]
            elif node.exact:
                queries = [tantivy.Query.term_query(self.schema, exact, node.word)]
            else:
                queries = [tantivy.Query.term_query(self.schema, name, stem(node.word))]
            per_field += [(tantivy.Occur.Should, tantivy.Query.boost_query(q, boost) if boost != 1 else q) for q in queries]
        return tantivy.Query.boolean_query(per_field)

    def _query(self, request: SearchRequest, skip_facet: str | None = None) -> tantivy.Query:
        now = request.now or dt.datetime.now(dt.timezone.utc)
        clauses = [(tantivy.Occur.Must, tantivy.Query.range_query(
            self.schema, "visible", tantivy.FieldType.Unsigned, 0, int(now.timestamp())))]
        if request.visible_after is not None:  # its second is the window's last: public from the next one on
            clauses.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, "visible", tantivy.FieldType.Unsigned, int(request.visible_after.timestamp()) + 1, None)))
        if request.query is not None:
            clauses.append((tantivy.Occur.Must, self._text(request.query)))
        for facet, values in request.filters:
            if facet == skip_facet or not values:
                continue
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, facet, list(values))))
        if request.published_from or request.published_to:
            low = day_number(request.published_from) if request.published_from else None
            high = day_number(request.published_to) if request.published_to else None
            clauses.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, "published", tantivy.FieldType.Unsigned, low, high)))
        if request.sort_key_before is not None:
            newest = request.effective_sort != "oldest"
            low, high = (None, request.sort_key_before) if newest else (request.sort_key_before, None)
            clauses.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, "sort_key", tantivy.FieldType.Unsigned, low, high,
                include_lower=newest, include_upper=not newest)))
        return tantivy.Query.boolean_query(clauses)

    def _facets(self, searcher, query, facets) -> dict[str, dict[str, int]]:
        fields = {facet: "exemption_set" if facet == "exemption" else facet for facet in facets}
        aggregations = {facet: {"terms": {"field": field, "size": FACET_BUCKETS}} for facet, field in fields.items()}
        found = searcher.aggregate(query, aggregations)
        counts = {facet: {b["key"]: b["doc_count"] for b in found[facet]["buckets"]} for facet in facets}
        if "exemption" in counts:
            split: dict[str, int] = {}
            for combination, n in counts["exemption"].items():
                for exemption in combination.split(SET_SEPARATOR):
                    split[exemption] = split.get(exemption, 0) + n
            counts["exemption"] = split
        return counts

    def _generation(self) -> tuple[int, int, int]:
        """Changes with every commit: meta.json is replaced (a new inode), not written in place."""
        try:
            meta = (self.path / "meta.json").stat()
        except OSError:
            return (0, 0, 0)
        return (meta.st_ino, meta.st_mtime_ns, meta.st_size)

    def _cached(self, key, compute):
        if self._cache is None:
            return compute()
        key = (self._generation(), key)
        with self._cache_lock:
            found = self._cache.get(key)
        if found is None:
            found = compute()
            with self._cache_lock:
                self._cache[key] = found
        return found

    def search(self, request: SearchRequest) -> SearchResult:
        searcher = self.index.searcher()
        query = self._query(request)
        if not request.with_facets:
            total = searcher.search(query, 1, count=True).count  # tantivy panics on a limit of 0
            return SearchResult(total=total, ids=self._page(searcher, query, request, total), facets={})
        counts_key = dataclasses.replace(request, sort="relevance", offset=0, limit=0)
        total, facets = self._cached(counts_key, lambda: self._counts(searcher, query, request))
        ids = self._cached(request, lambda: self._page(searcher, query, request, total))
        return SearchResult(total=total, ids=list(ids), facets=facets)

    def _counts(self, searcher, query, request: SearchRequest) -> tuple[int, dict[str, dict[str, int]]]:
        selected = [facet for facet in FACETS if request.selected(facet)]
        facets = self._facets(searcher, query, [facet for facet in FACETS if facet not in selected])
        for facet in selected:  # a facet's own choice does not narrow its counts: "or" within a facet
            facets.update(self._facets(searcher, self._query(request, skip_facet=facet), [facet]))
        # Every entry has exactly one case type, so the chosen case types' counts add up to the total.
        chosen = request.selected("case_type") or tuple(facets["case_type"])
        return sum(facets["case_type"].get(value, 0) for value in chosen), facets

    def _page(self, searcher, query, request: SearchRequest, total: int) -> list[int]:
        if request.offset >= total or request.limit <= 0:
            return []
        sort = request.effective_sort
        if sort == "relevance":
            hits = searcher.search(query, request.limit, count=False, offset=request.offset).hits
            return [searcher.doc(address)["id"][0] for _score, address in hits]
        descending = sort == "newest"
        offset, limit, flip = request.offset, request.limit, False
        if offset > total // 2:  # a deep page is a shallow one counted from the other end
            end = min(offset + limit, total)
            offset, limit, flip = total - end, end - offset, True
            descending = not descending
        order = tantivy.Order.Desc if descending else tantivy.Order.Asc
        hits = searcher.search(query, limit, count=False, order_by_field="sort_key", offset=offset, order=order).hits
        ids = [key & 0xFFFFFFFF for key, _address in hits]
        return ids[::-1] if flip else ids
