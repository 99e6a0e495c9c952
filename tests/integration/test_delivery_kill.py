"""The kill test: submissions posted through real processes that are SIGKILLed at random and restarted.

Every reference a person was shown reaches the case system exactly once, on SQLite and on PostgreSQL.

Real processes: the reference case system runs in this process (it records every request); the portal
runs as gunicorn (2 sync workers) and `flask worker` (Huey on SQLite, 2 threads), each in its own
process group. Client threads, each submission a person of its own (their own loopback address and
cookies), fill the enquiry form over HTTP: a GET for each page's CSRF token, a POST of the answers,
the security code read from the .eml the worker wrote to <var>/outbox, and the confirmation page.
A person presses reload when the server is down (refused, reset, dropped) and only counts a
reference the confirmation page showed. Meanwhile a chaos thread SIGKILLs the whole web server, one
of its workers, the job worker, or both, and starts them again; the next kill comes 0.5 to 3 seconds
after what it restarted is serving again (gunicorn answers /healthz with both workers; the job worker has
written its heartbeat), so the processes do work between kills however slow the machine.

Afterwards, with everything started cleanly, the test waits for delivery and checks:
- every reference shown to a person is in the case system, created exactly once;
- the case system has nothing our database doesn't, and every submission in our database is delivered
  with the case system's case id;
- every repeated request the case system saw (an idempotent retry) follows a kill of the job worker that
  happened after the case was created: a lost outcome, never two workers sending at once.
"""
from __future__ import annotations

import collections
import itertools
import json
import os
import random
import signal
import socket
import threading
import time

import pytest
import sqlalchemy

from tests.support.case_system import running_case_system
from tests.support.portal_processes import (
    Outbox, Person, Submitter, free_port, flask, gunicorn, job_worker, loopback_address, portal_env, tail,
    wait_for_http,
)

pytestmark = pytest.mark.integration

SECRET = "kill-test-case-system-secret"
TARGET_SHOWN = 300  # the chaos goes on until people were shown this many references ...
MIN_KILLS = 30  # ... and it has killed this many times (or CHAOS_LIMIT has passed)
LEAST_SHOWN = 100  # fewer than this within CHAOS_LIMIT (a machine busy with other work) proves too little
LEAST_KILLS = 15
MAX_ATTEMPTS = 1000
CLIENTS = 8
CHAOS_LIMIT = 120.0  # seconds of chaos at most
KILL_EVERY = (0.5, 3.0)
KINDS = [("web", 30), ("web-worker", 15), ("worker", 35), ("both", 20)]  # what the chaos kills, by weight
LEASE_SECONDS = 10  # DELIVERY_LEASE_SECONDS: a dead worker's hold on a submission runs out this fast
CASE_SYSTEM_TIMEOUT = 2  # seconds; the lease must outlive an attempt (settings check it)
DELIVERY_WAIT = 90.0  # after the clean restart: the periodic sweep runs at the worker's start and each minute


def engine_for(url: str) -> sqlalchemy.Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)


