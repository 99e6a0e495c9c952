"""Disclosure Log bulk import on both search engines, and what making the search terms costs. Prints figures only.

    .venv/bin/python bench/disclosure_import.py --entries 50000
    .venv/bin/python bench/disclosure_import.py --entries 50000 --postgres postgresql://postgres@127.0.0.1:5432/test

1. The entries: bench/gen_disclosures.py N into bench/results/disclosures-N.jsonl (kept; the other Disclosure
   Log benches share it).
2. The terms: disclosure_log.analysis.terms (exact forms and stems) over every entry's title, request and
   response in this process, timed per entry. A checkout from before the analysis module skips this step.
3. The import: `flask disclosure-log import` (one process) into a new var folder with SQLite and tantivy and,
   with --postgres, into a new database on that server (dropped afterwards): the wall clock, entries/s, the
   importer's CPU seconds (steadier than the wall clock on a busy machine; PostgreSQL's own work is not in
   them) and peak RSS, and the size of the index (tantivy's folder; the disclosure_search table with its indexes).

Run it in two checkouts for a before and after; the machine's load average is printed with the figures.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._server import INHERITED_SETTINGS_DROPPED, BenchError, git_commit, load_average, migrate  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS_DIR = ROOT / "bench" / "results"
FLASK = [str(BIN / "flask"), "--app", "portal.app:create_app"]


def corpus(entries: int) -> Path:
    path = RESULTS_DIR / f"disclosures-{entries}.jsonl"
    if not path.exists():
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        with path.open("w") as out:
            subprocess.run([sys.executable, str(ROOT / "bench" / "gen_disclosures.py"), str(entries)], stdout=out,
                           check=True)
    return path


def time_terms(path: Path) -> dict | None:
    if importlib.util.find_spec("disclosure_log.analysis") is None:
        return None
    from disclosure_log.analysis import terms

    texts = [(row["title"], row["request"] + "\n" + row["response"]) for row in map(json.loads, path.open())]
    started = time.perf_counter()
    words = sum(len(terms(title)[0]) + len(terms(body)[0]) for title, body in texts)
    seconds = time.perf_counter() - started
    return {"entries": len(texts), "words": words, "seconds": round(seconds, 2),
            "us_per_entry": round(seconds / len(texts) * 1e6, 1)}


def env_for(var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS_DROPPED}
    env.update({"PORTAL_ENV": "development", "PORTAL_VAR_DIR": str(var_dir), "JOB_BACKEND": "sqlite",
                "LOG_LEVEL": "WARNING", "CLAMD_SOCKET": "", "SCANNER_WARNING": "false"})
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_import(path: Path, env: dict[str, str]) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen([*FLASK, "disclosure-log", "import", str(path)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    process.stdout.close()
    _pid, status, usage = os.wait4(process.pid, 0)  # not wait(): wait4 gives the peak RSS
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise BenchError(f"the import exited {process.returncode}:\n{output[-2000:]}")
    done = next((line for line in reversed(output.splitlines()) if line.startswith("Done in")), "")
    return {"seconds": round(seconds, 1), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1), "done": done,
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def sqlite_import(path: Path, entries: int) -> dict:
    var_dir = RESULTS_DIR / f"import-var-{entries}"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    env = env_for(var_dir, None)
    migrate(env)
    result = run_import(path, env)
    return result | {"index_mb": round(folder_bytes(var_dir / "search") / 1e6, 1)}


def postgres_import(path: Path, admin_url: str) -> dict:
    import sqlalchemy

    admin = sqlalchemy.create_engine(admin_url.replace("postgresql://", "postgresql+psycopg://", 1),
                                     isolation_level="AUTOCOMMIT")
    name = f"bench_import_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    var_dir = RESULTS_DIR / "import-var-postgres"
    try:
        shutil.rmtree(var_dir, ignore_errors=True)
        var_dir.mkdir(parents=True)
        env = env_for(var_dir, url)
        migrate(env)
        result = run_import(path, env)
        engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as connection:
            size = connection.execute(sqlalchemy.text("select pg_total_relation_size('disclosure_search')")).scalar()
        engine.dispose()
        return result | {"index_mb": round(size / 1e6, 1)}
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--postgres", help="a PostgreSQL server's URL (a database on it is made and dropped)")
    args = parser.parse_args()
    path = corpus(args.entries)
    print(f"{args.entries:,} entries, commit {git_commit() or '?'}, load average {load_average()} on {os.cpu_count()} cores")
    terms = time_terms(path)
    if terms:
        print(f"  terms: {terms['words']:,} words in {terms['seconds']:.1f} s, {terms['us_per_entry']:,.0f} µs an entry")
    else:
        print("  terms: this checkout has no disclosure_log.analysis")
    runs = {"sqlite + tantivy": sqlite_import(path, args.entries)}
    if args.postgres:
        runs["postgresql"] = postgres_import(path, args.postgres)
    for engine, run in runs.items():
        print(f"  import, {engine}: {run['seconds']:,.1f} s, {args.entries / run['seconds']:,.0f} entries/s, "
              f"{run['cpu_seconds']:,.1f} s of CPU in the importer, peak RSS {run['peak_rss_mb']} MB, "
              f"index {run['index_mb']:,.1f} MB")
    print(f"load average at the end {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
