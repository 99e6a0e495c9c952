"""Disclosure Log background work: the index sweep every minute, the nightly full download, and deleting
a withdrawn entry's files once the withdrawal is committed."""
from __future__ import annotations

import logging

from huey import crontab

from disclosure_log import nightly, service
from portal.db import get_db
from portal.jobs import huey, job_app

log = logging.getLogger(__name__)


def sync_all(sessionmaker, index) -> int:
    """Every pending entry into the index, a batch to a transaction (a million after a new index)."""
    done = 0
    while True:
        with sessionmaker.begin() as session:
            batch = service.sync_index(session, index)
        done += batch
        if batch < service.SWEEP_BATCH:
            return done


@huey.periodic_task(crontab(minute="*"))
def sweep_index() -> int:
    """Index any change whose immediate index update did not happen (a crash, a busy index)."""
    app = job_app()
    with app.app_context():
        from disclosure_log.current import get_index

        return sync_all(get_db().sessionmaker, get_index())


@huey.task(retries=12, retry_delay=30, retry_backoff=2)
def delete_files(store_keys: list[str]) -> int:
    """Queued after a withdrawal commits; retried while the store is down."""
    app = job_app()
    with app.app_context():
        store = app.extensions["portal.services"].store
        for key in store_keys:
            store.delete(key)
    return len(store_keys)


@huey.periodic_task(crontab(hour="2", minute="30"))
def nightly_download() -> int:
    app = job_app()
    with app.app_context(), get_db().sessionmaker() as session:
        services, settings = app.extensions["portal.services"], app.config["PORTAL_SETTINGS"]
        return len(nightly.make(session, services.store, settings.base_url, services.clock.now()))
