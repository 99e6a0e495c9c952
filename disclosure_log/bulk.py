"""Bulk import of published responses from a JSON-lines file: a million entries in minutes, resumable.

Each line is one entry in the API's shape plus its "reference" (see bench/gen_disclosures.py).
Lines are read in batches; each batch is checked, written to the database and then to the index. A
re-run skips references already in the database, so an interrupted import is finished by running it
again; entries saved but not yet indexed are picked up by the index sweep at the end.
Lines that are not valid, or that the publish guard stops, are reported by line number and skipped.
run_import is given the session factory, not a session: it commits each batch in a session of its own
(saved, then marked indexed), so an interrupted import keeps what it saved.
"""
from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import datetime as dt
import json
import logging
import multiprocessing
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import insert, select, update

from disclosure_log import guard, service
from disclosure_log.entries import InvalidEntry, check_reference, parse_fields
from disclosure_log.index import IndexEntry, SearchIndex, SearchIndexError
from disclosure_log.models import DONE, PENDING, Disclosure, DisclosureEvent
from disclosure_log.jobs import sync_all
from portal.dates import LONDON

BATCH = 10_000
log = logging.getLogger(__name__)


@dataclasses.dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    already_there: int = 0
    invalid: list[tuple[int, str]] = dataclasses.field(default_factory=list)  # (line, reason)
    blocked: list[tuple[int, str, list[str]]] = dataclasses.field(default_factory=list)  # (line, reference, kinds)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield number, line


def _batches(path: Path, size: int) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for item in _lines(path):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(number: int, line: str, report: ImportReport, override_reason: str, now: dt.datetime,
         allowed: guard.Allowed) -> dict | None:
    try:
        data = json.loads(line)
        reference = check_reference(data.get("reference") if isinstance(data, dict) else None)
        fields = parse_fields(data)
    except (ValueError, InvalidEntry) as exc:
        report.invalid.append((number, str(exc)[:200]))
        return None
    if not override_reason:
        findings = guard.check_entry({"title": fields.title, "request": fields.request, "response": fields.response,
                                      **fields.welsh_texts()}, [], allowed)
        if findings:
            report.blocked.append((number, reference, sorted({f.kind for f in findings})))
            return None
    publish_at = fields.publish_at or (
        dt.datetime.combine(fields.published, dt.time(9), LONDON).astimezone(dt.timezone.utc) if fields.published else now.replace(second=0, microsecond=0))
    return {**fields.columns(), "reference": reference, "published": fields.published or publish_at.date(),
            "publish_at": publish_at, "status": "published", "withdrawn_reason": "", "created_at": now,
            "updated_at": now, "index_state": PENDING}


def _check_batch(batch: list[tuple[int, str]], override_reason: str, now: dt.datetime,
                 allowed: guard.Allowed) -> tuple[list[dict], ImportReport]:
    """Parse, validate and guard one batch: the CPU-heavy part, run in worker processes."""
    report = ImportReport(read=len(batch))
    rows = [row for number, line in batch if (row := _row(number, line, report, override_reason, now, allowed))]
    return list({row["reference"]: row for row in rows}.values()), report  # a repeated line: the last wins


def _checked(path: Path, batch_size: int, override_reason: str, now: dt.datetime, workers: int,
             allowed: guard.Allowed) -> Iterator[tuple[list[dict], ImportReport]]:
    """Checked batches in file order; with workers > 1, checked ahead in other processes."""
    batches = _batches(path, batch_size)
    if workers <= 1:
        yield from (_check_batch(batch, override_reason, now, allowed) for batch in batches)
        return
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: collections.deque = collections.deque()
        for batch in batches:
            pending.append(pool.submit(_check_batch, batch, override_reason, now, allowed))
            if len(pending) > workers:  # bounded read-ahead: a 1 GB file is never all in memory
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def run_import(sessionmaker, index: SearchIndex, path: Path, *, actor: str, now: dt.datetime,
               override_reason: str = "", batch_size: int = BATCH, workers: int = 1,
               progress: Callable[[ImportReport], None] | None = None,
               allowed: guard.Allowed = guard.NO_ONE_ALLOWED) -> ImportReport:
    """`allowed`: the body's own contact details, which the guard lets through (guard.Allowed.from_settings)."""
    report = ImportReport()
    for rows, checked in _checked(path, batch_size, override_reason, now, workers, allowed):
        report.read += checked.read
        report.invalid += checked.invalid
        report.blocked += checked.blocked
        with sessionmaker() as session:
            existing = set(session.scalars(select(Disclosure.reference).where(
                Disclosure.reference.in_([row["reference"] for row in rows]))))
            rows = [row for row in rows if row["reference"] not in existing]
            report.already_there += len(existing)
            if rows:
                # Core inserts, not ORM ones: a third of the import's time went on ORM bookkeeping
                table = Disclosure.__table__
                ids = session.execute(insert(table).returning(table.c.id, table.c.reference), rows).all()
                id_of = {reference: entry_id for entry_id, reference in ids}
                session.execute(insert(DisclosureEvent.__table__), [{
                    "reference": row["reference"], "at": now, "action": "imported", "actor": actor,
                    "detail": {"file": path.name, **({"guard_override": override_reason} if override_reason else {})},
                } for row in rows])
                service.record_changes(session, id_of.values(), now)
                session.commit()
                try:
                    index.add([IndexEntry.from_columns(id_of[row["reference"]], row) for row in rows], replace=True)
                except Exception:  # saved and pending: the sweep below (or the worker's) indexes them
                    log.exception("import: a batch could not be indexed now; the index sweep will retry it")
                else:
                    session.execute(update(Disclosure).where(Disclosure.id.in_(list(id_of.values())))
                                    .values(index_state=DONE))
                    session.commit()
            report.imported += len(rows)
        if progress:
            progress(report)
    try:
        sync_all(sessionmaker, index)
    except SearchIndexError:
        log.warning("import: some entries are not indexed yet; the worker's index sweep will add them")
    return report
