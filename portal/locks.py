"""Named locks in the database, for limits that count rows and must hold under parallel requests.

"Count the codes sent this hour, then add one" is a race: two requests both count 4 and both send the
fifth. `serialise(session, name)` takes a lock that lasts until the caller's transaction ends, so the
count and the insert that follow it happen one request at a time for that name, on either database:
the upsert of the lock's row takes PostgreSQL's row lock, and on SQLite it is the write that makes the
transaction hold the database's write lock (SQLite starts the transaction at that first write, so the
reads that follow it see every commit before it). Names are keyed hashes or ids, never personal data.

A counter that is a single column needs no lock: a conditional UPDATE whose row count decides is enough
(portal.codes.take_try).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import String, delete
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import upsert
from portal.models import Base, UTCDateTime

KEPT_FOR = dt.timedelta(days=1)  # a lock row older than any window that counts behind it is of no more use


class NamedLock(Base):
    __tablename__ = "portal_locks"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    taken_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


def serialise(session: Session, name: str, now: dt.datetime) -> None:
    """Hold the lock `name` until the session's transaction commits or rolls back."""
    table = NamedLock.__table__
    statement = upsert(session, table).values(name=name, taken_at=now)
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.name], set_={"taken_at": now}))


def forget_old(session: Session, now: dt.datetime) -> int:
    return session.execute(delete(NamedLock).where(NamedLock.taken_at < now - KEPT_FOR)).rowcount
