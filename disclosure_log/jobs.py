"""Disclosure Log background work: the index sweep every minute and the nightly full download."""
from __future__ import annotations

import logging

from huey import crontab

from disclosure_log import nightly, service
from portal.db import get_db
from portal.jobs import huey, job_app

log = logging.getLogger(__name__)


@huey.periodic_task(crontab(minute="*"))
def sweep_index() -> int:
    """Index any change whose immediate index update did not happen (a crash, a busy index)."""
    app = job_app()
    with app.app_context(), get_db().sessionmaker() as session:
        from disclosure_log.current import get_index

        return service.sync_index(session, get_index())


@huey.periodic_task(crontab(hour="2", minute="30"))
def nightly_download() -> int:
    app = job_app()
    with app.app_context(), get_db().sessionmaker() as session:
        services, settings = app.extensions["portal.services"], app.config["PORTAL_SETTINGS"]
        return len(nightly.make(session, services.store, settings.base_url, services.clock.now()))
