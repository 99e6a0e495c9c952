"""Disclosure Log search speed on the production server, against Datasette 0.65.5 on the same entries.

The Disclosure Log issue's speed figures. Prints figures only.

    .venv/bin/python bench/disclosure_search.py --entries 20000     # a few minutes: for development
    .venv/bin/python bench/disclosure_search.py --rounds 5          # a million entries (the issue's figure): about
                                                                    # an hour, of which 10-25 min import, the first time
    .venv/bin/python bench/disclosure_search.py --help              # rounds, workers, reuse, Datasette
    .venv/bin/python bench/disclosure_search.py --skip-import --json  # reuse the import; also time the JSON

What it measures, and how:

1. The entries. `bench/gen_disclosures.py N` (seeded: the same N gives the same entries) writes
   bench/results/disclosures-N.jsonl, kept and reused by later runs (1.2 GB and about a minute for a million).
2. Our import. A var folder bench/results/disclosure-var-N (kept, so --skip-import can reuse it):
   `flask db upgrade`, then `flask disclosure-log import bench/results/disclosures-N.jsonl`, timed by the
   wall clock (entries/s) with the importer's peak RSS (wait4). Reported: the size on disk of the search
   index (<var>/search, tantivy) and of the SQLite database.
3. Datasette's copy. `gen_disclosures.py N --sqlite` (the same seed: the same entries, checked on the first
   and last entry against the JSONL) into bench/results/datasette-N/disclosures.db, then an FTS5 table as
   `sqlite-utils enable-fts` makes it and Datasette detects it: `disclosures_fts` (title, request,
   response; content=[disclosures], the default unicode61 tokenizer, like ours: no stemming) filled with
   'rebuild'. Timed too (the first step also generates the entries, so it is an upper bound). Datasette
   0.65.5 lives in its own venv, bench/results/datasette-venv, created here with pip when missing, never
   in the project's. `datasette serve -i` (immutable, as `datasette publish` runs it) with
   sql_time_limit_ms and facet_time_limit_ms at 60000 so that every count and facet is computed rather
   than given up after 1 s / 200 ms, and suggest_facets off (our page suggests nothing; Datasette's
   suggestions would add up to 50 ms per column of extra queries). A second pass against a Datasette with
   its default settings shows what a journalist gets out of the box: time, whether the count was shown and
   which facets timed out.
4. The servers. Ours: gunicorn, sync workers (2 x CPUs + 1 unless --workers), `portal.app:create_app()`,
   PORTAL_ENV=development, JOB_BACKEND=sqlite, LOG_LEVEL=INFO, LOG_FORMAT=json (a JSON line per request, as in production),
   RATELIMIT_DEFAULT high enough not to throttle. Datasette: one process (uvicorn, 3 SQL threads).
5. The pages. The same query mix against both, sequentially from one client, a new connection per request,
   timed until the last byte of the HTML: rare and common words, two words, a phrase, OR, NOT, a prefix,
   words with filters, filters only, a date range, the newest and oldest first, page 500 and the last page.
   Ours: GET /disclosure-log?q=...&filters (20 a page: total, facet counts, snippets). Datasette: its HTML
   table page /disclosures/disclosures?_search=...&filters&_size=20 with facets on case_type, category,
   department, outcome, exemptions (_facet_array) and published (_facet_date: by day; ours has years),
   which computes the total (count(*)) and each facet over every match as ours does. What is not the same:
   - Datasette cannot sort by relevance on a table page: where ours ranks (the default when there are
     words), Datasette lists matches by id. Sorting by date is the same on both (_sort_desc=published).
   - Datasette pages by keyset (`_next=`), not by number. Page 500 and the last page are Datasette's
     `_next` token for the same position (the id, or published,id, of the entry just before it), computed
     here with SQL from the same FTS table before the run: what a reader following "Next" would end up
     requesting, without timing the 499 pages before it. Ours jumps straight to page=500 or the last page.
   - Words, phrases: Datasette's default (escaped) search, which ANDs words and keeps "phrases" as ours
     does. OR, NOT and prefixes need Datasette's raw FTS5 syntax (_searchmode=raw), written out here with
     the same meaning (parentheses where FTS5 and our precedence differ).
   - Snippets: Datasette shows each row's columns (long texts cut at 2,000 characters), not snippets.
   Each round sends every query to both servers, in a shuffled order (seeded), the engine going first
   alternating; a warm-up pass first (reported as the first request, not counted). Per query and overall:
   p50, p95 and max, and the ratio of Datasette's p95 to ours (the issue: at least 10), the totals each
   showed (they should agree: the same entries and tokens), response size and server CPU per request.
   --json also times our /disclosure-log.json with the same searches (no template, no snippets: what the
   HTML page costs on top of the search); --clients N then sends the mix from N clients at once to each
   engine in turn (throughput, p50/p95).
6. Memory. Ours: the sum over the gunicorn master and workers of VmRSS, VmHWM and Pss (which counts the
   pages the workers share, copy-on-write and the mmapped index, once). Datasette: its process's. Both
   just after start and after the run.
7. A table on stdout and the same figures as JSON in bench/results/disclosure_search.json, with the load
   average at start and end (the machine has 2 cores and may be doing other work). The servers are stopped
   whatever happens; the corpus, var folder, Datasette DB and venv stay in bench/results (git-ignored).

Nothing here asserts a timing: the figures are for reading, and for the issue's closing note.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import html
import http.client
import json
import math
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for bench._server

from bench._server import (  # noqa: E402 - the server plumbing every bench shares
    INHERITED_SETTINGS_DROPPED, BenchError, ServerConfig, background, cpu_seconds, free_port, git_commit, gunicorn,
    load_average, memory_mb, migrate, pss_mb, tail, worker_pids,
)

BIN = Path(sys.executable).parent
RESULTS_DIR = ROOT / "bench" / "results"
RESULTS = RESULTS_DIR / "disclosure_search.json"
GENERATOR = ROOT / "bench" / "gen_disclosures.py"
DATASETTE_VERSION = "0.65.5"
DATASETTE_VENV = RESULTS_DIR / "datasette-venv"
DATASETTE_TUNED = {"sql_time_limit_ms": "60000", "facet_time_limit_ms": "60000", "suggest_facets": "off"}
FLASK = [str(BIN / "flask"), "--app", "portal.app:create_app"]
PAGE_SIZE = 20
DB_NAME = "disclosures"  # Datasette's database name: the file's stem
TABLE_URL = f"/{DB_NAME}/disclosures"
DS_FACETS = (("_facet", "case_type"), ("_facet", "category"), ("_facet", "department"), ("_facet", "outcome"),
             ("_facet_array", "exemptions"), ("_facet_date", "published"), ("_size", str(PAGE_SIZE)))
REQUEST_TIMEOUT = 600
MB = 1024 * 1024


# --- the query mix -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Query:
    """One search, as ours and Datasette are asked it."""

    name: str
    kind: str
    ours: tuple[tuple[str, str], ...]  # /disclosure-log parameters (page added for deep pages)
    datasette: tuple[tuple[str, str], ...]  # table page parameters, facets and _size added
    fts: str | None = None  # the FTS5 MATCH expression meaning the same, for Datasette's _next tokens
    deep: str | None = None  # "500" or "last": a page number for ours, a _next token for Datasette
    order: str = "id"  # Datasette's order for the token: "id", "published desc" or "published asc"

    def describe(self) -> str:
        return "&".join(f"{k}={v}" for k, v in self.ours) + (f"&page={self.deep}" if self.deep else "")


QUERIES = [
    Query("rare", "rare word", (("q", "gritting"),), (("_search", "gritting"),), "gritting"),
    Query("common", "common word (matches nearly all)", (("q", "council"),), (("_search", "council"),), "council"),
    Query("two_words", "two words (AND)", (("q", "cyber Hertford"),), (("_search", "cyber Hertford"),),
          "cyber hertford"),
    Query("phrase", "phrase", (("q", '"care home placements"'),), (("_search", '"care home placements"'),),
          '"care home placements"'),
    Query("or", "OR", (("q", "gritting OR pothole"),),
          (("_search", "gritting OR pothole"), ("_searchmode", "raw")), "gritting OR pothole"),
    Query("not", "NOT (-word)", (("q", "housing -Hertford"),),
          (("_search", "housing NOT hertford"), ("_searchmode", "raw")), "housing NOT hertford"),
    Query("prefix", "prefix", (("q", "hert*"),), (("_search", "hert*"), ("_searchmode", "raw")), "hert*"),
    Query("words_filters", "word + 3 filters + year",
          (("q", "arrears"), ("case_type", "FOI"), ("category", "Council tax"), ("year", "2024")),
          (("_search", "arrears"), ("case_type", "FOI"), ("category", "Council tax"),
           ("published__gte", "2024-01-01"), ("published__lte", "2024-12-31"))),
    Query("words_exemption", "word + exemption filter",
          (("q", "contracts"), ("exemption", "s.43 commercial interests")),
          (("_search", "contracts"), ("exemptions__arraycontains", "s.43 commercial interests"))),
    Query("filters_only", "filters only (newest first)", (("category", "Housing"), ("outcome", "Refused")),
          (("category", "Housing"), ("outcome", "Refused"), ("_sort_desc", "published"))),
    Query("date_range", "date range only (newest first)",
          (("from-day", "1"), ("from-month", "1"), ("from-year", "2024"),
           ("to-day", "31"), ("to-month", "3"), ("to-year", "2024")),
          (("published__gte", "2024-01-01"), ("published__lte", "2024-03-31"), ("_sort_desc", "published"))),
    Query("browse", "everything (no words, no filters)", (), (("_sort_desc", "published"),)),
    Query("newest", "common word, newest first", (("q", "council"), ("sort", "newest")),
          (("_search", "council"), ("_sort_desc", "published"))),
    Query("oldest", "word, oldest first", (("q", "parking"), ("sort", "oldest")),
          (("_search", "parking"), ("_sort", "published"))),
    Query("page_500", "common word, page 500", (("q", "council"),), (("_search", "council"),), "council",
          deep="500", order="id"),
    Query("last_page", "common word, newest, last page", (("q", "council"), ("sort", "newest")),
          (("_search", "council"), ("_sort_desc", "published")), "council", deep="last", order="published desc"),
]


# --- the entries -------------------------------------------------------------------------------------


def run_timed(command: list[str], env: dict[str, str] | None = None, stdout=None, echo: str = "") -> dict:
    """Run a command to the end; its wall-clock seconds and peak RSS (wait4). With `echo`, its output lines
    are shown (at most one every 10 s, and the last) prefixed with `echo`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=stdout if stdout is not None else subprocess.PIPE,
                               stderr=subprocess.STDOUT if stdout is None else None, text=stdout is None)
    lines: list[str] = []
    if stdout is None:
        shown = 0.0
        for line in process.stdout:
            line = line.rstrip()
            if line:
                lines.append(line)
                if time.monotonic() - shown >= 10:
                    print(f"{echo}{line}", flush=True)
                    shown = time.monotonic()
        process.stdout.close()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if lines:
        print(f"{echo}{lines[-1]}", flush=True)
    if process.returncode != 0:
        raise BenchError(f"{' '.join(command)} exited {process.returncode}:\n" + "\n".join(lines[-20:]))
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "output_tail": lines[-5:]}


