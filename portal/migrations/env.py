"""Alembic environment: one linear history for every service's tables."""
from alembic import context

from portal.db import make_engine
from portal.models import Base
import portal.outbox  # noqa: F401 - registers portal_outbox on Base.metadata

import capture.models  # noqa: F401,E402 - registers its tables on Base.metadata
import secure_share.models  # noqa: F401,E402
import disclosure_log.models  # noqa: F401,E402
import portal.locks  # noqa: F401,E402

config = context.config
target_metadata = Base.metadata
# Made by raw SQL in 0005 on PostgreSQL only (disclosure_log/index_postgres.py owns it), so it has no model.
UNMODELLED = {"disclosure_search"}


def _modelled(_object, name, type_, _reflected, _compare_to) -> bool:
    table = name if type_ == "table" else getattr(getattr(_object, "table", None), "name", None)
    return table not in UNMODELLED


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch mode rebuilds a table by copy, drop and rename: with foreign keys on, dropping a parent
            # (share_shares) would cascade-delete its children (share_events). Off for the migration only.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_object=_modelled)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
