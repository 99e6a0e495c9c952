"""Background work with Huey: SQLite storage embedded, Redis at scale, immediate in unit tests.

The consumer runs with `flask worker` (started beside the web server by `make run`).

Tasks are declared on the one module-level queue below when their modules are imported (Huey binds a task
to its queue at declaration). Until `create_app` binds it to the storage its Settings name (`bind_queue`),
the queue holds tasks in memory and touches no disk: importing a feature reads no environment and writes
no file.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from flask import Flask, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from portal import outbox
from portal.db import get_db
from portal.private_files import private_folder, private_sqlite
from portal.settings import Settings

log = logging.getLogger(__name__)

QUEUE_NAME = "portal"


def make_storage(settings: Settings):
    """The queue's storage for these settings: Redis, or SQLite in the var folder (created here)."""
    if settings.job_backend == "redis":
        return RedisStorage(QUEUE_NAME, url=settings.redis_url)
    private_folder(settings.var_dir)
    return SqliteStorage(QUEUE_NAME, filename=str(private_sqlite(settings.var_dir / "jobs.sqlite3")))


def make_huey(settings: Settings) -> Huey:
    """A queue of its own on the settings' storage (the storage tests use one; the portal uses `huey`)."""
    queue = Huey(QUEUE_NAME, storage_class=MemoryStorage, immediate=settings.job_backend == "immediate")
    if settings.job_backend != "immediate":
        queue.storage = make_storage(settings)
    return queue


# No result store: nothing reads what a task returns, and a task's error (an outside system's words, a
# database error with its parameters) would otherwise sit in the job store with whatever personal data it holds.
huey = Huey(QUEUE_NAME, storage_class=MemoryStorage, results=False)


def bind_queue(settings: Settings) -> None:
    """Point the portal's queue at the storage its settings name; create_app calls this."""
    if settings.job_backend == "immediate":
        huey.immediate = True  # each task runs as it is queued, in the caller's app
        return
    huey.immediate = False
    huey.storage = make_storage(settings)


_worker_apps: list[Flask] = []  # the app `flask worker` was started with


def use_worker_app(app: Flask) -> None:
    """Jobs the consumer runs use this app (the one `flask worker` built and bound the queue with)."""
    _worker_apps[:] = [app]


def job_app() -> Flask:
    """The Flask app a job runs in: the caller's when run immediately, else the worker's."""
    if has_app_context():
        return current_app._get_current_object()
    if not _worker_apps:
        raise RuntimeError("jobs run in the app `flask worker` starts (portal.jobs.use_worker_app)")
    return _worker_apps[0]


def after_commit(what: str, job, *args) -> None:
    """Queue follow-up work for a change already committed: a queue that is down is logged, never the caller's error."""
    try:
        job(*args)
    except Exception:
        log.exception("could not queue %s", what)


def send_after_commit(email_id: int) -> None:
    """Once the transaction that added outbox email `email_id` is committed: send it now, not at the next sweep."""
    after_commit(f"email {email_id}", send_email, email_id)


@huey.task()
def send_email(email_id: int) -> str:
    """Only the id travels through the job store; a retry is the sweep's (portal.outbox)."""
    app = job_app()
    with app.app_context():
        services = app.extensions["portal.services"]
        return outbox.send(get_db(), services.mailer, services.clock, email_id, worker_name())


@huey.periodic_task(crontab(minute="*"))
def send_due_emails() -> dict:
    """Every minute: emails whose task was lost (a crash after the commit, a queue down) and retries that are due."""
    app = job_app()
    with app.app_context():
        services = app.extensions["portal.services"]
        return outbox.send_due(get_db(), services.mailer, services.clock, worker_name())


@huey.periodic_task(crontab(minute="17"))
def erase_old_emails() -> int:
    """Hourly: what is left of emails (their reference and times) goes with the rest after RETENTION_DAYS."""
    app = job_app()
    with app.app_context(), get_db().transaction() as session:
        retention = dt.timedelta(days=app.config["PORTAL_SETTINGS"].retention_days)
        return outbox.erase_old(session, app.extensions["portal.services"].clock.now(), retention)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@huey.periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    record_heartbeat()


@huey.on_startup()
def _startup_heartbeat() -> None:
    record_heartbeat()


def record_heartbeat() -> None:
    from portal.health import beat

    app = job_app()
    with app.app_context():
        beat(worker_name(), app.extensions["portal.services"].clock.now())


@huey.periodic_task(crontab(minute="23"))
def forget_old_locks() -> int:
    from portal import locks
    from portal.db import get_db

    app = job_app()
    with app.app_context(), get_db().transaction() as session:
        return locks.forget_old(session, app.extensions["portal.services"].clock.now())