def corpus(entries: int, generator: Path) -> tuple[Path, dict]:
    path = RESULTS_DIR / f"disclosures-{entries}.jsonl"
    if path.exists():
        return path, {"path": str(path.relative_to(ROOT)), "reused": True, "bytes": path.stat().st_size}
    print(f"Generating {entries:,} entries into {path.relative_to(ROOT)} ...", flush=True)
    partial = path.with_suffix(".jsonl.partial")
    with open(partial, "wb") as out:
        timing = run_timed([sys.executable, str(generator), str(entries)], stdout=out)
    partial.rename(path)
    return path, {"path": str(path.relative_to(ROOT)), "reused": False, "bytes": path.stat().st_size,
                  "generate_seconds": timing["seconds"]}


def first_and_last(path: Path) -> tuple[dict, dict]:
    with open(path, "rb") as f:
        first = json.loads(f.readline())
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - 1_000_000))
        last = json.loads(f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1])
    return first, last


# --- our side ----------------------------------------------------------------------------------------


DATABASE_URL = ""  # --database-url: the PostgreSQL engine instead of SQLite and tantivy
SEARCH_ENGINE = ""  # --search-engine: SEARCH_ENGINE for the server (tantivy-follower: a local copy of the database)


def our_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS_DROPPED}
    if DATABASE_URL:
        env["DATABASE_URL"] = DATABASE_URL
    if SEARCH_ENGINE:
        env["SEARCH_ENGINE"] = SEARCH_ENGINE
    env.update({
        "PORTAL_ENV": "development",
        "PORTAL_VAR_DIR": str(var_dir),
        "JOB_BACKEND": "sqlite",
        "RATELIMIT_DEFAULT": "1000000 per minute",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",  # a JSON line per request, as in production
        "CLAMD_SOCKET": "",  # no automatic pick-up of a system clamd socket
    })
    return env


