"""SEARCH_ENGINE=tantivy-follower on a loaded PostgreSQL database: how soon a publish on one host is found on
another, and how fast a copy catches up. Prints figures only.

    .venv/bin/python bench/disclosure_follower.py --database-url postgresql://postgres@127.0.0.1:5432/bench_disclosures \\
        --var-dir bench/results/disclosure-var-pg-1000000

The var folder is host B's: its copy must exist already (bench/disclosure_search.py --search-engine
tantivy-follower builds it and times the rebuild). B is gunicorn (2 sync workers sharing the copy, the default
SEARCH_FOLLOW_SECONDS=1); host A is this process, publishing through disclosure_log.service as the API does
(publish, commit, bring its own copy in step). For each of --publishes entries: the time from A's commit until
B's /disclosure-log.json finds its unique word, polled every 20 ms. Then the catch-up: with B stopped,
--changes change rows for existing entries are logged and `flask disclosure-log follow` applies them (changes/s).
The entries it publishes stay in the database (references BENCH-FOLLOW-...), published again on each run.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import BIN, INHERITED_SETTINGS_DROPPED, ServerConfig, gunicorn, load_average  # noqa: E402

LETTERS = "abcdefghij"


def word(n: int) -> str:
    return "followprobe" + "".join(LETTERS[int(d)] for d in str(n))


def env_for(var_dir: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS_DROPPED}
    env.update({"PORTAL_ENV": "development", "PORTAL_VAR_DIR": str(var_dir), "DATABASE_URL": url,
                "SEARCH_ENGINE": "tantivy-follower", "JOB_BACKEND": "sqlite", "RATELIMIT_DEFAULT": "1000000 per minute",
                "LOG_LEVEL": "WARNING", "CLAMD_SOCKET": "", "SCANNER_WARNING": "false"})
    return env


def follow_command(env: dict[str, str]) -> dict:
    """`flask disclosure-log follow`: its own figure (after the app has started) and the wall clock."""
    import re
    import subprocess

    started = time.monotonic()
    done = subprocess.run([str(BIN / "flask"), "--app", "portal.app:create_app", "disclosure-log", "follow"], cwd=ROOT,
                          env=env, check=True, capture_output=True, text=True)
    line = done.stdout.strip().splitlines()[-1]
    return {"wall_seconds": round(time.monotonic() - started, 2), "seconds": float(re.search(r"\(([\d.,]+) s\)", line)[1]),
            "output": line}


def get_json(port: int, path: str) -> dict:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return json.loads(body)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--var-dir", type=Path, required=True)
    parser.add_argument("--publishes", type=int, default=20)
    parser.add_argument("--changes", type=int, default=20_000)
    args = parser.parse_args(argv)
    results: dict = {"load_average_at_start": load_average()}
    publisher_dir = args.var_dir.parent / (args.var_dir.name + "-publisher")
    publisher_dir.mkdir(exist_ok=True)
    delays = []
    with gunicorn(ServerConfig(2, 1, "sync"), env_for(args.var_dir, args.database_url), args.var_dir / "follower-b.log",
                  app="portal.app:create_app()", ready_limit=600) as (port, _master):
        get_json(port, "/disclosure-log.json?q=warmup")
        os.environ.update(env_for(publisher_dir, args.database_url))
        from portal.app import create_app

        app = create_app()  # host A
        from disclosure_log import service
        from disclosure_log.current import get_index
        from disclosure_log.entries import parse_fields
        from portal.db import get_db

        with app.app_context():
            services = app.extensions["portal.services"]
            for n in range(args.publishes):
                probe = word(n)
                fields = parse_fields({"title": f"Follower probe {probe}", "request": "How soon is it found?",
                                       "response": "Within seconds.", "case_type": "FOI", "outcome": "Released in full"})
                with get_db().sessionmaker() as session:
                    entry, _created = service.publish(
                        session, services.store, services.scanner, reference=f"BENCH-FOLLOW-{n}", fields=fields,
                        incoming=[], override_reason="", change_note="", actor="bench", now=services.clock.now(),
                        create_only=False)
                    session.commit()
                    committed = time.monotonic()
                    service.sync_index(session, get_index(), ids=[entry.id])  # A's own copy, as the API does
                    session.commit()
                while get_json(port, f"/disclosure-log.json?q={probe}")["total"] < 1:
                    if time.monotonic() - committed > 60:
                        raise SystemExit(f"{probe} not found on B within 60 s")
                    time.sleep(0.02)
                delays.append(time.monotonic() - committed)
                time.sleep(0.3)  # not in step with B's checks
        readiness = get_json(port, "/readyz")["checks"]["search_index"]
    delays.sort()
    results["publish_to_found_on_b"] = {
        "n": len(delays), "p50_s": round(statistics.median(delays), 3),
        "p95_s": round(delays[min(len(delays) - 1, int(0.95 * len(delays)))], 3), "max_s": round(delays[-1], 3)}
    results["b_readiness"] = readiness
    # catch-up: B is down while --changes entries change; then it applies them
    from sqlalchemy import text

    with app.app_context(), get_db().transaction() as session:
        session.execute(text("insert into disclosure_index_changes (entry_id, at) select id, now() from disclosures"
                             " where status = 'published' order by id desc limit :n"), {"n": args.changes})
    timing = follow_command(env_for(args.var_dir, args.database_url))
    results["catch_up"] = {"changes": args.changes, **timing,
                           "changes_per_second": round(args.changes / timing["seconds"])}
    results["load_average_at_end"] = load_average()
    print(json.dumps(results, indent=2))
    (ROOT / "bench" / "results" / "disclosure_follower.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
