"""Migration 0009 (share_events.address_hash), up and down, on SQLite and PostgreSQL: the events kept either way."""
from __future__ import annotations

import sqlalchemy

from portal.db import Database

SHARE = ("INSERT INTO share_shares (id, case_reference, recipient_name, recipient_email, message, status, link_version, "
         "created_at, expires_at, webhook_url) VALUES ('s1', 'SAR-1', 'Jane', 'jane@example.com', '', 'sent', 0, "
         "'2026-06-01 09:00:00+00:00', '2026-07-01 09:00:00+00:00', '')")
EVENT = ("INSERT INTO share_events (share_id, at, kind, actor, device, detail) "
         "VALUES ('s1', '2026-06-01 09:00:00+00:00', 'signed in', 'requester', 'Firefox', '{}')")


def columns(database: Database) -> set[str]:
    return {column["name"] for column in sqlalchemy.inspect(database.engine).get_columns("share_events")}


def test_0009_adds_the_address_hash_and_takes_it_away_keeping_the_events(database_url):
    database = Database(database_url)
    try:
        database.upgrade("0006")
        with database.engine.begin() as connection:
            connection.execute(sqlalchemy.text(SHARE))
            connection.execute(sqlalchemy.text(EVENT))
        assert "address_hash" not in columns(database)

        database.upgrade("0009")
        assert "address_hash" in columns(database)
        with database.engine.begin() as connection:
            assert connection.execute(sqlalchemy.text("SELECT kind, address_hash FROM share_events")).all() == [
                ("signed in", "")]  # an event from before has no address hash, not a NULL
            connection.execute(sqlalchemy.text(EVENT))  # an insert that names no address hash still works

        from alembic import command

        from portal.db import alembic_config

        command.downgrade(alembic_config(database_url), "0006")
        assert "address_hash" not in columns(database)
        with database.engine.begin() as connection:
            assert connection.execute(sqlalchemy.text("SELECT count(*) FROM share_events")).scalar() == 2
    finally:
        database.dispose()
