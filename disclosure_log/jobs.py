"""Disclosure Log background work: the index sweep every minute, the nightly full download, deleting a withdrawn
entry's files once the withdrawal is committed, and the email alerts (new entries every two minutes, daily
summaries at 7am London time, unconfirmed alerts deleted)."""
from __future__ import annotations

import logging
import secrets

from huey import crontab

from disclosure_log import alert_sending, alerts, nightly, service
from portal.db import get_db
from portal.jobs import huey, job_app, worker_name

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


@huey.periodic_task(crontab(minute="17"))
def prune_index_changes() -> int:
    """Hourly: the change log's rows every web server's search copy is past (or a week old) go."""
    from disclosure_log.index_follower import prune

    app = job_app()
    with app.app_context(), get_db().transaction() as session:
        return prune(session, app.extensions["portal.services"].clock.now())


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


@huey.periodic_task(crontab(minute="*/2"))  # alert_schedule.CHECK_EVERY
def send_alerts() -> dict:
    """Every due alert: those sent as entries are published at every run, daily ones once a day at 7am London."""
    app = job_app()
    with app.app_context():
        from disclosure_log.current import get_index

        services, settings = app.extensions["portal.services"], app.config["PORTAL_SETTINGS"]
        # A name of its own for each run: two runs in one process (a thread pool) are two workers.
        return alert_sending.run(get_db(), get_index(), settings, services.clock, f"{worker_name()}:{secrets.token_hex(4)}")


@huey.periodic_task(crontab(minute="41"))
def delete_expired_alerts() -> dict:
    """Hourly: alerts not confirmed within a week go, with their addresses."""
    app = job_app()
    with app.app_context(), get_db().transaction() as session:
        return alerts.delete_expired(session, app.extensions["portal.services"].clock.now())
