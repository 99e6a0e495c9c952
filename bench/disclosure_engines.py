"""Which embedded search engine for the Disclosure Log: SQLite FTS5 or tantivy? (issue 6). Prints figures only.

    .venv/bin/python bench/disclosure_engines.py --entries 1000000

Both engines get the same entries from bench/gen_disclosures.py (JSON lines, generated into
bench/results/ once per size) and answer the same mix of searches the way the search page needs them:
the total, counts for the six filters (case type, category, department, outcome, exemption, year) and
the first page of 20 by relevance (or by date for a filter-only search).

  tantivy: the shipped adapter, disclosure_log.index_tantivy.TantivyIndex (one writer thread per core).
  FTS5:    a contentless-external FTS5 table over title, request and response (unicode61 tokenizer),
           joined to the entries table for filters and counts: count(*), one GROUP BY per filter
           (json_each for exemptions) and ORDER BY rank LIMIT 20 (bm25).

Reported per engine: build time, size on disk, and per query kind p50/p95/max over --rounds rounds
(the first round warms the page cache and is not counted). Single thread, no HTTP: engine cost only;
bench/disclosure_search.py measures whole pages through the production server.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from disclosure_log.index import IndexEntry, SearchIndexError  # noqa: E402
from disclosure_log.index_tantivy import TantivyIndex  # noqa: E402
from disclosure_log.query import SearchRequest, parse  # noqa: E402

RESULTS = ROOT / "bench" / "results"
GENERATOR = ROOT / "bench" / "gen_disclosures.py"
NOW = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)

# (kind, query text, filters) — FTS5 syntax is derived from the same words below.
MIX = [
    ("rare word", "gritting", ()),
    ("rare word", "bailiff", ()),
    ("common word", "council", ()),
    ("common word", "information", ()),
    ("two words", "parking permits", ()),
    ("phrase", '"care home placements"', ()),
    ("OR", "gritting OR potholes", ()),
    ("NOT", "parking -permits", ()),
    ("prefix", "hert*", ()),
    ("text + filter", "housing", (("category", ("Housing",)), ("year", ("2024",)))),
    ("filter only", "", (("case_type", ("EIR",)), ("outcome", ("Refused",)))),
    ("no query", "", ()),
]
FTS5 = {
    "gritting": "gritting", "bailiff": "bailiff", "council": "council", "information": "information",
    "parking permits": "parking permits", '"care home placements"': '"care home placements"',
    "gritting OR potholes": "gritting OR potholes", "parking -permits": "parking NOT permits",
    "hert*": "hert*", "housing": "housing",
}
FACETS = ("case_type", "category", "department", "outcome", "year")


def corpus(n: int) -> Path:
    path = RESULTS / f"disclosures-{n}.jsonl"
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        with path.open("w") as out:
            subprocess.run([sys.executable, str(GENERATOR), str(n)], stdout=out, check=True)
    return path


def entries(path: Path):
    for n, line in enumerate(path.open(), 1):
        r = json.loads(line)
        published = dt.date.fromisoformat(r["published"])
        yield n, r, IndexEntry(
            id=n, title=r["title"], body=r["request"] + "\n" + r["response"], case_type=r["case_type"],
            category=r["category"], department=r["department"], outcome=r["outcome"],
            exemptions=tuple(r["exemptions"]), published=published,
            visible_from=dt.datetime.combine(published, dt.time(9), dt.timezone.utc))


def build_tantivy(path: Path, where: Path) -> TantivyIndex:
    shutil.rmtree(where, ignore_errors=True)
    index = TantivyIndex(where, writer_threads=os.cpu_count() or 1)
    batch = []
    for _n, _r, entry in entries(path):
        batch.append(entry)
        if len(batch) == 100_000:
            index.add(batch, replace=False)
            batch = []
    index.add(batch, replace=False)
    return index


def build_fts5(path: Path, where: Path) -> sqlite3.Connection:
    where.unlink(missing_ok=True)
    db = sqlite3.connect(where)
    db.execute("pragma journal_mode=wal")
    db.execute("create table d (id integer primary key, title text, request text, response text, case_type text,"
               " category text, department text, outcome text, exemptions text, year text, published text)")
    db.execute("create virtual table f using fts5(title, request, response, content='d', content_rowid='id')")
    rows = ((n, r["title"], r["request"], r["response"], r["case_type"], r["category"], r["department"],
             r["outcome"], json.dumps(r["exemptions"]), r["published"][:4], r["published"]) for n, r, _e in entries(path))
    db.executemany("insert into d values (?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.execute("insert into f(f) values('rebuild')")
    for column in FACETS + ("published",):
        db.execute(f"create index d_{column} on d({column})")
    db.commit()
    return db


def fts5_search(db: sqlite3.Connection, q: str, filters) -> tuple[int, dict, list]:
    where, params = [], []
    if q:
        where.append("d.id in (select rowid from f where f match ?)")
        params.append(FTS5[q])
    for facet, values in filters:
        where.append(f"d.{facet} in ({','.join('?' * len(values))})")
        params += list(values)
    clause = (" where " + " and ".join(where)) if where else ""
    total = db.execute(f"select count(*) from d{clause}", params).fetchone()[0]
    facets = {facet: dict(db.execute(f"select {facet}, count(*) from d{clause} group by {facet}", params))
              for facet in FACETS}
    facets["exemption"] = dict(db.execute(
        f"select e.value, count(*) from d, json_each(d.exemptions) e{clause} group by e.value", params))
    if q:
        top = db.execute(f"select d.id from f join d on d.id = f.rowid where f match ?"
                         f"{''.join(' and ' + w for w in where[1:])} order by f.rank limit 20",
                         [FTS5[q]] + params[1:]).fetchall()
    else:
        top = db.execute(f"select id from d{clause} order by published desc limit 20", params).fetchall()
    return total, facets, top


def timed(fn, rounds: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def size(path: Path) -> int:
    if path.is_file():
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true", help="reuse the indexes in bench/results/ (tantivy's is"
                        " rebuilt if its schema changed)")
    args = parser.parse_args()
    path = corpus(args.entries)
    tantivy_dir, fts5_path = RESULTS / f"engines-tantivy-{args.entries}", RESULTS / f"engines-fts5-{args.entries}.sqlite3"
    built = {}
    index = db = None
    if args.skip_build and fts5_path.exists():
        db = sqlite3.connect(fts5_path)
        try:
            index = TantivyIndex(tantivy_dir)
        except SearchIndexError:  # built with an older schema
            index = None
    if index is None:
        started = time.perf_counter()
        index = build_tantivy(path, tantivy_dir)
        built["tantivy"] = time.perf_counter() - started
    if db is None:
        started = time.perf_counter()
        db = build_fts5(path, fts5_path)
        built["fts5"] = time.perf_counter() - started
    report = {"entries": args.entries, "load_average": os.getloadavg(), "build_seconds": built,
              "size_bytes": {"tantivy": size(tantivy_dir), "fts5 (entries + index)": size(fts5_path)}, "queries": []}
    print(f"{args.entries:,} entries; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for engine, seconds in built.items():
        print(f"  {engine} build {seconds:,.0f} s")
    for engine, nbytes in report["size_bytes"].items():
        print(f"  {engine} on disk {nbytes / 1e6:,.0f} MB")
    print(f"\n{'query':38} {'matches':>9} {'tantivy p50/p95 ms':>20} {'FTS5 p50/p95 ms':>18} {'ratio p95':>9}")
    for kind, q, filters in MIX:
        request = SearchRequest(query=parse(q), filters=filters, now=NOW)
        result = index.search(request)
        fts_total = fts5_search(db, q, filters)[0]
        tv = timed(lambda: index.search(request), args.rounds)
        fs = timed(lambda: fts5_search(db, q, filters), max(1, min(args.rounds, 3)))
        p = lambda xs, q_: statistics.quantiles(xs, n=20)[18] if len(xs) >= 2 and q_ == 95 else statistics.median(xs)
        row = {"kind": kind, "q": q, "filters": filters, "matches": result.total, "fts5_matches": fts_total,
               "tantivy_ms": {"p50": statistics.median(tv), "p95": p(tv, 95), "max": max(tv)},
               "fts5_ms": {"p50": statistics.median(fs), "p95": p(fs, 95), "max": max(fs)}}
        report["queries"].append(row)
        label = f"{kind}: {q or '-'}{' +filters' if filters else ''}"
        print(f"{label[:38]:38} {result.total:>9,} {row['tantivy_ms']['p50']:>9.1f}/{row['tantivy_ms']['p95']:<9.1f}"
              f" {row['fts5_ms']['p50']:>8.0f}/{row['fts5_ms']['p95']:<8.0f} {row['fts5_ms']['p95'] / row['tantivy_ms']['p95']:>8.0f}x"
              + ("" if fts_total == result.total else f"  (FTS5 counts {fts_total:,}: tokenizers differ)"))
    (RESULTS / "disclosure_engines.json").write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