def submissions(engine) -> dict[str, tuple[str, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text(
            "SELECT reference, delivery_status, case_id FROM capture_submissions")).all()
    return {reference: (status, case_id) for reference, status, case_id in rows}


def worker_ready(engine, worker) -> bool:
    """The job worker has started its consumer: its heartbeat (written at start-up) is in the database."""
    with engine.connect() as connection:
        return connection.execute(sqlalchemy.text("SELECT 1 FROM worker_heartbeats WHERE worker = :name"),
                                  {"name": f"{socket.gethostname()}:{worker.process.pid}"}).first() is not None


def wait_until_serving(port: int, web, worker, engine, limit: float = 60) -> None:
    wait_for_http(port, web, workers=2, limit=limit)
    deadline = time.monotonic() + limit
    while not worker_ready(engine, worker):
        if not worker.alive:
            raise RuntimeError(f"the job worker exited ({worker.process.returncode}):\n{tail(worker.log_path)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the job worker wrote no heartbeat within {limit:.0f} s:\n{tail(worker.log_path)}")
        time.sleep(0.1)


class Chaos(threading.Thread):
    """SIGKILLs the web server (all of it, or one of its workers) and the job worker at random; restarts them."""

    def __init__(self, web, worker, port: int, engine, seed: int, stop: threading.Event):
        super().__init__(daemon=True, name="chaos")
        self.web, self.worker, self.port, self.engine, self.stop = web, worker, port, engine, stop
        self.rng = random.Random(seed)
        self.kills: list[tuple[float, str]] = []  # (time.time() of the kill, kind)
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.wait(self.rng.uniform(*KILL_EVERY)):
                kind = self.rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
                if kind == "web-worker":
                    pids = self.web.children()
                    if not pids:
                        continue
                    os.kill(self.rng.choice(pids), signal.SIGKILL)  # gunicorn's master starts another
                    self.kills.append((time.time(), kind))
                else:
                    victims = {"web": [self.web], "worker": [self.worker], "both": [self.web, self.worker]}[kind]
                    for victim in victims:
                        victim.kill()
                    self.kills.append((time.time(), kind))
                    for victim in victims:
                        victim.start()
                wait_until_serving(self.port, self.web, self.worker, self.engine)
        except BaseException as exc:  # reported by the test, never lost in a thread
            self.error = exc

    def count(self) -> dict[str, int]:
        return dict(collections.Counter(kind for _, kind in self.kills))

    def worker_kill_times(self) -> list[float]:
        return [at for at, kind in self.kills if kind in ("worker", "both")]


@pytest.mark.timeout(400)
def test_every_reference_shown_reaches_the_case_system_exactly_once(tmp_path, database_url):
    started = time.monotonic()
    seed = random.randrange(1 << 30)
    var = tmp_path / "var"
    with running_case_system(SECRET) as case_system:
        store = case_system.store
        arrivals: list[tuple[float, str, bool]] = []  # (time, reference, created) for every Create Case
        add = store.add

        def recording_add(reference, payload):
            case, created = add(reference, payload)
            arrivals.append((time.time(), reference, created))
            return case, created

        store.add = recording_add
        env = portal_env(var, database_url, case_system.url, SECRET,
                         DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS), CASE_SYSTEM_TIMEOUT=str(CASE_SYSTEM_TIMEOUT))
        flask(env, "db", "upgrade")
        port = free_port()
        web = gunicorn(env, port, tmp_path / "web.log", workers=2)
        worker = job_worker(env, tmp_path / "worker.log")
        engine = engine_for(database_url)
        outbox = Outbox(var / "outbox")
        stop = threading.Event()
        chaos = Chaos(web, worker, port, engine, seed, stop)
        try:
            web.start()
            worker.start()
            wait_until_serving(port, web, worker, engine)

            attempts = itertools.count()
            lock = threading.Lock()
            shown: list[str] = []
            outcomes: collections.Counter = collections.Counter()
            retries: list[int] = []
            client_errors: list[str] = []

            def client(k: int) -> None:
                rng = random.Random(seed + k)
                while not stop.is_set():
                    n = next(attempts)
                    if n >= MAX_ATTEMPTS:
                        return
                    person = Person(port, loopback_address(n), timeout=20)
                    try:
                        outcome = Submitter(person, outbox, f"kill-{n}@example.com", rng=rng).run()
                    except Exception as exc:  # a fault in this test's client, reported below
                        with lock:
                            client_errors.append(repr(exc))
                        continue
                    finally:
                        person.close()
                    with lock:
                        outcomes[outcome.status] += 1
                        retries.append(outcome.retries)
                        if outcome.reference:
                            shown.append(outcome.reference)

            clients = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(CLIENTS)]
            chaos_started = time.monotonic()
            chaos.start()
            for thread in clients:
                thread.start()
            chaos_end = time.monotonic() + CHAOS_LIMIT
            while not stop.wait(0.5) and time.monotonic() < chaos_end and chaos.is_alive():
                if (len(shown) >= TARGET_SHOWN and len(chaos.kills) >= MIN_KILLS) or not any(
                        t.is_alive() for t in clients):
                    break
            stop.set()
            chaos.join(90)
            assert chaos.error is None, f"the chaos thread failed: {chaos.error!r}"
            chaos_seconds = time.monotonic() - chaos_started
            # The clients finish what they were doing, with the servers up.
            for service in (web, worker):
                if not service.alive:
                    service.start()
            for thread in clients:
                thread.join(60)
            assert not any(t.is_alive() for t in clients), "a client is stuck"

            # One last crash of both, down for a lease's length (a supervisor's back-off), then a clean start.
            web.kill()
            worker.kill()
            chaos.kills.append((time.time(), "both"))
            time.sleep(LEASE_SECONDS + 1)
            web.start()
            worker.start()
            wait_until_serving(port, web, worker, engine)

            deadline = time.monotonic() + DELIVERY_WAIT
            while True:
                ours = submissions(engine)
                pending = [ref for ref, (state, _) in ours.items() if state != "delivered"]
                missing = [ref for ref in shown if ref not in store.cases]
                if (not pending and not missing) or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            waited = DELIVERY_WAIT - (deadline - time.monotonic())
        finally:
            stop.set()
            if chaos.is_alive():
                chaos.join(90)  # before stopping: it must not start a process after the stop
            web.stop()
            worker.stop()
            engine.dispose()

        summary = {
            "database": database_url.split(":", 1)[0], "seed": seed, "shown": len(shown),
            "submissions_in_database": len(ours), "cases": len(store.cases), "outcomes": dict(outcomes),
            "kills": chaos.count(), "web_starts": web.starts, "worker_starts": worker.starts,
            "case_system_requests": store.requests, "duplicate_requests": store.duplicates,
            "most_reloads_in_one_submission": max(retries, default=0),
            "chaos_seconds": round(chaos_seconds, 1), "delivery_wait_seconds": round(waited, 1),
            "total_seconds": round(time.monotonic() - started, 1),
        }
        print("kill test:", json.dumps(summary))
        logs = f"\nsummary: {summary}\nweb log:\n{tail(tmp_path / 'web.log')}\nworker log:\n{tail(tmp_path / 'worker.log')}"

        assert not client_errors, f"the test's clients failed: {client_errors[:5]}"
        assert len(shown) >= LEAST_SHOWN, f"only {len(shown)} references shown: too few to prove anything{logs}"
        assert sum(chaos.count().values()) >= LEAST_KILLS and chaos.worker_kill_times(), f"too few kills{logs}"
        assert len(shown) == len(set(shown)), "one reference was shown to two people"
        # Every reference a person saw was committed, and reached the case system.
        assert set(shown) <= set(ours), f"shown but not in our database: {sorted(set(shown) - set(ours))}{logs}"
        assert not missing, f"{len(missing)} shown references never reached the case system: {missing[:10]}{logs}"
        # Every submission we hold is delivered, and the case system holds nothing we don't.
        assert not pending, f"{len(pending)} submissions not delivered after {waited:.0f} s: {pending[:10]}{logs}"
        assert set(store.cases) == set(ours), f"in the case system but not ours: {set(store.cases) - set(ours)}"
        for reference, (_state, case_id) in ours.items():
            assert case_id == store.cases[reference]["case_id"], f"{reference}: case id not kept"
        # Exactly once: one creation per reference, and every repeat a harmless retry of a lost outcome.
        created = collections.Counter(ref for _, ref, was_created in arrivals if was_created)
        assert all(count == 1 for count in created.values()) and set(created) == set(ours)
        assert store.bad_signatures == 0
        repeats = [(at, ref) for at, ref, was_created in arrivals if not was_created]
        assert store.duplicates == len(repeats)
        worker_kills = chaos.worker_kill_times()
        first = {ref: at for at, ref, was_created in arrivals if was_created}
        unexplained = [ref for at, ref in repeats if not any(first[ref] <= kill <= at for kill in worker_kills)]
        assert not unexplained, (f"repeated without a worker kill between the creation and the repeat "
                                 f"(two senders at once?): {unexplained}{logs}")
        # Each worker kill can lose the outcome of at most one attempt per worker thread (2).
        assert len(repeats) <= 2 * len(worker_kills), logs
