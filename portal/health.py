"""Liveness and readiness: /healthz says the process is up; /readyz checks what it depends on."""
from __future__ import annotations

import datetime as dt
import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from portal.db import get_db
from portal.models import WorkerHeartbeat

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

HEARTBEAT_STALE_AFTER = dt.timedelta(minutes=3)


def beat(worker: str, now: dt.datetime) -> None:
    database = get_db()
    with database.transaction() as session:
        updated = session.execute(
            update(WorkerHeartbeat).where(WorkerHeartbeat.worker == worker).values(beat_at=now)).rowcount
    if updated:
        return
    try:
        with database.transaction() as session:
            session.add(WorkerHeartbeat(worker=worker, beat_at=now))
    except IntegrityError:  # another thread of the same worker inserted first: its beat counts
        pass


def _check(name: str, probe) -> tuple[str, str]:
    try:
        return probe()
    except Exception as exc:  # a readiness probe reports, it never raises
        log.warning("readiness check %s failed: %s", name, type(exc).__name__)
        return "fail", type(exc).__name__


def _database():
    with get_db().engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return "ok", "reachable"


def _store():
    current_app.extensions["portal.services"].store.ping()
    return "ok", "reachable"


def _scanner():
    scanner = current_app.extensions["portal.services"].scanner
    if not scanner.configured:
        return "warn", "no virus scanner configured: uploads are not scanned"
    scanner.ping()
    return "ok", "answers PING"


def _worker():
    services = current_app.extensions["portal.services"]
    with get_db().sessionmaker() as session:
        latest = session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    if latest is None:
        return "warn", "no background worker has reported yet"
    if latest.tzinfo is None:
        latest = latest.replace(tzinfo=dt.timezone.utc)
    age = services.clock.now() - latest
    if age > HEARTBEAT_STALE_AFTER:
        return "warn", f"last heartbeat {int(age.total_seconds())} seconds ago"
    return "ok", f"last heartbeat {int(age.total_seconds())} seconds ago"


READINESS_CHECKS = {"database": _database, "file_store": _store, "virus_scanner": _scanner, "worker": _worker}
# A failing essential check makes the instance not ready; the others warn.
ESSENTIAL = {"database", "file_store"}


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    checks = {**READINESS_CHECKS, **current_app.extensions.get("portal.readiness", {})}
    results = {name: _check(name, probe) for name, probe in checks.items()}
    checks = {name: {"status": status, "detail": detail} for name, (status, detail) in results.items()}
    failed = [name for name, (status, _) in results.items() if status == "fail"]
    if any(name in ESSENTIAL for name in failed):
        overall, code = "fail", 503
    elif failed or any(status == "warn" for status, _ in results.values()):
        overall, code = "warn", 200
    else:
        overall, code = "ok", 200
    return jsonify(status=overall, checks=checks), code
