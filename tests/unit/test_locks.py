"""Named locks (portal/locks.py): taking one twice in a transaction is harmless, and old rows are swept."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal import locks
from portal.jobs import forget_old_locks


def test_a_lock_is_one_row_however_often_it_is_taken_and_the_hourly_job_forgets_old_ones(db_app, services):
    database = db_app.extensions["portal.db"]
    now = services.clock.now()
    with database.transaction() as session:
        locks.serialise(session, "old", now - locks.KEPT_FOR - dt.timedelta(minutes=1))
        locks.serialise(session, "recent", now - dt.timedelta(hours=1))
        locks.serialise(session, "recent", now)
    with db_app.app_context():
        assert forget_old_locks.call_local() == 1
    with database.transaction() as session:
        assert list(session.execute(select(locks.NamedLock.name, locks.NamedLock.taken_at))) == [("recent", now)]
