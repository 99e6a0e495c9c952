"""The running app's search index and the publish guard's allow-list, for views, the API, commands and jobs
(create_app builds them)."""
from __future__ import annotations

from flask import current_app

from disclosure_log import guard, service
from disclosure_log.index import SearchIndex
from portal.db import get_db


def get_index() -> SearchIndex:
    index = current_app.extensions["disclosure_log.index"]
    if getattr(index, "fresh", False):
        # A new index folder (a new schema, or a first start): the database is the source, so every entry is
        # marked for the sweep to fill it. Done at first use, not in create_app: the tables may not exist yet.
        index.fresh = False
        with get_db().transaction() as session:
            service.mark_all_pending(session)
    return index


def index_readiness():
    index = get_index()
    if hasattr(index, "readiness"):  # a local copy following the database: its lag
        return index.readiness()
    index.ping()
    return "ok", f"{index.count():,} entries searchable"


def guard_allowed() -> guard.Allowed:
    """The body's own contact details, from its settings (feature.init_app checked GUARD_ALLOW)."""
    return current_app.extensions["disclosure_log.guard_allowed"]
