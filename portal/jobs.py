"""Background work with Huey: SQLite storage embedded, Redis at scale, immediate in unit tests.

The consumer runs with `flask worker` (started beside the web server by `make run`).
"""
from __future__ import annotations

import functools
import logging
import os
import socket
import threading

from flask import current_app, has_app_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from portal.adapters.ports import EmailMessage
from portal.exceptions import MailerUnavailable
from portal.settings import Settings

log = logging.getLogger(__name__)


def make_huey(settings: Settings) -> Huey:
    if settings.job_backend == "redis":
        return RedisHuey("portal", url=settings.redis_url)
    if settings.job_backend == "immediate":
        return MemoryHuey("portal", immediate=True)
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("portal", filename=str(settings.var_dir / "jobs.sqlite3"))


huey = make_huey(Settings.from_env())


_worker_app_lock = threading.Lock()


@functools.cache
def _build_worker_app():
    from portal.app import create_app

    return create_app()


def _worker_app():
    # Worker threads start together: build the app once, never concurrently.
    with _worker_app_lock:
        return _build_worker_app()


def job_app():
    """The Flask app a job runs in: the caller's when run immediately, else one per worker process."""
    return current_app._get_current_object() if has_app_context() else _worker_app()


def enqueue_email(message: EmailMessage) -> None:
    send_email(message.to, message.subject, message.body, message.reference)


@huey.task(retries=12, retry_delay=30, retry_backoff=2)
def send_email(to: str, subject: str, body: str, reference: str | None = None) -> None:
    from portal.adapters.mail_common import MailRejected

    app = job_app()
    with app.app_context():
        try:
            app.extensions["portal.services"].mailer.send(EmailMessage(to, subject, body, reference))
        except MailRejected as exc:
            # Permanent: retrying would never succeed. Logged without the address.
            log.error("email rejected permanently (reference=%s): %s", reference, exc)
        except MailerUnavailable:
            log.warning("email not sent yet, will retry (reference=%s)", reference)
            raise


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
