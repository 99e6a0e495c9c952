"""Capture's background work: delivery to the case system, expired drafts, retention."""
from __future__ import annotations

import datetime as dt

from huey import crontab

from capture import delivery, service
from capture.models import Submission
from portal.db import get_db
from portal.jobs import huey, job_app, worker_name


def _context():
    app = job_app()
    return app, app.extensions["portal.services"], app.config["PORTAL_SETTINGS"]


@huey.task()
def deliver_submission(submission_id: int) -> str:
    """Sent right after the submission is committed, for a short delivery lag; the sweep is the safety net."""
    app, services, settings = _context()
    with app.app_context():
        outcome = delivery.deliver(get_db(), services, settings, submission_id, worker_name())
        if outcome == "retry" and not huey.immediate:
            with get_db().sessionmaker() as session:
                due = session.get(Submission, submission_id).next_attempt_at
            wait = max((due - services.clock.now()).total_seconds(), 1)
            deliver_submission.schedule((submission_id,), delay=wait)
        return outcome


@huey.periodic_task(crontab(minute="*"))
def deliver_due_submissions() -> dict:
    """Every minute: anything due (a lost task, a restart, a retry) is picked up."""
    app, services, settings = _context()
    with app.app_context():
        return delivery.deliver_due(get_db(), services, settings, worker_name())


@huey.periodic_task(crontab(minute="*/5"))
def delete_expired_drafts() -> int:
    app, services, settings = _context()
    with app.app_context():
        idle = dt.timedelta(minutes=settings.draft_idle_minutes)
        with get_db().transaction() as session:
            return service.purge_expired_drafts(session, services.store, services.clock.now(), idle)


@huey.periodic_task(crontab(minute="17"))
def erase_delivered_personal_data() -> int:
    app, services, settings = _context()
    with app.app_context():
        with get_db().transaction() as session:
            erased = delivery.erase_personal_data(session, services.store, services.clock.now(),
                                                  dt.timedelta(days=settings.retention_days))
        return len(erased)
