"""The embedded index's answer cache: kept until the index changes, whichever process changed it."""
import datetime as dt

from disclosure_log.index import IndexEntry
from disclosure_log.index_tantivy import TantivyIndex
from disclosure_log.query import SearchRequest, parse

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)


def entry(entry_id: int, title: str) -> IndexEntry:
    return IndexEntry(id=entry_id, title=title, body="", case_type="FOI", category="Highways", department="Place",
                      outcome="Refused", exemptions=(), published=dt.date(2026, 1, 1),
                      visible_from=NOW - dt.timedelta(days=1))


def test_a_cached_answer_is_dropped_when_another_process_changes_the_index(tmp_path):
    reader = TantivyIndex(tmp_path, cache_size=100)
    writer = TantivyIndex(tmp_path)  # as the worker or another web process would open it
    writer.add([entry(1, "Zebra crossings")])
    reader.index.reload()
    request = SearchRequest(query=parse("zebra"), now=NOW)
    assert reader.search(request).ids == [1]
    assert reader.search(request).ids == [1]  # from the cache
    writer.add([entry(2, "More zebra crossings")])
    reader.index.reload()
    assert sorted(reader.search(request).ids) == [1, 2] and reader.search(request).total == 2
    writer.remove([1])
    reader.index.reload()
    assert reader.search(request).ids == [2] and reader.search(request).facets["case_type"] == {"FOI": 1}


def test_paging_reuses_the_counts_but_not_the_page(tmp_path):
    index = TantivyIndex(tmp_path, cache_size=100)
    index.add([entry(i, f"Zebra crossing {i}") for i in range(1, 31)])
    first = index.search(SearchRequest(query=parse("zebra"), sort="oldest", limit=10, now=NOW))
    second = index.search(SearchRequest(query=parse("zebra"), sort="oldest", offset=10, limit=10, now=NOW))
    assert first.ids == list(range(1, 11)) and second.ids == list(range(11, 21))
    assert first.total == second.total == 30 and first.facets is second.facets
