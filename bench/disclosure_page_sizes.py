"""What a bigger page costs: the Disclosure Log's search page at 20, 50 and 100 a page, and its JSON (with
snippets) at 100 and 1,000, in one process on the embedded default (SQLite and tantivy). Prints figures only.

    .venv/bin/python bench/disclosure_page_sizes.py                 # 20,000 entries from gen_disclosures.py
    .venv/bin/python bench/disclosure_page_sizes.py --entries 5000 --rounds 3

The entries are bench/gen_disclosures.py's (seeded), imported with the bulk importer into a fresh var folder in a
temporary directory. Each request goes through the Flask test client (no network, no server): the figures are
the app's own time per request, median and worst of --rounds, and the size of the answer. The search cache is
off, so every round searches.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

QUERIES = ["", "parking", "council tax arrears", '"care home placements"', "housing OR homelessness"]


def build(folder: Path, entries: int):
    from disclosure_log import bulk
    from disclosure_log.current import get_index
    from gen_disclosures import entry
    from portal.app import create_app
    from portal.settings import Settings

    settings = Settings.from_env({"PORTAL_VAR_DIR": str(folder), "JOB_BACKEND": "immediate", "LOG_LEVEL": "WARNING",
                                  "SEARCH_CACHE_SIZE": "0", "RATELIMIT_DEFAULT": "1000000 per minute",
                                  "SCANNER_WARNING": "false", "CLAMD_SOCKET": "", "CLAMD_HOST": ""})
    app = create_app(settings)
    database = app.extensions["portal.db"]
    database.upgrade()
    rng = random.Random(20261123)
    path = folder / "entries.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(entries):
            out.write(json.dumps(entry(n, rng)) + "\n")
    started = time.perf_counter()
    with app.app_context():
        report = bulk.run_import(database.sessionmaker, get_index(), path, actor="bench",
                                 now=dt.datetime.now(dt.timezone.utc))
    print(f"{report.imported:,} entries imported in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return app


def measure(client, url: str, rounds: int) -> tuple[float, float, int]:
    times, size = [], 0
    for _ in range(rounds + 1):  # the first is a warm-up
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.data)
    return statistics.median(times[1:]), max(times[1:]), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from urllib.parse import urlencode

    with tempfile.TemporaryDirectory(prefix="bench-page-sizes-") as folder:
        app = build(Path(folder), args.entries)
        client = app.test_client()
        print(f"{'what':<44} {'median ms':>10} {'max ms':>8} {'bytes':>11}")
        for q in QUERIES:
            for path, sizes in (("/disclosure-log", (20, 50, 100)), ("/disclosure-log.json", (100, 1000))):
                for size in sizes:
                    url = path + "?" + urlencode({"q": q, "per_page": size} if q else {"per_page": size})
                    median, worst, length = measure(client, url, args.rounds)
                    label = f"{path.removeprefix('/disclosure-log') or 'page'} {size:>5} q={q or '(none)'}"
                    print(f"{label:<44} {median:>10.1f} {worst:>8.1f} {length:>11,}")


if __name__ == "__main__":
    main()
