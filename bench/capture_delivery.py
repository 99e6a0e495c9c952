"""Capture delivery, end to end (issue 4, "Speed"): submissions per second and delivery lag. Prints figures only.

    .venv/bin/python bench/capture_delivery.py                 # SQLite and PostgreSQL, 30 s each
    .venv/bin/python bench/capture_delivery.py --help          # duration, clients, server and worker sizes

What it measures, and how:

1. The set-up, per database. A throwaway PORTAL_VAR_DIR in /tmp; the database is a SQLite file there, or
   a fresh PostgreSQL database created on --postgres (default postgresql://postgres@127.0.0.1:5432/test)
   and dropped afterwards; `flask db upgrade`. Three processes, as production runs them: gunicorn with the
   README's production command (`--workers 4 --threads 4`, gthread), `flask worker` (Huey on SQLite in the
   var dir, the embedded default; --jobs redis for Huey on Redis) and the reference case system
   (`flask case-system serve`, which verifies each signature and records each case's arrival time).
   Mail goes to the outbox folder; no virus scanner (enquiries have no uploads); rate limits out of the
   way (RATELIMIT_DEFAULT high; every submission comes from a loopback address of its own, a person each).
2. The load. N client threads (default 32), each a person after another filling the shortest form (the
   enquiry) through gunicorn, the way a browser without JavaScript does: GET each page (for its CSRF
   token), POST the answers, check answers, "Continue" (the security code is emailed by the worker through
   the job queue: the client reads it from the .eml file in <var>/outbox), POST the code, GET the
   confirmation page and read the reference. 13 HTTP requests per submission. After --warmup seconds,
   the submissions whose confirmation page arrived within the next --duration seconds count.
3. The lag. For every reference shown, the time from the confirmation page's response to the case's
   arrival at the reference case system (its own clock, the same machine). After the load stops the
   bench waits for every shown reference to arrive.
4. Where the time goes. Per client phase (the question pages, check answers, waiting for the code email,
   the code POST, the confirmation page), per route on the server (gunicorn's access log, %(D)s), and the
   CPU used by each process (gunicorn workers, the job worker, the case system, this load generator), so
   CPU-seconds per submission, and the cores 100 submissions a second would need at that cost.
5. A table on stdout and the same figures as JSON in bench/results/capture_delivery.json.

Nothing here asserts a timing.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.portal_processes import (  # noqa: E402
    APP, BIN, Outbox, Person, Service, Submitter, flask, free_port, gunicorn, job_worker, loopback_address,
    portal_env, tail, wait_for_http,
)

RESULTS = ROOT / "bench" / "results" / "capture_delivery.json"
SECRET = "bench-case-system-secret"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"
ROUTE = re.compile(r"^/request/[a-z]+/")


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def self_cpu() -> float:
    times = os.times()
    return times.user + times.system


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used (/proc/stat's first line, idle and iowait left out)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def postgres_backends(admin_url: str, database_url: str) -> list[int]:
    """The PostgreSQL server processes serving the bench's database (their CPU is the database's work)."""
    if not database_url.startswith("postgresql"):
        return []
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        rows = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                             (database_url.rsplit("/", 1)[1],)).fetchall()
    return [pid for (pid,) in rows]


@contextlib.contextmanager
def database(kind: str, var: Path, postgres: str):
    if kind == "sqlite":
        yield f"sqlite:///{var / 'portal.sqlite3'}"
        return
    import psycopg

    name = f"bench_delivery_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def get_json(port: int, path: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def server_routes(access_log: Path) -> dict:
    """Per route: requests and time inside gunicorn (from the access log; the whole run, warm-up included)."""
    times: dict[str, list[float]] = collections.defaultdict(list)
    with contextlib.suppress(OSError):
        for line in access_log.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) != 4 or not parts[3].isdigit():
                continue
            method, path, status, micros = parts
            route = f"{method} {ROUTE.sub('/request/<form>/', path)} {status}"
            times[route].append(int(micros) / 1000)
    total = sum(sum(v) for v in times.values()) or 1
    return {route: {"requests": len(v), "mean_ms": round(statistics.fmean(v), 1),
                    "p95_ms": round(quantile(v, 0.95), 1), "share_of_server_time": round(sum(v) / total, 3)}
            for route, v in sorted(times.items(), key=lambda item: -sum(item[1]))}


def run(kind: str, args) -> dict:
    var = Path(tempfile.mkdtemp(prefix=f"bench-delivery-{kind}-"))
    try:
        with database(kind, var, args.postgres) as database_url:
            return measure(kind, database_url, var, args)
    finally:
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)
        else:
            print(f"  kept {var}")


def measure(kind: str, database_url: str, var: Path, args) -> dict:
    case_port, web_port = free_port(), free_port()
    extra = {"LOG_LEVEL": "WARNING"}
    if args.jobs == "redis":
        extra.update(JOB_BACKEND="redis", REDIS_URL=args.redis_url)
    env = portal_env(var, database_url, f"http://127.0.0.1:{case_port}/cases", SECRET, **extra)
    flask(env, "db", "upgrade")
    if args.jobs == "redis":  # the bench's own Redis database: empty it so no earlier run's jobs linger
        import redis

        queue = redis.Redis.from_url(args.redis_url)
        foreign = [key for key in queue.keys() if not key.startswith(b"huey.")]
        if foreign:
            raise SystemExit(f"{args.redis_url} holds keys that are not Huey's ({foreign[:3]}): give --redis-url "
                             "a Redis database the bench may empty")
        queue.flushdb()
    access_log = var / "access.log"
    case_system = Service("case system", [str(BIN / "flask"), "--app", APP, "case-system", "serve", "--port",
                                          str(case_port)], env, var / "case-system.log")
    web = gunicorn(env, web_port, var / "web.log", workers=args.workers, threads=args.threads,
                   worker_class="gthread" if args.threads > 1 else "sync",
                   extra=("--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT,
                          "--keep-alive", "5"))
    worker = job_worker(env, var / "worker.log", workers=args.job_workers)
    services = [case_system, web, worker]
    try:
        for service in services:
            service.start()
        wait_for_http(case_port, case_system, path="/cases.json")
        wait_for_http(web_port, web, workers=args.workers)
        outbox = Outbox(var / "outbox")
        # A few people first, one at a time: templates compiled, connections made, the worker awake.
        for n in range(3):
            outcome = Submitter(Person(web_port, loopback_address(n, base=60)), outbox, f"warm-{n}@example.com").run()
            if outcome.status != "shown":
                raise RuntimeError(f"a warm-up submission failed: {outcome}\n{tail(var / 'web.log')}\n"
                                   f"{tail(var / 'worker.log')}")
        return load(kind, args, web_port, case_port, outbox, web, worker, case_system, access_log, database_url)
    finally:
        for service in services:
            service.stop()


def load(kind, args, web_port, case_port, outbox, web, worker, case_system, access_log, database_url) -> dict:
    counter = iter(range(10**9))
    lock = threading.Lock()
    outcomes = []
    response_times: list[float] = []
    start = time.time()
    window_start, window_end = start + args.warmup, start + args.warmup + args.duration
    cpu_pids = {"gunicorn workers": lambda: web.children(), "job worker": lambda: [worker.process.pid],
                "case system": lambda: [case_system.process.pid]}
    if kind == "postgresql":
        backends = []
        cpu_pids["postgresql server"] = lambda: backends

    def client(k: int) -> None:
        while time.time() < window_end:
            n = next(counter)
            person = Person(web_port, loopback_address(n), record=response_times)
            outcome = Submitter(person, outbox, f"bench-{n}@example.com", patience=60).run()
            person.close()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, window_start - time.time()))
    if kind == "postgresql":
        backends.extend(postgres_backends(args.postgres, database_url))
    cpu_before = {name: cpu_seconds(pids()) for name, pids in cpu_pids.items()}
    cpu_before["load generator (this process)"] = self_cpu()
    cpu_before["whole machine"] = machine_busy_seconds()
    wall_before = time.time()
    time.sleep(max(0.0, window_end - time.time()))
    cpu_after = {name: cpu_seconds(pids()) for name, pids in cpu_pids.items()}
    cpu_after["load generator (this process)"] = self_cpu()
    cpu_after["whole machine"] = machine_busy_seconds()
    wall = time.time() - wall_before
    for thread in threads:
        thread.join(120)

    counted = [o for o in outcomes if o.status == "shown" and window_start <= o.shown_at < window_end]
    failed = collections.Counter(o.status for o in outcomes if o.status != "shown")
    requests_in_window = sum(1 for t in response_times if window_start <= t < window_end)
    shown = [o for o in outcomes if o.status == "shown"]

    # Every reference shown must arrive; wait for the stragglers.
    deadline = time.monotonic() + args.delivery_wait
    while True:
        state = get_json(case_port, "/cases.json")
        arrived = {case["reference"]: case["received"] for case in state["cases"]}
        missing = [o.reference for o in shown if o.reference not in arrived]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    lags = [arrived[o.reference] - o.shown_at for o in counted if o.reference in arrived]
    lags_from_commit = [arrived[o.reference] - o.committed_at for o in counted if o.reference in arrived]
    arrivals_in_window = sum(1 for t in arrived.values() if window_start <= t < window_end)
    cpu = {name: round((cpu_after[name] - cpu_before[name]) / wall, 2) for name in cpu_after}
    portal_cpu = sum(v for k, v in cpu.items() if not k.startswith(("load generator", "whole machine")))
    per_second = len(counted) / args.duration
    phases = {}
    for phase in ("questions", "check_answers", "code_email", "confirm_code", "confirmation_page"):
        values = [o.phases[phase] for o in counted if phase in o.phases]
        if values:
            phases[phase] = {"mean_ms": round(statistics.fmean(values) * 1000, 1),
                             "p95_ms": round(quantile(values, 0.95) * 1000, 1)}
    ms = lambda v: None if v is None else round(v * 1000, 1)  # noqa: E731
    return {
        "database": kind,
        "submissions": len(counted),
        "submissions_per_second": round(per_second, 2),
        "http_requests_per_second": round(requests_in_window / args.duration, 1),
        "http_requests_per_submission": round(statistics.fmean(o.requests for o in counted), 2) if counted else None,
        "cases_arriving_per_second": round(arrivals_in_window / args.duration, 2),
        "submission_time_ms": {"p50": ms(quantile([sum(o.phases.values()) for o in counted], 0.5)),
                               "p95": ms(quantile([sum(o.phases.values()) for o in counted], 0.95))},
        "lag_ms": {"p50": ms(quantile(lags, 0.5)), "p95": ms(quantile(lags, 0.95)),
                   "p99": ms(quantile(lags, 0.99)), "max": ms(max(lags, default=None))},
        "lag_from_commit_ms": {"p50": ms(quantile(lags_from_commit, 0.5)),
                               "p95": ms(quantile(lags_from_commit, 0.95))},
        "not_arrived": len(missing),
        "failed_submissions": dict(failed),
        "case_system": {"requests": state["requests"], "duplicates": state["duplicates"],
                        "bad_signatures": state["bad_signatures"]},
        "cpu_cores_used": cpu,
        "portal_cpu_seconds_per_submission": round(portal_cpu / per_second, 4) if per_second else None,
        "cores_for_100_per_second": round(portal_cpu / per_second * 100, 1) if per_second else None,
        "client_phases": phases,
        "server_routes": server_routes(access_log),
    }


def show(result: dict, args) -> None:
    r = result
    print(f"\n== {r['database']} ({args.describe}) ==")
    print(f"  submissions/s sustained       {r['submissions_per_second']:>8}   ({r['submissions']} in {args.duration:.0f} s;"
          f" aim: over 100)")
    print(f"  HTTP requests/s               {r['http_requests_per_second']:>8}   "
          f"({r['http_requests_per_submission']} per submission)")
    print(f"  cases arriving/s              {r['cases_arriving_per_second']:>8}")
    lag = r["lag_ms"]
    print(f"  delivery lag p50 / p95        {lag['p50']:>8} / {lag['p95']} ms   (p99 {lag['p99']}, max {lag['max']};"
          f" aim: p95 under 2000 ms)")
    print("    (from the confirmation page's response to the case's arrival; below 0: the case arrived first)")
    print(f"  lag from the code POST's 302  {r['lag_from_commit_ms']['p50']:>8} / {r['lag_from_commit_ms']['p95']} ms"
          "   (the submission is committed just before it)")
    print(f"  one submission p50 / p95      {r['submission_time_ms']['p50']:>8} / {r['submission_time_ms']['p95']} ms")
    print(f"  not arrived: {r['not_arrived']}, failed submissions: {r['failed_submissions'] or 0}, "
          f"case system: {r['case_system']}")
    print("  CPU (cores): " + ", ".join(f"{k} {v}" for k, v in r["cpu_cores_used"].items()))
    print(f"  server-side CPU per submission (gunicorn, job worker, case system, PostgreSQL) {r['portal_cpu_seconds_per_submission']} s"
          f" -> 100 submissions/s would need ~{r['cores_for_100_per_second']} cores")
    print("  client phases (mean / p95 ms): " + ", ".join(
        f"{k} {v['mean_ms']}/{v['p95_ms']}" for k, v in r["client_phases"].items()))
    print("  server time by route (whole run):")
    for route, v in list(r["server_routes"].items())[:10]:
        print(f"    {route:<52} {v['requests']:>6} req  mean {v['mean_ms']:>6} ms  p95 {v['p95_ms']:>6} ms"
              f"  {v['share_of_server_time']:.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
                        help="an existing PostgreSQL database to connect to; a fresh one is created beside it")
    parser.add_argument("--duration", type=float, default=30.0, help="measured seconds per database")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=32, help="concurrent people")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (README: 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (README: 4; 1 = sync)")
    parser.add_argument("--job-workers", type=int, default=4, help="`flask worker --workers` threads")
    parser.add_argument("--jobs", choices=("sqlite", "redis"), default="sqlite", help="Huey storage")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14",
                        help="with --jobs redis: a Redis database the bench may empty")
    parser.add_argument("--delivery-wait", type=float, default=120.0, help="seconds to wait for stragglers")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders (logs, outbox)")
    args = parser.parse_args()
    args.describe = (f"gunicorn {args.workers} workers x {args.threads} threads, flask worker {args.job_workers} "
                     f"threads, Huey on {args.jobs}, {args.clients} clients, {os.cpu_count()} CPUs")
    results = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
               "config": {k: v for k, v in vars(args).items() if k != "postgres"}, "results": []}
    print(f"Capture delivery end to end: {args.describe}; {args.warmup:.0f} s warm-up, {args.duration:.0f} s measured")
    print("load average before: " + " ".join(f"{v:.2f}" for v in os.getloadavg())
          + "  (other work on this machine competes for the same cores)")
    for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
        load_before = os.getloadavg()[0]
        result = run(kind, args)
        result["load_average_1min_before_and_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
        results["results"].append(result)
        show(result, args)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nJSON: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
