"""The nightly full download: every public entry as gzipped CSV and JSON lines, kept in the file store.

Files are written under new keys, then the manifest is switched to them, then the old files go: a
download that started before the switch finishes on the old file.
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import io
import json
import logging
import tempfile
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from disclosure_log.exports import CSV_COLUMNS, csv_row, entry_json
from disclosure_log.models import Disclosure
from portal.exceptions import FileStoreError
from portal.i18n import N_

log = logging.getLogger(__name__)

PREFIX = "disclosure-log/exports"
MANIFEST = f"{PREFIX}/manifest.json"
BATCH = 1000
DESCRIPTIONS = {"disclosure-log.csv.gz": N_("Every response (CSV, gzip)"),  # translated on the page
                "disclosure-log.jsonl.gz": N_("Every response (JSON lines, gzip)")}


@dataclasses.dataclass(frozen=True)
class NightlyFile:
    name: str
    key: str
    size: int
    made_at: dt.datetime
    content_type: str = "application/gzip"
    sha256: str = ""  # its ETag; "" in a manifest written before it was kept (then a Range has no If-Range)

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.name]


def available(store) -> list[NightlyFile]:
    try:
        if not store.exists(MANIFEST):
            return []
        manifest = json.loads(b"".join(store.open(MANIFEST)))
    except (FileStoreError, ValueError):
        log.warning("nightly download manifest unreadable")
        return []
    return [NightlyFile(name=f["name"], key=f["key"], size=f["size"], made_at=dt.datetime.fromisoformat(f["made_at"]),
                        sha256=f.get("sha256", "")) for f in manifest.get("files", []) if f.get("name") in DESCRIPTIONS]


def _public(session: Session, now: dt.datetime) -> Iterator[Disclosure]:
    last_id = 0
    while True:
        batch = list(session.scalars(
            select(Disclosure).where(Disclosure.id > last_id, Disclosure.status == "published",
                                     Disclosure.publish_at <= now)
            .options(selectinload(Disclosure.attachments)).order_by(Disclosure.id).limit(BATCH)))
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
        session.expunge_all()


def make(session: Session, store, base_url: str, now: dt.datetime) -> list[NightlyFile]:
    stamp = f"{now:%Y%m%dT%H%M%S}"
    with tempfile.TemporaryFile() as csv_file, tempfile.TemporaryFile() as jsonl_file:
        with gzip.GzipFile(fileobj=csv_file, mode="wb") as csv_gz, gzip.GzipFile(fileobj=jsonl_file, mode="wb") as jsonl_gz:
            csv_text = io.TextIOWrapper(csv_gz, encoding="utf-8", newline="")
            jsonl_text = io.TextIOWrapper(jsonl_gz, encoding="utf-8")
            writer = csv.writer(csv_text)
            csv_text.write("\ufeff")
            writer.writerow(CSV_COLUMNS)
            count = 0
            for entry in _public(session, now):
                writer.writerow(csv_row(entry, base_url))
                jsonl_text.write(json.dumps(entry_json(entry, base_url), ensure_ascii=False) + "\n")
                count += 1
            csv_text.flush()
            jsonl_text.flush()
            csv_text.detach()
            jsonl_text.detach()
        made = []
        for name, spool in (("disclosure-log.csv.gz", csv_file), ("disclosure-log.jsonl.gz", jsonl_file)):
            spool.seek(0)
            stored = store.put(f"{PREFIX}/{stamp}-{name}", spool)
            made.append(NightlyFile(name=name, key=stored.key, size=stored.size, made_at=now, sha256=stored.sha256))
    old = available(store)
    manifest = {"files": [{"name": f.name, "key": f.key, "size": f.size, "made_at": f.made_at.isoformat(),
                           "sha256": f.sha256} for f in made],
                "entries": count}
    store.put(MANIFEST, io.BytesIO(json.dumps(manifest).encode()))
    for previous in old:
        if previous.key not in {f.key for f in made}:
            store.delete(previous.key)
    log.info("nightly disclosure log download made: %d entries", count)
    return made