def disk_usage(path: Path) -> dict:
    """Bytes the files hold (apparent) and the blocks they take on disk, under `path` (a file or folder)."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()] if path.exists() else []
    stats = [p.stat() for p in files]
    return {"files": len(files), "bytes": sum(s.st_size for s in stats), "disk_bytes": sum(s.st_blocks * 512 for s in stats)}


def empty_postgres(url: str) -> None:
    """The bench's own PostgreSQL database, emptied for a fresh import (never point it at one you keep)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def postgres_sizes(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        sizes = {"database_bytes": connection.scalar(text("SELECT pg_database_size(current_database())"))}
        for table in ("disclosures", "disclosure_search"):
            sizes[f"{table}_bytes"] = connection.scalar(text(f"SELECT pg_total_relation_size('{table}')"))
    engine.dispose()
    return sizes


def our_sizes(var_dir: Path) -> dict:
    if DATABASE_URL:
        return {"postgresql": postgres_sizes(DATABASE_URL)}
    databases = [p for p in var_dir.iterdir() if p.is_file() and re.search(r"\.(db|sqlite3?)(-wal|-shm)?$", p.name)]
    search = disk_usage(var_dir / "search")
    return {
        "search_index": {"path": str(var_dir / "search"), **search},
        "database": {"files": {p.name: p.stat().st_size for p in databases},
                     "bytes": sum(p.stat().st_size for p in databases)},
    }


