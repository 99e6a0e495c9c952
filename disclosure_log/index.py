"""The SearchIndex port: what the Disclosure Log needs from a full-text engine, and the choice of engine.

The database holds the entries; an index holds what search needs and answers with entry ids. The
embedded default is tantivy on local disk (chosen by measurement: bench/disclosure_engines.py); with a
PostgreSQL database the index is PostgreSQL full-text search, so every web server shares it.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Iterable, Mapping, Protocol, Sequence, runtime_checkable

from disclosure_log.query import SearchRequest, SearchResult
from portal.exceptions import ServiceUnavailable

EPOCH = dt.date(1900, 1, 1)  # entries.FIRST_YEAR: day numbers are never negative
TANTIVY_SCHEMA = 4  # a new number starts a new index folder, which the index sweep fills from the database (4: stems and exact words)


class SearchIndexError(ServiceUnavailable):
    """The index cannot be used: a 503, never a wrong answer."""

    detail = "Search is not working at the moment. Try again later."


@dataclasses.dataclass(frozen=True)
class IndexEntry:
    id: int
    title: str  # and its Welsh title (indexed_title)
    body: str  # request, response, their Welsh, and attachment text
    case_type: str
    category: str
    department: str
    outcome: str
    exemptions: tuple[str, ...]
    published: dt.date
    visible_from: dt.datetime  # UTC; not found before this moment

    @classmethod
    def from_columns(cls, entry_id: int, columns: Mapping, texts: Sequence[str] = ()) -> "IndexEntry":
        """From a disclosures row's columns and its current attachments' text (bulk import, rebuild)."""
        return cls(id=entry_id, title=indexed_title(columns["title"], columns.get("title_cy", "")),
                   body="\n".join([columns["request"], columns["response"], columns.get("request_cy", ""),
                                   columns.get("response_cy", ""), *texts]),
                   case_type=columns["case_type"], category=columns["category"], department=columns["department"],
                   outcome=columns["outcome"], exemptions=tuple(columns["exemptions"] or ()),
                   published=columns["published"], visible_from=columns["publish_at"])

    @property
    def year(self) -> str:
        return str(self.published.year)

    @property
    def sort_key(self) -> int:
        return sort_key(self.published, self.id)


def indexed_title(title: str, title_cy: str = "") -> str:
    """An entry's title as the index holds it: with its own Welsh title, when it has one, so a search in either
    language finds it by its title (the Welsh request and response join the body the same way)."""
    return f"{title}\n{title_cy}" if title_cy else title


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def sort_key(published: dt.date, entry_id: int) -> int:
    """Published date, then id: a total order, so paging from either end gives the same pages."""
    return day_number(published) << 32 | entry_id


@runtime_checkable
class SearchIndex(Protocol):
    def add(self, entries: Iterable[IndexEntry]) -> None:
        """Add entries, replacing any with the same id."""
        ...

    def remove(self, ids: Iterable[int]) -> None: ...

    def search(self, request: SearchRequest) -> SearchResult: ...

    def clear(self) -> None:
        """Empty the index (before a rebuild)."""
        ...

    def count(self) -> int: ...

    def ping(self) -> None:
        """Raise SearchIndexError when the index cannot answer."""
        ...


def make_index(settings, database) -> SearchIndex:
    """SEARCH_ENGINE: auto (PostgreSQL full text on PostgreSQL, else tantivy), postgres, tantivy (a local index the
    app writes to: one web server), or tantivy-follower (a local tantivy copy on each host that follows the database's
    change log: several web servers on one database, index_follower)."""
    engine = getattr(settings, "search_engine", "auto")
    if engine == "postgres" or (engine == "auto" and database.engine.dialect.name == "postgresql"):
        from disclosure_log.index_postgres import PostgresIndex

        return PostgresIndex(database.engine)
    from disclosure_log.index_tantivy import TantivyIndex

    local = TantivyIndex(settings.var_dir / "search" / f"disclosures-v{TANTIVY_SCHEMA}",
                         cache_size=settings.search_cache_size)
    if engine == "tantivy-follower":
        from disclosure_log.index_follower import FollowerIndex

        return FollowerIndex(local, database.engine, check_every=settings.search_follow_seconds)
    return local
