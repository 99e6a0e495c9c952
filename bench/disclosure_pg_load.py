"""A bench-only loader: a JSON-lines corpus into a migrated PostgreSQL database with COPY, in minutes not an hour.

bench/disclosure_search.py --database-url URL --bulk-load uses it in place of `flask disclosure-log import`, whose
rate on PostgreSQL (442 entries/s at 100k) is set by inserting into disclosure_search one row at a time with its
GIN index kept up to date. Here every line still goes through the product's own checks (bulk._check_batch:
parsing, validation, the publish guard) and the product's own search document (index_postgres.document), but the
rows are COPYed by N processes into the tables with their secondary indexes dropped, which are built once at the
end. Not for a live database: it assumes an empty one (ids are the line numbers).

    .venv/bin/python bench/disclosure_pg_load.py bench/results/disclosures-1000000.jsonl postgresql://... [--workers 2]
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import multiprocessing
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 5000
SEARCH_COLUMNS = ("entry_id", "document", "visible_from", "published", "sort_key", "case_type", "category",
                  "department", "outcome", "exemptions", "year")
# built after the COPY (as 0005 made them): (drop, create)
INDEXES = (
    ("ix_disclosure_search_document", "create index ix_disclosure_search_document on disclosure_search using gin (document)"),
    ("ix_disclosure_search_sort_key", "create index ix_disclosure_search_sort_key on disclosure_search (sort_key)"),
)


def _connect(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))


def _load_chunk(args) -> tuple[int, int]:
    """One chunk of lines (first id, lines): checked as the import checks them, COPYed into both tables."""
    url, first_id, lines, now = args
    from psycopg.types.json import Jsonb  # noqa: F401 - json columns take the text of the JSON

    from disclosure_log import bulk, guard
    from disclosure_log.index import IndexEntry
    from disclosure_log.index_postgres import document

    rows, _report = bulk._check_batch(lines, "", now, guard.NO_ONE_ALLOWED)
    by_line = {row["reference"]: row for row in rows}
    ids = {}
    for offset, (_number, line) in enumerate(lines):
        reference = json.loads(line).get("reference")
        if reference in by_line and reference not in ids:
            ids[reference] = first_id + offset
    with _connect(url) as connection, connection.cursor() as cursor:
        columns = ["id", *rows[0].keys()] if rows else []
        with cursor.copy(f"copy disclosures ({', '.join(columns)}) from stdin") as copy:
            for row in rows:
                values = [ids[row["reference"]]]
                for name in columns[1:]:
                    value = row[name]
                    if name == "exemptions":
                        value = json.dumps(value)
                    elif name == "index_state":
                        value = "done"
                    values.append(value)
                copy.write_row(values)
        with cursor.copy(f"copy disclosure_search ({', '.join(SEARCH_COLUMNS)}) from stdin") as copy:
            for row in rows:
                e = IndexEntry.from_columns(ids[row["reference"]], row)
                copy.write_row([e.id, document(e.title, e.body), e.visible_from, e.published, e.sort_key, e.case_type,
                                e.category, e.department, e.outcome, list(e.exemptions), e.year])
    return len(lines), len(rows)


def load(path: Path, url: str, workers: int = 2, progress=print) -> dict:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    started = time.monotonic()
    with _connect(url) as connection:
        for name, _create in INDEXES:
            connection.execute(f"drop index if exists {name}")
    read = imported = 0

    def chunks():
        with path.open(encoding="utf-8") as handle:
            numbered = enumerate(handle, 1)
            while True:
                lines = list(itertools.islice(numbered, CHUNK))
                if not lines:
                    return
                yield url, lines[0][0], lines, now

    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        for n_read, n_imported in pool.imap(_load_chunk, chunks()):
            read += n_read
            imported += n_imported
            if read % 100_000 < CHUNK:
                progress(f"  {read:,} lines loaded ({read / (time.monotonic() - started):,.0f} lines/s)")
    copied = time.monotonic() - started
    with _connect(url) as connection:
        connection.autocommit = True
        connection.execute("set maintenance_work_mem = '512MB'")
        for _name, create in INDEXES:
            connection.execute(create)
        connection.execute("select setval(pg_get_serial_sequence('disclosures', 'id'), (select max(id) from disclosures))")
        connection.execute("analyze disclosures")
        connection.execute("analyze disclosure_search")
    seconds = time.monotonic() - started
    return {"read": read, "imported": imported, "copy_seconds": round(copied, 1), "seconds": round(seconds, 1),
            "index_build_seconds": round(seconds - copied, 1), "entries_per_second": round(imported / seconds)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("database_url")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(load(args.path, args.database_url, args.workers)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