def our_import(var_dir: Path, jsonl: Path, entries: int, skip: bool, workers: int | None, bulk_load: bool = False) -> dict:
    record = var_dir / "bench-import.json"
    if skip:
        if not record.exists():
            raise BenchError(f"--skip-import: no finished import in {var_dir} (run once without --skip-import)")
        print(f"Reusing the import in {var_dir.relative_to(ROOT)}", flush=True)
        return json.loads(record.read_text()) | {"reused": True}
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    if DATABASE_URL:
        empty_postgres(DATABASE_URL)
    env = our_env(var_dir)
    migrate(env)
    if bulk_load:
        from bench.disclosure_pg_load import load

        print(f"Loading {entries:,} entries with COPY (bench/disclosure_pg_load.py) ...", flush=True)
        loaded = load(jsonl, DATABASE_URL, workers or 2, progress=lambda line: print(line, flush=True))
        result = {"command": f"bench/disclosure_pg_load.py (COPY, {workers or 2} processes)", "entries": entries,
                  **loaded, "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                  "commit": git_commit(), "report": {"imported": loaded["imported"]}}
        record.write_text(json.dumps(result, indent=2) + "\n")
        return result | {"reused": False}
    options = ["--workers", str(workers)] if workers else []
    command = ["disclosure-log", "import", *options, str(jsonl)]
    print(f"Importing {entries:,} entries: flask {' '.join(command)} ...", flush=True)
    timing = run_timed([*FLASK, *command], env=env, echo="  import: ")
    result = {"command": f"flask {' '.join(command)}".replace(str(ROOT) + "/", ""), "entries": entries,
              "seconds": timing["seconds"], "entries_per_second": round(entries / timing["seconds"]),
              "peak_rss_mb": timing["peak_rss_mb"], "output_tail": timing["output_tail"],
              "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "commit": git_commit()}
    done = next((line for line in reversed(timing["output_tail"]) if line.startswith("Done in")), "")
    counts = {key: int(value.replace(",", "")) for value, key in
              re.findall(r"([\d,]+) (imported|already there|invalid|stopped by the publish guard)", done)}
    result["report"] = counts
    if counts.get("imported", entries) + counts.get("already there", 0) != entries:
        print(f"  NOTE: the import did not take every entry: {done}", flush=True)
    record.write_text(json.dumps(result, indent=2) + "\n")
    return result | {"reused": False}


# --- Datasette's side --------------------------------------------------------------------------------


def datasette_bin() -> Path:
    exe = DATASETTE_VENV / "bin" / "datasette"
    if not exe.exists():
        print(f"Installing Datasette {DATASETTE_VERSION} into {DATASETTE_VENV.relative_to(ROOT)} ...", flush=True)
        subprocess.run(["python3", "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "--quiet", f"datasette=={DATASETTE_VERSION}"],
                       check=True)
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True, check=True).stdout.split()[-1]
    if version != DATASETTE_VERSION:
        raise BenchError(f"{exe} is Datasette {version}, not {DATASETTE_VERSION}: remove {DATASETTE_VENV}")
    return exe


def datasette_db(entries: int, generator: Path, jsonl: Path) -> tuple[Path, dict]:
    folder = RESULTS_DIR / f"datasette-{entries}"
    path = folder / f"{DB_NAME}.db"
    record = folder / "bench-build.json"
    if path.exists() and record.exists():
        build = json.loads(record.read_text()) | {"reused": True}
    else:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        partial = folder / "building.db"
        print(f"Building Datasette's SQLite copy: gen_disclosures.py {entries} --sqlite ...", flush=True)
        generate = run_timed([sys.executable, str(generator), str(entries), "--sqlite", str(partial)])
        started = time.perf_counter()
        db = sqlite3.connect(partial)
        db.execute("create virtual table disclosures_fts using fts5(title, request, response,"
                   " content=[disclosures], content_rowid=id)")
        db.execute("insert into disclosures_fts(disclosures_fts) values('rebuild')")
        db.commit()
        db.close()
        fts_seconds = time.perf_counter() - started
        partial.rename(path)
        build = {"generate_and_insert_seconds": generate["seconds"], "fts_build_seconds": round(fts_seconds, 2),
                 "fts": "create virtual table disclosures_fts using fts5(title, request, response, "
                        "content=[disclosures], content_rowid=id); insert ... values('rebuild')"}
        record.write_text(json.dumps(build, indent=2) + "\n")
        build["reused"] = False
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = db.execute("select count(*) from disclosures").fetchone()[0]
    first, last = first_and_last(jsonl)
    same = all(db.execute("select reference, title, published from disclosures where id = ?", (i,)).fetchone()
               == (e["reference"], e["title"], e["published"]) for i, e in ((1, first), (rows, last)))
    with contextlib.suppress(sqlite3.Error):
        pages = dict(db.execute("select name, sum(pgsize) from dbstat group by name").fetchall())
        build["table_bytes"] = pages.get("disclosures")
        build["fts_bytes"] = sum(v for k, v in pages.items() if k.startswith("disclosures_fts"))
    db.close()
    if rows != entries or not same:
        raise BenchError(f"{path}: {rows} rows, first/last entry {'match' if same else 'DIFFER from'} the JSONL")
    build |= {"path": str(path.relative_to(ROOT)), "bytes": path.stat().st_size, "rows": rows,
              "same_entries_as_jsonl": "first and last entry identical (reference, title, published)"}
    return path, build


def next_token(db_path: Path, query: Query, position: int) -> str | None:
    """Datasette's _next for the page starting after `position` matches (its keyset: the sort value(s) and
    id of the last row before it), or None when there are not that many."""
    order, columns = {"id": ("id", "id"), "published desc": ("published desc, id desc", "published, id"),
                      "published asc": ("published, id", "published, id")}[query.order]
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = db.execute(f"select {columns} from disclosures where id in (select rowid from disclosures_fts"
                         f" where disclosures_fts match ?) order by {order} limit 1 offset ?",
                         (query.fts, position - 1)).fetchone()
    finally:
        db.close()
    return None if row is None else ",".join(str(v) for v in row)


def fts_count(db_path: Path, match: str) -> int:
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return db.execute("select count(*) from disclosures_fts where disclosures_fts match ?", (match,)).fetchone()[0]
    finally:
        db.close()


@contextlib.contextmanager
def datasette(exe: Path, db_path: Path, settings: dict[str, str], log_path: Path) -> Iterator[tuple[int, subprocess.Popen]]:
    port = free_port()
    command = [str(exe), "serve", "-i", str(db_path), "-h", "127.0.0.1", "-p", str(port)]
    for name, value in settings.items():
        command += ["--setting", name, value]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATASETTE")}
    with background(command, env, log_path, signal.SIGINT) as process:
        deadline = time.monotonic() + 300  # -i counts each table's rows at start
        while True:
            if process.poll() is not None:
                raise BenchError(f"datasette exited ({process.returncode}):\n{tail(log_path)}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _body, _s = fetch(port, "/-/versions.json", timeout=5)
                if status == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError(f"datasette did not answer within 300 s:\n{tail(log_path)}")
            time.sleep(0.2)
        yield port, process


# --- requests ----------------------------------------------------------------------------------------


def fetch(port: int, path: str, timeout: float = REQUEST_TIMEOUT) -> tuple[int, bytes, float]:
    """GET on a new connection; (status, body, seconds until the last byte)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"User-Agent": "disclosure-search-bench", "Accept": "text/html"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return response.status, body, time.perf_counter() - started


OUR_TOTAL = re.compile(rb'id="results-count"[^>]*>\s*([\d,]+) results?\b')  # "12,345 results" above the list
DS_TITLE = re.compile(rb"<title>[^<]*?([\d,]+) rows?\b")
DS_TIMED_OUT = re.compile(rb'These facets timed out: ([^<]*)<')


def our_total(body: bytes) -> int | None:
    found = OUR_TOTAL.search(body)
    return int(found.group(1).replace(b",", b"")) if found else None


def datasette_total(body: bytes) -> int | None:
    found = DS_TITLE.search(body)
    return int(found.group(1).replace(b",", b"")) if found else None


@dataclasses.dataclass
class Engine:
    name: str
    port: int
    pids: list[int]
    paths: dict[str, str]  # query name -> path

    def total(self, body: bytes) -> int | None:
        if self.name == "ours_json":
            with contextlib.suppress(ValueError, KeyError, TypeError):
                return int(json.loads(body)["total"])
            return None
        return our_total(body) if self.name == "ours" else datasette_total(body)


def our_paths(queries: list[Query], last_pages: dict[str, int]) -> dict[str, str]:
    paths = {}
    for q in queries:
        params = list(q.ours)
        if q.deep:
            params.append(("page", str(last_pages[q.name] if q.deep == "last" else int(q.deep))))
        paths[q.name] = "/disclosure-log" + (f"?{urlencode(params)}" if params else "")
    return paths


def our_json_paths(queries: list[Query], last_pages: dict[str, int], per_page: int) -> dict[str, str]:
    """/disclosure-log.json with the same parameters; deep pages at the same offset in its own page size."""
    paths = {}
    for q in queries:
        params = list(q.ours)
        if q.deep:
            total_pages = last_pages[q.name] if q.deep == "last" else int(q.deep)
            offset = (total_pages - 1) * PAGE_SIZE
            page = offset // per_page + 1
            params.append(("page", str(page)))
        paths[q.name] = "/disclosure-log.json" + (f"?{urlencode(params)}" if params else "")
    return paths


def datasette_paths(queries: list[Query], tokens: dict[str, str | None]) -> dict[str, str]:
    paths = {}
    for q in queries:
        params = [*q.datasette, *DS_FACETS]
        if q.deep and tokens.get(q.name):
            params.append(("_next", tokens[q.name]))
        paths[q.name] = f"{TABLE_URL}?{urlencode(params)}"
    return paths


@dataclasses.dataclass
class Sample:
    ms: float
    status: int
    bytes: int
    total: int | None
    cpu_ms: float
    facets_timed_out: str = ""


def one(engine: Engine, name: str) -> Sample:
    cpu = cpu_seconds(engine.pids)
    status, body, seconds = fetch(engine.port, engine.paths[name])
    cpu = cpu_seconds(engine.pids) - cpu
    timed_out = DS_TIMED_OUT.search(body)
    return Sample(seconds * 1000, status, len(body), engine.total(body) if status == 200 else None, cpu * 1000,
                  html.unescape(timed_out.group(1).decode()) if timed_out else "")


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))]


def summary(samples: list[Sample]) -> dict:
    ok = sorted(s.ms for s in samples if s.status == 200)
    return {
        "n": len(samples), "ok": len(ok), "errors": len(samples) - len(ok),
        "statuses": sorted({s.status for s in samples}),
        "p50_ms": _r(percentile(ok, 0.50)), "p95_ms": _r(percentile(ok, 0.95)), "max_ms": _r(ok[-1] if ok else None),
        "mean_ms": _r(sum(ok) / len(ok) if ok else None),
        "cpu_ms_per_request": _r(sum(s.cpu_ms for s in samples) / len(samples) if samples else None),
        "kb": _r(sum(s.bytes for s in samples) / len(samples) / 1024 if samples else None),
        "totals": sorted({s.total for s in samples if s.total is not None}),
        "facets_timed_out": sorted({s.facets_timed_out for s in samples if s.facets_timed_out}),
        "pages_with_facets_timed_out": sum(1 for s in samples if s.facets_timed_out),
        "pages_without_total": sum(1 for s in samples if s.status == 200 and s.total is None),
    }


def measure(engines: list[Engine], queries: list[Query], rounds: int, seed: int) -> dict:
    """A warm-up pass, then `rounds` rounds: every query to every engine, shuffled, the engine first alternating."""
    rng = random.Random(seed)
    first: dict[str, dict[str, dict]] = {e.name: {} for e in engines}
    samples: dict[str, dict[str, list[Sample]]] = {e.name: {q.name: [] for q in queries} for e in engines}
    print("  warm-up pass (not counted) ...", flush=True)
    for q in queries:
        for engine in engines:
            s = one(engine, q.name)
            first[engine.name][q.name] = dataclasses.asdict(s) | {"ms": _r(s.ms), "cpu_ms": _r(s.cpu_ms)}
            if s.status != 200:
                print(f"  NOTE: {engine.name} answered {s.status} to {engine.paths[q.name]}", flush=True)
    for round_number in range(rounds):
        order = list(queries)
        rng.shuffle(order)
        started = time.perf_counter()
        for i, q in enumerate(order):
            for engine in (engines if (round_number + i) % 2 == 0 else engines[::-1]):
                samples[engine.name][q.name].append(one(engine, q.name))
        print(f"  round {round_number + 1}/{rounds}: {time.perf_counter() - started:.1f} s "
              f"(load average {load_average()})", flush=True)
    result = {}
    for engine in engines:
        every = [s for name in samples[engine.name] for s in samples[engine.name][name]]
        result[engine.name] = {"overall": summary(every),
                               "queries": {q.name: summary(samples[engine.name][q.name]) | {
                                   "path": engine.paths[q.name], "first_request": first[engine.name][q.name]}
                                   for q in queries}}
    return result


def measure_concurrent(engine: Engine, queries: list[Query], clients: int, passes: int, seed: int) -> dict:
    """`clients` threads at once, each sending the whole mix `passes` times (its own shuffled order), to
    one engine: the wall time for all of it (throughput) and every request's latency."""
    samples: list[Sample] = []
    failures: list[str] = []

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        for _ in range(passes):
            order = list(queries)
            rng.shuffle(order)
            for q in order:
                try:
                    status, body, seconds = fetch(engine.port, engine.paths[q.name])
                    samples.append(Sample(seconds * 1000, status, len(body), None, 0.0))
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(type(exc).__name__)

    pids = engine.pids if engine.name != "ours" else [engine.pids[0], *worker_pids(engine.pids[0])]
    cpu, started = cpu_seconds(pids), time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds, cpu = time.perf_counter() - started, cpu_seconds(pids) - cpu
    row = summary(samples)
    return row | {"clients": clients, "passes": passes, "seconds": round(seconds, 2),
                  "requests_per_second": round(row["ok"] / seconds, 2), "server_cpu_cores": round(cpu / seconds, 2),
                  "connection_failures": len(failures)}


def memory(pids: list[int]) -> dict:
    values = [memory_mb(pid) for pid in pids]
    pss = [pss_mb(pid) for pid in pids]
    return {"processes": len(pids),
            "rss_mb": _r(sum(v.get("VmRSS", 0) for v in values)),
            "hwm_mb": _r(sum(v.get("VmHWM", 0) for v in values)),
            "rss_anon_mb": _r(sum(v.get("RssAnon", 0) for v in values)),
            "rss_file_mb": _r(sum(v.get("RssFile", 0) for v in values)),
            "pss_mb": _r(sum(p for p in pss if p is not None)) if any(p is not None for p in pss) else None,
            "largest_process_hwm_mb": _r(max((v.get("VmHWM", 0) for v in values), default=0))}


def _r(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


# --- output ------------------------------------------------------------------------------------------


def _f(value, places: int = 1, width: int = 8) -> str:
    if value is None:
        return f"{'-':>{width}}"
    return f"{value:>{width},.{places}f}" if isinstance(value, float) else f"{value:>{width},}"


def _total(row: dict | None) -> str:
    if not row:
        return "-"
    totals = row["totals"]
    return "?" if not totals else f"{totals[0]:,}" if len(totals) == 1 else "/".join(f"{t:,}" for t in totals)


def print_report(results: dict) -> None:
    c, runs = results["config"], results["runs"]
    ours, ds = runs.get("ours"), runs.get("datasette")
    print(f"\nDisclosure Log search, {c['entries']:,} entries, {c['cpus']} CPUs, commit {c['commit']}; "
          f"load average at start {c['load_average_at_start']}, at end {c.get('load_average_at_end', '-')}")
    print(f"  ours: {c['server']}, GET /disclosure-log (HTML, {PAGE_SIZE} a page)")
    if ds:
        print(f"  Datasette {DATASETTE_VERSION}: one process, `datasette serve -i`, "
              + ", ".join(f"{k}={v}" for k, v in DATASETTE_TUNED.items()) + f", HTML table page ?_size={PAGE_SIZE}"
              " with 6 facets")
    print(f"  {c['rounds']} rounds of {len(QUERIES)} queries, sequential, one client, a new connection per request;"
          " p50/p95/max in ms over the rounds (the warm-up pass not counted)\n")
    head = f"{'query':<34}{'ours p50':>9}{'p95':>8}{'max':>8}{'CPU ms':>8}{'total':>10}"
    if ds:
        head += f" |{'DS p50':>9}{'p95':>9}{'max':>9}{'CPU ms':>8}{'total':>10}{'p95 x':>8}"
    print(head)
    for q in QUERIES:
        o = ours["queries"][q.name] if ours else None
        line = f"{q.kind:<34}"
        line += (f"{_f(o['p50_ms'], width=9)}{_f(o['p95_ms'])}{_f(o['max_ms'])}{_f(o['cpu_ms_per_request'])}"
                 f"{_total(o):>10}") if o else f"{'(skipped)':>43}"
        if ds:
            d = ds["queries"][q.name]
            ratio = d["p95_ms"] / o["p95_ms"] if o and o["p95_ms"] and d["p95_ms"] else None
            line += (f" |{_f(d['p50_ms'], 0, 9)}{_f(d['p95_ms'], 0, 9)}{_f(d['max_ms'], 0, 9)}"
                     f"{_f(d['cpu_ms_per_request'], 0)}{_total(d):>10}{_f(ratio, 1)}")
        print(line)
        for engine, row in (("ours", o), ("Datasette", ds["queries"][q.name] if ds else None)):
            if row and row["errors"]:
                print(f"    {engine}: {row['errors']} of {row['n']} not 200 (status {row['statuses']}): {row['path']}")
    o, d = (ours or {}).get("overall"), (ds or {}).get("overall")
    line = f"{'ALL (every query alike)':<34}"
    line += (f"{_f(o['p50_ms'], width=9)}{_f(o['p95_ms'])}{_f(o['max_ms'])}{_f(o['cpu_ms_per_request'])}{'':>10}"
             if o else f"{'':>43}")
    if d:
        ratio = d["p95_ms"] / o["p95_ms"] if o and o["p95_ms"] and d["p95_ms"] else None
        line += (f" |{_f(d['p50_ms'], 0, 9)}{_f(d['p95_ms'], 0, 9)}{_f(d['max_ms'], 0, 9)}"
                 f"{_f(d['cpu_ms_per_request'], 0)}{'':>10}{_f(ratio, 1)}")
    print(line)
    print("  CPU ms: the server's CPU time per request (user + system, /proc, 10 ms ticks averaged over the rounds)")
    print("  total: the number of matches the page showed; p95 x: Datasette's p95 / ours")
    aims = results.get("aims", {})
    if aims:
        print("  aims: " + "; ".join(f"{k}: {v}" for k, v in aims.items()))
    mismatched = results.get("total_mismatches")
    if mismatched:
        print("  NOTE: the totals differ for " + ", ".join(f"{k} (ours {v['ours']}, Datasette {v['datasette']}, "
                                                         f"FTS5 {v['fts5']})" for k, v in mismatched.items()))
    for note in results.get("notes", []):
        print(f"  NOTE: {note}")

    js = runs.get("ours_json")
    if js:
        print(f"\nours, /disclosure-log.json (the same search and facets; {js['per_page']} a page, no snippets, "
              "no template; deep pages at the same offset):")
        print(f"{'query':<34}{'p50':>8}{'p95':>8}{'max':>8}{'CPU ms':>8}   HTML p50 - JSON p50")
        for q in QUERIES:
            j, o = js["queries"][q.name], ours["queries"][q.name]
            gap = o["p50_ms"] - j["p50_ms"] if o["p50_ms"] is not None and j["p50_ms"] is not None else None
            print(f"{q.kind:<34}{_f(j['p50_ms'])}{_f(j['p95_ms'])}{_f(j['max_ms'])}{_f(j['cpu_ms_per_request'])}"
                  f"{_f(gap, 1, 11)}")
        j = js["overall"]
        print(f"{'ALL':<34}{_f(j['p50_ms'])}{_f(j['p95_ms'])}{_f(j['max_ms'])}{_f(j['cpu_ms_per_request'])}")

    concurrent = results.get("concurrent")
    if concurrent:
        first = next(iter(concurrent.values()))
        print(f"\n{first['clients']} concurrent clients, each sending the mix {first['passes']} time(s), one engine at a time:")
        print(f"{'engine':<34}{'req/s':>8}{'p50':>9}{'p95':>9}{'max':>9}{'errors':>8}{'server CPU':>12}")
        for name, row in concurrent.items():
            print(f"{name:<34}{row['requests_per_second']:>8.2f}{_f(row['p50_ms'], 0, 9)}{_f(row['p95_ms'], 0, 9)}"
                  f"{_f(row['max_ms'], 0, 9)}{row['errors'] + row['connection_failures']:>8}{row['server_cpu_cores']:>12.2f}")
        print("  server CPU: cores used by the engine's processes over the wall time")

    print("\nSize and memory")
    imp = results.get("import")
    if imp:
        print(f"  our import (`{imp['command']}`, commit {imp.get('commit') or '?'}): {imp['seconds']:,.1f} s for"
              f" {imp['entries']:,} entries = {imp['entries_per_second']:,}/s,"
              + (f" importer peak RSS {imp['peak_rss_mb']:,.0f} MB" if "peak_rss_mb" in imp else "")
              + (" (reused: timed in an earlier run)" if imp.get("reused") else ""))
    sizes = results.get("our_sizes")
    if sizes and "postgresql" in sizes:
        pg = sizes["postgresql"]
        print(f"  PostgreSQL: database {pg['database_bytes'] / MB:,.1f} MB; disclosures table {pg['disclosures_bytes'] / MB:,.1f}"
              f" MB; disclosure_search (tsvector, GIN) {pg['disclosure_search_bytes'] / MB:,.1f} MB")
    elif sizes:
        print(f"  our search index (tantivy, {sizes['search_index']['path']}): "
              f"{sizes['search_index']['bytes'] / MB:,.1f} MB in {sizes['search_index']['files']} files; "
              f"SQLite database: {sizes['database']['bytes'] / MB:,.1f} MB ({', '.join(sizes['database']['files'])})")
    build = results.get("datasette_build")
    if build:
        print(f"  Datasette's SQLite: {build['bytes'] / MB:,.1f} MB (table {(build.get('table_bytes') or 0) / MB:,.1f} MB,"
              f" FTS5 {(build.get('fts_bytes') or 0) / MB:,.1f} MB); built in "
              f"{build['generate_and_insert_seconds']:,.1f} s (generating and inserting) + "
              f"{build['fts_build_seconds']:,.1f} s (FTS5 rebuild){' (reused)' if build.get('reused') else ''}")
    for engine, label in (("ours", "ours (gunicorn master + workers, sum)"), ("datasette", "Datasette (its process)")):
        mem = results.get("memory", {}).get(engine)
        if not mem:
            continue
        for moment in ("after_start", "after_run"):
            m = mem[moment]
            print(f"  {label:<40} {moment.replace('_', ' '):<12} {m['processes']} processes: VmRSS {m['rss_mb']:,.0f} MB"
                  f" (anon {m['rss_anon_mb']:,.0f}, file {m['rss_file_mb']:,.0f}), VmHWM {m['hwm_mb']:,.0f} MB,"
                  f" Pss {_f(m['pss_mb'], 0, 0)} MB, largest process VmHWM {m['largest_process_hwm_mb']:,.0f} MB")

    defaults = results.get("datasette_defaults")
    if defaults:
        print(f"\nDatasette with its default settings (sql_time_limit_ms 1000, facet_time_limit_ms 200, suggested"
              f" facets on), {defaults['rounds']} round(s) after a warm-up:")
        print(f"{'query':<34}{'p50 ms':>9}{'max ms':>9}{'status':>8}{'total shown':>13}  facets timed out")
        for q in QUERIES:
            row = defaults["queries"][q.name]
            print(f"{q.kind:<34}{_f(row['p50_ms'], 0, 9)}{_f(row['max_ms'], 0, 9)}{'/'.join(map(str, row['statuses'])):>8}"
                  f"{_total(row) if row['totals'] else 'no':>13}  {'; '.join(row['facets_timed_out']) or '-'}")
        o = defaults["overall"]
        print(f"{'ALL':<34}{_f(o['p50_ms'], 0, 9)}{_f(o['max_ms'], 0, 9)}   p95 {_f(o['p95_ms'], 0, 0)} ms;"
              f" {defaults['facets_timed_out_pages']} of {defaults['pages']} pages with facets timed out,"
              f" {defaults['pages_without_total']} without a total, {defaults['pages_not_200']} not 200")


def write_json(results: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nFigures written to {RESULTS.relative_to(ROOT)}")


# --- the run -----------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--entries", type=int, default=1_000_000, help="entries in the corpus (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=10, help="measured rounds of the query mix (default 10)")
    parser.add_argument("--workers", type=int, default=2 * cores + 1,
                        help=f"gunicorn sync workers (default 2 x CPUs + 1 = {2 * cores + 1})")
    parser.add_argument("--skip-import", action="store_true",
                        help="reuse the var folder an earlier run imported into (bench/results/disclosure-var-N)")
    parser.add_argument("--import-workers", type=int, default=None,
                        help="`flask disclosure-log import --workers N` (default: the command's own default)")
    parser.add_argument("--search-engine", default="", choices=["", "auto", "postgres", "tantivy", "tantivy-follower"],
                        help="SEARCH_ENGINE for our server; tantivy-follower with --database-url: a local tantivy copy"
                             " of the PostgreSQL database, built by `flask disclosure-log follow` (timed) first")
    parser.add_argument("--bulk-load", action="store_true",
                        help="with --database-url: load the entries with COPY (bench/disclosure_pg_load.py), the same"
                             " checks and search documents, instead of `flask disclosure-log import`")
    parser.add_argument("--database-url", default="",
                        help="measure the PostgreSQL engine on this database, which the import EMPTIES "
                             "(e.g. postgresql://postgres@127.0.0.1:5432/bench_disclosures); default SQLite and tantivy")
    parser.add_argument("--skip-datasette", action="store_true", help="measure ours only")
    parser.add_argument("--skip-ours", action="store_true", help="measure Datasette only")
    parser.add_argument("--json", action="store_true",
                        help="also time our /disclosure-log.json (its own page size, no snippets, no template)")
    parser.add_argument("--default-rounds", type=int, default=1,
                        help="rounds against Datasette with its default settings (default 1; 0: skip)")
    parser.add_argument("--clients", type=int, default=0,
                        help="then N concurrent clients, each sending the mix --client-passes times, to each engine in "
                             "turn (default 0: skip)")
    parser.add_argument("--client-passes", type=int, default=1, help="passes of the mix per concurrent client (default 1)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the query order")
    parser.add_argument("--generator", type=Path, default=GENERATOR, help=f"default {GENERATOR}")
    return parser.parse_args(argv)


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)  # so every `finally` below stops the servers


def resolve_deep_pages(engines_port: int | None, db_path: Path | None, entries: int) -> tuple[dict, dict, dict]:
    """Ours: the last page's number (from our own total). Datasette: each deep query's _next token.
    Also FTS5's count of each text query, to compare with the totals the pages show."""
    last_pages, tokens, fts = {}, {}, {}
    for q in QUERIES:
        if db_path and q.fts:
            fts[q.name] = fts_count(db_path, q.fts)
        if not q.deep:
            continue
        if engines_port:
            status, body, _s = fetch(engines_port, "/disclosure-log?" + urlencode(q.ours))
            total = our_total(body) if status == 200 else None
            if total is None:
                raise BenchError(f"GET /disclosure-log?{urlencode(q.ours)}: {status}, no total found on the page")
            last_pages[q.name] = max(1, math.ceil(total / PAGE_SIZE))
        if db_path:
            count = fts[q.name]
            position = (int(q.deep) - 1) * PAGE_SIZE if q.deep != "last" else (math.ceil(count / PAGE_SIZE) - 1) * PAGE_SIZE
            tokens[q.name] = next_token(db_path, q, position) if position > 0 else None
    return last_pages, tokens, fts


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    if args.skip_ours and args.skip_datasette:
        raise SystemExit("nothing to measure: --skip-ours and --skip-datasette")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    cpus = len(os.sched_getaffinity(0))
    results: dict = {"config": {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "commit": git_commit(),
        "entries": args.entries, "rounds": args.rounds, "cpus": cpus, "load_average_at_start": load_average(),
        "server": ServerConfig(args.workers, 1, "sync").describe() + ", portal.app:create_app()",
        "datasette": {"version": DATASETTE_VERSION, "settings": DATASETTE_TUNED, "facets": [v for k, v in DS_FACETS
                                                                                          if k != "_size"]},
        "queries": {q.name: {"kind": q.kind, "ours": q.describe(), "datasette": urlencode(q.datasette)} for q in QUERIES},
    }, "runs": {}, "memory": {}, "notes": []}
    print(f"load average at start: {results['config']['load_average_at_start']} ({cpus} CPUs)", flush=True)
    jsonl, results["corpus"] = corpus(args.entries, args.generator)
    global DATABASE_URL, SEARCH_ENGINE
    DATABASE_URL = args.database_url
    SEARCH_ENGINE = args.search_engine
    var_dir = RESULTS_DIR / (f"disclosure-var-pg-{args.entries}" if DATABASE_URL else f"disclosure-var-{args.entries}")
    results["config"]["engine"] = SEARCH_ENGINE or ("postgresql" if DATABASE_URL else "tantivy")
    db_path = None
    with contextlib.ExitStack() as stack:
        engines: list[Engine] = []
        our_port = None
        if not args.skip_ours:
            results["import"] = our_import(var_dir, jsonl, args.entries, args.skip_import, args.import_workers,
                                           args.bulk_load)
            taken = results["import"].get("report", {})
            if taken and taken.get("imported", 0) + taken.get("already there", 0) != args.entries:
                results["notes"].append(f"the import did not take every entry: {taken}")
            results["our_sizes"] = our_sizes(var_dir)
            if SEARCH_ENGINE == "tantivy-follower":  # this host's copy, built (or caught up) before the server starts
                print("Bringing the local search copy in step: flask disclosure-log follow ...", flush=True)
                results["follower_copy"] = run_timed([*FLASK, "disclosure-log", "follow"], env=our_env(var_dir),
                                                     echo="  follow: ")
                results["follower_copy"]["search_folder"] = disk_usage(var_dir / "search")
            port, master = stack.enter_context(gunicorn(ServerConfig(args.workers, 1, "sync"), our_env(var_dir),
                                                        var_dir / "gunicorn.log", app="portal.app:create_app()",
                                                        ready_limit=600))
            our_port = port
            results["config"]["port"] = port
            pids = [master.pid, *worker_pids(master.pid)]
            engines.append(Engine("ours", port, pids, {}))
            if args.json:
                engines.append(Engine("ours_json", port, pids, {}))
            results["memory"]["ours"] = {"after_start": memory(pids)}
        if not args.skip_datasette:
            exe = datasette_bin()
            db_path, results["datasette_build"] = datasette_db(args.entries, args.generator, jsonl)
            port, process = stack.enter_context(datasette(exe, db_path, DATASETTE_TUNED,
                                                          db_path.parent / "datasette.log"))
            engines.append(Engine("datasette", port, [process.pid], {}))
            results["memory"]["datasette"] = {"after_start": memory([process.pid])}
        print("Resolving deep pages (our last page number, Datasette's _next tokens) ...", flush=True)
        last_pages, tokens, fts = resolve_deep_pages(our_port, db_path, args.entries)
        results["deep_pages"] = {"ours_last_page": last_pages, "datasette_next_tokens": tokens, "fts5_counts": fts}
        for engine in engines:
            if engine.name == "ours":
                engine.paths = our_paths(QUERIES, last_pages)
            elif engine.name == "ours_json":
                _status, body, _s = fetch(engine.port, "/disclosure-log.json")
                json_per_page = int(json.loads(body)["per_page"])
                engine.paths = our_json_paths(QUERIES, last_pages, json_per_page)
            else:
                engine.paths = datasette_paths(QUERIES, tokens)
        print(f"Measuring {len(QUERIES)} queries x {args.rounds} rounds on {', '.join(e.name for e in engines)} ...",
              flush=True)
        results["runs"] = measure(engines, QUERIES, args.rounds, args.seed)
        if "ours_json" in results["runs"]:
            results["runs"]["ours_json"]["per_page"] = json_per_page
        if args.clients > 0:
            results["concurrent"] = {}
            for engine in engines:
                print(f"  {args.clients} concurrent clients x {args.client_passes} pass(es) of the mix: {engine.name} ...",
                      flush=True)
                results["concurrent"][engine.name] = measure_concurrent(engine, QUERIES, args.clients,
                                                                        args.client_passes, args.seed)
        for engine in engines:
            if engine.name == "ours_json":
                continue
            pids = engine.pids if engine.name != "ours" else [engine.pids[0], *worker_pids(engine.pids[0])]
            results["memory"][engine.name]["after_run"] = memory(pids)
        if not args.skip_datasette and args.default_rounds > 0:
            stack.close()  # the tuned Datasette and ours stopped: the default one alone
            print("Datasette with its default settings ...", flush=True)
            with datasette(exe, db_path, {}, db_path.parent / "datasette-defaults.log") as (port, process):
                plain = Engine("datasette_defaults", port, [process.pid], datasette_paths(QUERIES, tokens))
                run = measure([plain], QUERIES, args.default_rounds, args.seed)["datasette_defaults"]
            every = [row for row in run["queries"].values()]
            results["datasette_defaults"] = run | {
                "rounds": args.default_rounds, "pages": sum(r["n"] for r in every),
                "facets_timed_out_pages": sum(r["pages_with_facets_timed_out"] for r in every),
                "pages_without_total": sum(r["pages_without_total"] for r in every),
                "pages_not_200": sum(r["errors"] for r in every)}
    results["config"]["load_average_at_end"] = load_average()
    ours, ds = results["runs"].get("ours"), results["runs"].get("datasette")
    if ours and ds:
        mismatches = {}
        for q in QUERIES:
            o, d = ours["queries"][q.name]["totals"], ds["queries"][q.name]["totals"]
            if q.deep is None and o != d:
                mismatches[q.name] = {"ours": o, "datasette": d, "fts5": fts.get(q.name)}
        results["total_mismatches"] = mismatches
        p95_ours, p95_ds = ours["overall"]["p95_ms"], ds["overall"]["p95_ms"]
        results["p95_ratio"] = round(p95_ds / p95_ours, 1) if p95_ours and p95_ds else None
        results["aims"] = {
            "p95 at least 10 x lower than Datasette's": f"{results['p95_ratio']} x "
                                                       f"({'met' if (results['p95_ratio'] or 0) >= 10 else 'NOT met'})",
            "p95 under 50 ms": f"{p95_ours} ms ({'met' if p95_ours is not None and p95_ours < 50 else 'NOT met'})"}
    elif ours:
        p95 = ours["overall"]["p95_ms"]
        results["aims"] = {"p95 under 50 ms": f"{p95} ms ({'met' if p95 is not None and p95 < 50 else 'NOT met'})"}
    load = float(results["config"]["load_average_at_end"].split()[0])
    if load >= cpus * 0.5:
        results["notes"].append(f"the machine was loaded (load average {results['config']['load_average_at_end']}"
                                f" on {cpus} CPUs): latencies are higher than on an idle machine")
    write_json(results)  # first: a figure the report cannot print is still kept
    print_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
