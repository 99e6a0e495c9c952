"""Alembic environment: one linear history for every service's tables."""
from alembic import context

from portal.db import make_engine
from portal.models import Base
import portal.outbox  # noqa: F401 - registers portal_outbox on Base.metadata

import capture.models  # noqa: F401,E402 - registers its tables on Base.metadata
import secure_share.models  # noqa: F401,E402
import disclosure_log.models  # noqa: F401,E402

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
