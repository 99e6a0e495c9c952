"""Attachments to a disclosure: typed by content, virus-scanned, stored encrypted, their text extracted (and
what they hold besides: authors, comments, tracked changes, for the publish guard).

They go through the same upload pipeline as Capture and Secure Share (portal.uploads.check_and_store),
with the Disclosure Log's wider list of types: responses are often spreadsheets.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import BinaryIO, Sequence

from disclosure_log import extract, file_metadata
from disclosure_log.entries import InvalidEntry
from portal import filetypes
from portal.uploads import UploadRejected, check_and_store

log = logging.getLogger(__name__)

KINDS = frozenset({filetypes.PDF, filetypes.DOCX, filetypes.ODT, filetypes.XLSX, filetypes.CSV_UTF8,
                   filetypes.CSV_WINDOWS_1252, filetypes.TXT_UTF8, filetypes.TXT_WINDOWS_1252, filetypes.JPEG,
                   filetypes.PNG})
WRONG_TYPE = "must be a PDF, DOCX, ODT, XLSX, CSV, TXT, JPG or PNG file"
MAX_FILE = 50 * 1024 * 1024
MAX_FILES = 20


@dataclasses.dataclass(frozen=True)
class IncomingAttachment:
    filename: str
    stream: BinaryIO


@dataclasses.dataclass(frozen=True)
class StagedAttachment:
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    store_key: str
    parts: list  # extract.TextPart: the text, by page or sheet
    hidden: list  # extract.TextPart: text found under redaction boxes
    notes: list = dataclasses.field(default_factory=list)  # file_metadata.FileNote: authors, comments, changes

    @property
    def text(self) -> str:
        return "\n".join(part.text for part in self.parts)


def stage(incoming: Sequence[IncomingAttachment], *, store, scanner, reference: str) -> list[StagedAttachment]:
    """Check and store every file, or none: a rejected file removes those already stored."""
    if len(incoming) > MAX_FILES:
        raise InvalidEntry(f"at most {MAX_FILES} attachments in one call", "attachments")
    names = [item.filename for item in incoming]
    if len(set(names)) != len(names):
        raise InvalidEntry("two attachments have the same file name", "attachments")
    staged: list[StagedAttachment] = []
    try:
        for item in incoming:
            staged.append(_stage_one(item, store=store, scanner=scanner, reference=reference))
    except BaseException:
        discard(staged, store)
        raise
    return staged


def _stage_one(item: IncomingAttachment, *, store, scanner, reference: str) -> StagedAttachment:
    try:
        accepted = check_and_store(item.stream, item.filename, key_prefix=f"disclosure-log/{_safe(reference)}",
                                   label=f"disclosure {reference}", store=store, scanner=scanner,
                                   max_file=MAX_FILE, kinds=KINDS, wrong_type=WRONG_TYPE)
    except UploadRejected as exc:
        raise InvalidEntry(f"{item.filename}: {exc}", "attachments") from exc
    label = "JPG" if accepted.extension == "jpg" else accepted.extension.upper()
    data = b"".join(store.open(accepted.store_key))
    try:
        parts = extract.extract_text(data, label)
        hidden = extract.fake_redactions(data) if label == "PDF" else []
        notes = file_metadata.read_notes(data, label)
    except extract.ExtractionFailed as exc:
        store.delete(accepted.store_key)
        raise InvalidEntry(f"{item.filename}: {exc}", "attachments") from exc
    return StagedAttachment(filename=accepted.filename, kind=label, content_type=accepted.content_type,
                            size=accepted.size, sha256=accepted.sha256, store_key=accepted.store_key,
                            parts=parts, hidden=hidden, notes=notes)


def discard(staged: Sequence[StagedAttachment], store) -> None:
    for item in staged:
        store.delete(item.store_key)


def _safe(reference: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in reference)[:60]
