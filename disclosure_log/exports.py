"""Entries as data: JSON for the API and /disclosure-log.json, streamed CSV, the Atom feed, the sitemap.

Exports of a search walk the index by sort key (newest first, or oldest first when asked), so the
millionth row costs what the first did and nothing is held in memory.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Iterable, Iterator
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from disclosure_log.index import SearchIndex, sort_key
from disclosure_log.models import Disclosure
from disclosure_log.query import SearchRequest
from disclosure_log.service import current_attachments

BATCH = 500
CSV_COLUMNS = ("reference", "title", "url", "case_type", "category", "department", "outcome", "exemptions",
               "received", "responded", "working_days", "published", "internal_review", "ico_decision_url",
               "attachments", "request", "response", "language", "welsh_title", "welsh_request", "welsh_response")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def entry_json(entry: Disclosure, base_url: str = "", audit=None) -> dict:
    body = {
        "reference": entry.reference,
        "url": f"{base_url}/disclosure-log/{entry.reference}",
        "status": entry.status,
        "title": entry.title,
        "case_type": entry.case_type, "category": entry.category, "department": entry.department,
        "outcome": entry.outcome, "exemptions": list(entry.exemptions or ()),
        "received": _iso(entry.received), "responded": _iso(entry.responded),
        "working_days": entry.working_days, "published": _iso(entry.published),
        "publish_at": entry.publish_at.isoformat(),
        "internal_review": entry.internal_review, "ico_decision_url": entry.ico_decision_url,
        "request": entry.request, "response": entry.response,
        "language": entry.language or "en",  # the language it was published in
        "welsh": welsh_version(entry),
        "attachments": [{
            "filename": a.filename, "type": a.kind, "size": a.size, "sha256": a.sha256,
            "added_at": a.added_at.isoformat(), "change_note": a.change_note,
            "url": f"{base_url}/disclosure-log/{entry.reference}/files/{a.id}/{a.filename}",
        } for a in current_attachments(entry)],
    }
    if entry.status == "withdrawn":
        body.update(withdrawn_at=entry.withdrawn_at.isoformat(), withdrawn_reason=entry.withdrawn_reason)
    if audit is not None:
        body["audit"] = [{"at": e.at.isoformat(), "action": e.action, "actor": e.actor, "detail": e.detail}
                         for e in audit]
    return body


def welsh_version(entry: Disclosure) -> dict | None:
    """An English entry's own Welsh version, as the API takes it; None when it has none."""
    if not entry.title_cy:
        return None
    return {"title": entry.title_cy, "request": entry.request_cy, "response": entry.response_cy}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_row(entry: Disclosure, base_url: str) -> list[str]:
    data = entry_json(entry, base_url)
    data["exemptions"] = "; ".join(data["exemptions"])
    data["attachments"] = "; ".join(a["url"] for a in data["attachments"])
    welsh = data["welsh"] or {}
    data.update(welsh_title=welsh.get("title", ""), welsh_request=welsh.get("request", ""),
                welsh_response=welsh.get("response", ""))
    return [safe_cell(data[column]) for column in CSV_COLUMNS]


def walk(session: Session, index: SearchIndex, request: SearchRequest, limit: int | None = None) -> Iterator[Disclosure]:
    """Every entry a search finds, in sort-key order, a batch at a time."""
    sort = "oldest" if request.sort == "oldest" else "newest"
    before, sent = None, 0
    while limit is None or sent < limit:
        batch = index.search(SearchRequest(
            query=request.query, filters=request.filters, published_from=request.published_from,
            published_to=request.published_to, sort=sort, limit=BATCH if limit is None else min(BATCH, limit - sent),
            now=request.now, with_facets=False, sort_key_before=before))
        if not batch.ids:
            return
        found = {e.id: e for e in session.scalars(
            select(Disclosure).where(Disclosure.id.in_(batch.ids)).options(selectinload(Disclosure.attachments)))}
        for entry_id in batch.ids:
            if entry_id in found:
                yield found[entry_id]
                sent += 1
        last = found.get(batch.ids[-1])
        if last is None:
            return
        before = sort_key(last.published, last.id)
        session.expunge_all()  # a million rows pass through: keep the identity map small


def csv_stream(entries: Iterator[Disclosure], base_url: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel reads UTF-8 only with a byte order mark
    writer.writerow(CSV_COLUMNS)
    for n, entry in enumerate(entries, 1):
        writer.writerow(csv_row(entry, base_url))
        if n % 100 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def sitemap(rows: Iterable[tuple[str, dt.datetime]], base_url: str, chunk: int = 1000) -> Iterator[str]:
    """A sitemaps.org urlset of entry pages, given (reference, last changed), yielded a chunk of URLs at a time."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    lines = []
    for reference, updated in rows:
        location = xml_escape(f"{base_url}/disclosure-log/{quote(reference)}")
        lines.append(f"<url><loc>{location}</loc><lastmod>{updated.date().isoformat()}</lastmod></url>\n")
        if len(lines) == chunk:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines) + "</urlset>\n"


def atom(entries: list[Disclosure], *, feed_url: str, page_url: str, base_url: str, body_name: str,
         title: str, now: dt.datetime, language: str = "en") -> bytes:
    """The feed's own words in `language` (the page's); each entry in it where it has its own version."""
    from flask_babel import gettext as _

    from disclosure_log.presenters import outcome, shown

    feed = FeedGenerator()
    feed.language(language)
    feed.id(feed_url)
    feed.title(title)
    feed.author({"name": body_name})
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.rights(_("Open Government Licence v3.0"))
    feed.updated(max((e.updated_at for e in entries), default=now))
    for entry in reversed(entries):  # feedgen prepends: newest ends up first
        url = f"{base_url}/disclosure-log/{entry.reference}"
        item = feed.add_entry()
        item.id(url)
        version = shown(entry, language)
        item.title(f"{entry.reference}: {version.title.text}")
        item.link(href=url, rel="alternate", type="text/html")
        item.published(entry.publish_at)
        item.updated(entry.updated_at)
        item.category(term=entry.case_type)
        if entry.category:
            item.category(term=entry.category)
        item.summary(f"{outcome(entry.outcome)}. {' '.join(version.response.text.split()[:60])}")
    return feed.atom_str(pretty=False)
