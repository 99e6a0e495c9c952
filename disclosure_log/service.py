"""Disclosure Log domain logic: publish, update and withdraw entries, keep the search index in step.

The database is the record. A change marks the entry index_state="pending" in the same transaction;
after the commit the index is brought in step at once, and a sweep (worker, every minute) catches any
change whose index update was interrupted. Scheduled entries are indexed straight away with the moment
they become public, and search leaves them out until then, so they appear to the minute without a job.

These functions never commit: the API handler, job or command that calls them commits once, and only
then deletes a withdrawn entry's files (jobs.delete_files) or updates the index.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Iterable, Iterator, Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from disclosure_log import guard
from disclosure_log.attachments import IncomingAttachment, StagedAttachment, discard, stage
from disclosure_log.entries import EntryFields, InvalidEntry
from disclosure_log.extract import TextPart
from disclosure_log.index import IndexEntry, SearchIndex, SearchIndexError, indexed_title
from disclosure_log.models import DONE, FAILED, PENDING, Attachment, Disclosure, DisclosureEvent, IndexChange
from portal.dates import LONDON
from portal.exceptions import Gone, NotFound, PortalError

log = logging.getLogger(__name__)

SWEEP_BATCH = 2000


class PublishBlocked(PortalError):
    """The publish guard found personal data and the call gave no reason to publish anyway."""

    status_code = 422
    title = "Personal data found"
    detail = "Publication was blocked: the entry seems to hold personal data. Remove it, or publish with a reason."

    def __init__(self, findings: Sequence[guard.Finding]):
        super().__init__()
        self.findings = list(findings)


class Conflict(PortalError):
    status_code = 409
    title = "Conflict"


class EntryWithdrawn(Gone):
    title = "This response has been withdrawn"

    def __init__(self, entry: Disclosure):
        super().__init__("It was withdrawn from the disclosure log.")
        self.entry = entry


def _event(session: Session, reference: str, action: str, actor: str, now: dt.datetime, **detail) -> None:
    session.add(DisclosureEvent(reference=reference, at=now, action=action, actor=actor, detail=detail))


def record_changes(session: Session, entry_ids: Iterable[int], now: dt.datetime) -> None:
    """Log that these entries changed, in the caller's transaction: each web server's local search copy
    follows the log (index_follower), so it must commit or roll back with the change itself."""
    rows = [{"entry_id": entry_id, "at": now} for entry_id in entry_ids]
    if rows:
        session.execute(insert(IndexChange.__table__), rows)


def get(session: Session, reference: str) -> Disclosure | None:
    return session.scalar(select(Disclosure).where(Disclosure.reference == reference)
                          .options(selectinload(Disclosure.attachments)))


def public_entry(session: Session, reference: str, now: dt.datetime) -> Disclosure:
    """The entry as the public may see it: NotFound before it is published, EntryWithdrawn after withdrawal."""
    entry = get(session, reference)
    if entry is None or entry.publish_at > now:
        raise NotFound()
    if entry.status == "withdrawn":
        raise EntryWithdrawn(entry)
    return entry


def current_attachments(entry: Disclosure) -> list[Attachment]:
    return [a for a in entry.attachments if a.replaced_at is None]


def _check(fields: EntryFields, staged: Sequence[StagedAttachment], kept: Sequence[Attachment],
           allowed: guard.Allowed) -> list[guard.Finding]:
    """Every field that is shown or exported, and each attachment's name as well as its text and properties: a
    phone number in `department` would otherwise become a public filter value. A file kept from before was
    checked when it came; its text is checked again."""
    texts = {"title": fields.title, "request": fields.request, "response": fields.response,
             "internal_review": fields.internal_review, "department": fields.department,
             "category": fields.category, "exemptions": "; ".join(fields.exemptions), **fields.welsh_texts()}
    # Named by position: the name itself may be what must not be repeated ("where" is shown and audited).
    texts |= {f"name of attachment {n}": item.filename for n, item in enumerate(staged, 1)}
    files = [guard.AttachmentText(item.filename, item.parts, item.hidden, item.notes) for item in staged]
    files += [guard.AttachmentText(a.filename, [TextPart(where="", text=a.text)]) for a in kept if a.text]
    return guard.check_entry(texts, files, allowed)


def publish(session: Session, store, scanner, *, reference: str, fields: EntryFields,
            incoming: Sequence[IncomingAttachment], override_reason: str, change_note: str,
            actor: str, now: dt.datetime, create_only: bool,
            allowed: guard.Allowed = guard.NO_ONE_ALLOWED) -> tuple[Disclosure, bool]:
    """Create or replace an entry (PUT semantics; POST passes create_only). Returns (entry, created).

    Attachments are typed, virus-scanned, stored and their text extracted before the guard runs; if the
    guard blocks, the stored files are deleted again and nothing is saved. `allowed`: the body's own contact
    details (guard.Allowed.from_settings), never findings."""
    entry = get(session, reference)
    if entry is not None and create_only:
        raise Conflict(f"{reference} already exists: use PUT to change it")
    staged = stage(incoming, store=store, scanner=scanner, reference=reference)
    try:
        replaced_names = {item.filename for item in staged}
        kept = [a for a in (current_attachments(entry) if entry else []) if a.filename not in replaced_names]
        findings = _check(fields, staged, kept, allowed)
        if findings and not override_reason:
            raise PublishBlocked(findings)
    except BaseException:
        discard(staged, store)
        raise
    created = entry is None
    # public from the start of this minute: searches see the log as at the minute (search.to_the_minute)
    publish_at = fields.publish_at or (entry.publish_at if entry and entry.publish_at <= now
                                       else now.replace(second=0, microsecond=0))
    published = fields.published or publish_at.astimezone(LONDON).date()
    if created:
        entry = Disclosure(reference=reference, created_at=now, attachments=[])
        session.add(entry)
    was_withdrawn = entry.status == "withdrawn"
    for name, value in fields.columns().items():
        setattr(entry, name, value)
    entry.published = published
    entry.publish_at = publish_at
    entry.status = "published"
    entry.withdrawn_at, entry.withdrawn_reason = None, ""
    entry.updated_at = now
    entry.index_state = PENDING
    _attach(entry, staged, change_note, now)
    action = "published" if created else ("republished" if was_withdrawn else "updated")
    _event(session, reference, action, actor, now, publish_at=publish_at.isoformat(),
           attachments=[item.filename for item in staged])
    session.flush()  # a new entry's id, for the change log
    record_changes(session, [entry.id], now)
    if findings:
        _event(session, reference, "guard_overridden", actor, now, reason=override_reason,
               findings=[{"kind": f.kind, "where": f.where} for f in findings])
    log.info("disclosure %s %s by %s, scheduled=%s", reference, action, actor, publish_at > now)
    return entry, created


def _attach(entry: Disclosure, staged: Sequence[StagedAttachment], change_note: str, now: dt.datetime) -> None:
    current = {a.filename: a for a in current_attachments(entry)}
    for item in staged:
        note = ""
        if item.filename in current:
            current[item.filename].replaced_at = now
            note = change_note or "A corrected version of this file replaced the earlier one."
        entry.attachments.append(Attachment(
            filename=item.filename, kind=item.kind, content_type=item.content_type, size=item.size,
            sha256=item.sha256, store_key=item.store_key, text=item.text, added_at=now,
            change_note=note))


def withdraw(session: Session, *, reference: str, reason: str, actor: str, now: dt.datetime) -> Disclosure:
    """Take an entry down: its text goes, a dated tombstone with the reason stays (410). Its files are
    deleted once this is committed: the caller queues jobs.delete_files with stored_files(entry)."""
    entry = get(session, reference)
    if entry is None:
        raise NotFound(f"There is no disclosure {reference}.")
    if entry.status == "withdrawn":
        return entry
    if not reason.strip():
        raise InvalidEntry("reason is required: it is shown on the public page", "reason")
    entry.status = "withdrawn"
    entry.withdrawn_at = now
    entry.withdrawn_reason = reason.strip()[:1000]
    entry.request = entry.response = entry.request_cy = entry.response_cy = ""
    entry.updated_at = now
    entry.index_state = PENDING
    for attachment in entry.attachments:
        attachment.text = ""
        attachment.replaced_at = attachment.replaced_at or now  # a republished entry never lists a deleted file
    _event(session, reference, "withdrawn", actor, now, reason=entry.withdrawn_reason,
           files_deleted=len(entry.attachments))
    record_changes(session, [entry.id], now)
    log.info("disclosure %s withdrawn by %s", reference, actor)
    return entry


def stored_files(entry: Disclosure) -> list[str]:
    """The store keys of every file the entry has had, current or replaced."""
    return [attachment.store_key for attachment in entry.attachments]


def index_entry(entry: Disclosure) -> IndexEntry:
    body = "\n".join([entry.request, entry.response, entry.request_cy, entry.response_cy,
                      *(a.text for a in current_attachments(entry) if a.text)])
    return IndexEntry(
        id=entry.id, title=indexed_title(entry.title, entry.title_cy), body=body, case_type=entry.case_type,
        category=entry.category,
        department=entry.department, outcome=entry.outcome, exemptions=tuple(entry.exemptions or ()),
        published=entry.published, visible_from=entry.publish_at)


def sync_index(session: Session, index: SearchIndex, ids: Iterable[int] | None = None) -> int:
    """Bring the index in step with one batch of pending entries (or just these). Returns how many.

    The caller commits each batch, and asks for another while a whole one came back (jobs.sync_all)."""
    query = (select(Disclosure).where(Disclosure.index_state == PENDING)
             .options(selectinload(Disclosure.attachments)).order_by(Disclosure.id).limit(SWEEP_BATCH))
    if ids is not None:
        query = query.where(Disclosure.id.in_(list(ids)))
    entries = list(session.scalars(query))
    if not entries:
        return 0
    try:
        _apply(index, entries)
    except SearchIndexError:
        raise  # the index is busy or down: everything stays pending for the next sweep
    except Exception:  # one entry the index cannot take must not hold back the rest
        for entry in entries:
            try:
                _apply(index, [entry])
            except SearchIndexError:
                raise
            except Exception:
                log.exception("disclosure %s cannot be indexed: marked failed", entry.reference)
                entry.index_state = FAILED
    for entry in entries:  # unless it changed again meanwhile: then the next sweep takes it
        if entry.index_state != FAILED:
            session.execute(update(Disclosure).where(Disclosure.id == entry.id,
                                                     Disclosure.updated_at == entry.updated_at)
                            .values(index_state=DONE))
    return len(entries)


def mark_all_pending(session: Session) -> None:
    """A new, empty index: every entry must go into it (the sweep does it, in batches)."""
    session.execute(update(Disclosure).where(Disclosure.index_state == DONE).values(index_state=PENDING))


def _apply(index: SearchIndex, entries: list[Disclosure]) -> None:
    index.add([index_entry(e) for e in entries if e.status == "published"])
    index.remove([e.id for e in entries if e.status != "published"])


def start_rebuild(session: Session) -> None:
    """Every entry pending, committed before rebuild_index empties the index: a rebuild cut short
    leaves the sweep to fill it."""
    session.execute(update(Disclosure).values(index_state=PENDING))


def rebuild_index(session: Session, index: SearchIndex, batch: int = 10_000, progress=None) -> int:
    """Empty the index and fill it from the database (after start_rebuild is committed); the caller
    commits. Reads columns, not ORM objects: a million entries go through here."""
    index.clear()
    total = 0
    for entries in published_batches(session, batch):
        index.add(entries, replace=False, threads=2)
        total += len(entries)
        if progress:
            progress(total)
    session.execute(update(Disclosure).where(Disclosure.index_state == PENDING).values(index_state=DONE))
    return total


def published_batches(session: Session, batch: int = 10_000) -> Iterator[list[IndexEntry]]:
    """Every published entry as the index takes it, a batch at a time in id order."""
    table = Disclosure.__table__
    columns = [table.c[name] for name in INDEX_COLUMNS]
    last_id = 0
    while True:
        rows = session.execute(select(*columns).where(table.c.id > last_id, table.c.status == "published")
                               .order_by(table.c.id).limit(batch)).all()
        if not rows:
            return
        yield entries_from_rows(session, rows)
        last_id = rows[-1].id


def entries_from_rows(session: Session, rows) -> list[IndexEntry]:
    """Index entries for rows of disclosures' columns, with their current attachments' text."""
    files = Attachment.__table__
    texts: dict[int, list[str]] = {}
    for entry_id, text in session.execute(select(files.c.disclosure_id, files.c.text).where(
            files.c.disclosure_id.in_([row.id for row in rows]), files.c.replaced_at.is_(None), files.c.text != "")):
        texts.setdefault(entry_id, []).append(text)
    return [IndexEntry.from_columns(row.id, row._mapping, texts.get(row.id, ())) for row in rows]


INDEX_COLUMNS = ("id", "title", "request", "response", "case_type", "category", "department", "outcome",
                 "exemptions", "published", "publish_at", "title_cy", "request_cy", "response_cy")


def events(session: Session, reference: str) -> list[DisclosureEvent]:
    return list(session.scalars(select(DisclosureEvent).where(DisclosureEvent.reference == reference)
                                .order_by(DisclosureEvent.id)))


def last_entry_id(session: Session) -> int:
    return session.scalar(select(func.max(Disclosure.id))) or 0


def public_references(session: Session, low_id: int, high_id: int, now: dt.datetime,
                      batch: int = 5000) -> Iterator[tuple[str, dt.datetime]]:
    """(reference, last changed) of public entries with low_id <= id < high_id, a sitemap's worth, read a batch
    at a time by id: the next batch starts after the last id of this one, so none is read twice or held long."""
    after = low_id - 1
    while True:
        rows = session.execute(select(Disclosure.id, Disclosure.reference, Disclosure.updated_at).where(
            Disclosure.id > after, Disclosure.id < high_id, Disclosure.status == "published",
            Disclosure.publish_at <= now).order_by(Disclosure.id).limit(batch)).all()
        yield from ((reference, updated) for _id, reference, updated in rows)
        if len(rows) < batch:
            return
        after = rows[-1][0]
