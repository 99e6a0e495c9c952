"""SQLAlchemy 2 engine and sessions; SQLite (WAL, foreign keys on) by default, PostgreSQL by DATABASE_URL."""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Iterator

from flask import Flask, current_app, g
from sqlalchemy import Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from portal.private_files import private_sqlite

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger(__name__)
_DELETIONS = "portal.delete_after_commit"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA secure_delete=ON")  # erased personal data is overwritten, whatever the build's default
    cursor.close()


def delete_after_commit(session: Session, store, key: str) -> None:
    """Delete a stored file once the change that stops naming it is committed. Deleted first, a failed
    commit would leave a draft naming a file that is gone; deleted after, the worst is a file named nowhere."""
    session.info.setdefault(_DELETIONS, []).append((store, key))


@event.listens_for(Session, "after_commit")
def _delete_committed(session: Session) -> None:
    for store, key in session.info.pop(_DELETIONS, []):
        try:
            store.delete(key)
        except Exception:  # the commit stands; the file is left named nowhere, which harms no one
            log.warning("a stored file could not be deleted after commit", exc_info=True)


@event.listens_for(Session, "after_soft_rollback")
def _keep_rolled_back(session: Session, _transaction) -> None:
    if not session.in_transaction():  # the outermost transaction: what it named stays
        session.info.pop(_DELETIONS, None)


def upsert(session: Session, table: Table):
    """An INSERT for the session's database that takes on_conflict_do_update/do_nothing: both dialects have it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            private_sqlite(path)  # 0600 before SQLite opens it: its -wal and -shm files take the same mode
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        with self.sessionmaker.begin() as session:
            yield session

    def upgrade(self, revision: str = "head") -> None:
        from alembic import command

        command.upgrade(alembic_config(self.url), revision)

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def init_db(app: Flask, settings) -> Database:
    database = Database(settings.sqlalchemy_url)
    app.extensions["portal.db"] = database

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    return database


def get_db() -> Database:
    return current_app.extensions["portal.db"]


def session() -> Session:
    """The request's session: views and API handlers pass it to service functions, then commit it once."""
    if "db_session" not in g:
        g.db_session = get_db().sessionmaker()
    return g.db_session
