"""The Disclosure Log's side of the PublishedResponses port: what Capture's "Before you ask" shows."""
from __future__ import annotations

import datetime as dt

from flask import url_for

from disclosure_log import search
from disclosure_log.current import get_index
from disclosure_log.presenters import shown
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
        # each by its title in the page's language where it has one (its own Welsh version on a Welsh page)
        return [PublishedResponse(shown(entry).title.text, entry.reference, url_for("disclosure_log.entry", reference=entry.reference),
                                  entry.published) for entry in found]
