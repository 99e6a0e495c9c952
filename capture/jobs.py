"""Capture's background work: expired drafts and their files are deleted."""
from __future__ import annotations

import datetime as dt

from huey import crontab

from capture import service
from portal.db import get_db
from portal.jobs import huey, job_app


@huey.periodic_task(crontab(minute="*/5"))
def delete_expired_drafts() -> int:
    app = job_app()
    with app.app_context():
        services = app.extensions["portal.services"]
        idle = dt.timedelta(minutes=app.config["PORTAL_SETTINGS"].draft_idle_minutes)
        with get_db().sessionmaker() as session:
            return service.purge_expired_drafts(session, services.store, services.clock.now(), idle)
