"""The Disclosure Log's side of the PublishedResponses port: what Capture's "Before you ask" shows."""
from __future__ import annotations

import datetime as dt

from flask import url_for

from disclosure_log import search
from disclosure_log.current import get_index
from portal.adapters.ports import PublishedResponse
from portal.db import session as db_session


class DisclosureLogResponses:
    def like(self, text: str, now: dt.datetime, limit: int) -> list[PublishedResponse]:
        session = db_session()
        try:
            found = search.like_text(session, get_index(), text, now, limit)  # leaves out the words every request uses
        except Exception:
            session.rollback()  # the request's session goes on being used by whoever asked
            raise
        return [PublishedResponse(entry.title, entry.reference, url_for("disclosure_log.entry", reference=entry.reference),
                                  entry.published) for entry in found]
