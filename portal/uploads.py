"""Deciding whether an uploaded file is accepted: its size, its real type, a virus scan, then storage.

The one upload pipeline of Capture, Secure Share and the Disclosure Log. Free of Flask request
globals: the caller passes the file's stream, its declared name, its limits, the file store and the
virus scanner (and, outside the app, the folder to spool in: portal/spool.py), and gets an AcceptedFile or an UploadRejected whose message is the GOV.UK error text
for the field. The type is decided by the content alone, against an allow-list; the declared name
is only cleaned up for display, and the browser's Content-Type is never asked.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import unicodedata
import uuid
from pathlib import Path
from typing import IO, BinaryIO

from flask_babel import gettext

from portal.adapters.ports import FileStore, StoredFile, VirusScanner
from portal.exceptions import FileStoreError, ScannerUnavailable
from portal.filetypes import (
    DOCX,
    ENCRYPTED_OFFICE,
    HEIC,
    HEIF,
    HTML,
    JPEG,
    MAX_CENTRAL_DIRECTORY,
    ODT,
    PDF,
    PNG,
    READ_CHUNK,
    SVG,
    TXT_UTF8,
    TXT_WINDOWS_1252,
    ZIP,
    FileKind,
    archive_problem,
    detect_kind,
    identify,
    kind_for_text,
)
from portal.formatting import human_size
from portal.i18n import N_
from portal.spool import spool_file

log = logging.getLogger(__name__)

MiB = 1024 * 1024
DEFAULT_MAX_FILE = 20 * MiB
DEFAULT_MAX_TOTAL = 100 * MiB
SPOOL_IN_MEMORY = 1 * MiB  # beyond this the copy rolls over to a temporary file on disk
MAX_DISPLAY_NAME = 100
# what Capture takes (Secure Share has its own list: secure_share.service.DOCUMENT_KINDS)
ACCEPTED_KINDS = frozenset({PDF, JPEG, PNG, HEIC, HEIF, DOCX, ODT, TXT_UTF8, TXT_WINDOWS_1252})

# The GOV.UK messages for a file field, in English: UploadRejected.message gives them in the page's language.
SELECT_A_FILE = N_("Select a file")
EMPTY = N_("The selected file is empty")
WRONG_TYPE = N_("The selected file must be a PDF, JPG, PNG, HEIC, DOCX, ODT or TXT")
CONTAINS_VIRUS = N_("The selected file contains a virus")
NOT_CHECKED = N_("The selected file could not be checked for viruses. Try again later")
TOO_LARGE = N_("The selected file must be smaller than %(size)s")
TOO_LARGE_IN_TOTAL = N_("The selected files must be smaller than %(size)s in total")


def too_large_message(max_file: int) -> str:
    return gettext(TOO_LARGE, size=human_size(max_file))


def too_large_in_total_message(max_total: int) -> str:
    return gettext(TOO_LARGE_IN_TOTAL, size=human_size(max_total))


class UploadRejected(Exception):
    """The file is not accepted; `message` is the error to show on the field, `reason` the same for a machine:
    no_file, empty, too_large, unsupported_type, extension_mismatch, active_content, encrypted,
    archive_too_large, virus or not_scanned."""

    def __init__(self, message: str, reason: str = "unsupported_type", **params):
        super().__init__(message)
        self.english, self.params = message, params  # `message` is this with params, in the current language
        self.reason = reason

    @property
    def message(self) -> str:
        """The error in the language of the page (or the API's English) reading it, translated when it is read:
        the file may be checked before the page's language is known to the code that raised it."""
        return gettext(self.english, **self.params)

    def __str__(self) -> str:
        return self.message


class UploadNotChecked(UploadRejected):
    """The virus scanner gave no verdict: nothing is wrong with the file, the user can try again later."""

    def __init__(self, message: str):
        super().__init__(message, "not_scanned")


@dataclasses.dataclass(frozen=True)
class AcceptedFile:
    file_id: str
    store_key: str
    filename: str  # safe to show: no path, no control or direction-changing characters, at most 100 long
    content_type: str  # from the detected type
    extension: str  # from the detected type
    size: int
    sha256: str
    scanned: bool  # False only when no virus scanner is configured (development)


def accept_upload(
    stream: BinaryIO | None,
    filename: str | None,
    *,
    draft_id: str,
    store: FileStore,
    scanner: VirusScanner,
    max_file: int = DEFAULT_MAX_FILE,
    max_total: int = DEFAULT_MAX_TOTAL,
    already_total: int = 0,
    spool: Path | None = None,
) -> AcceptedFile:
    """Capture's upload: check one file and store it under the draft, or raise UploadRejected.

    `already_total` is the size in bytes of the files the draft already holds; with this file it
    must fit in `max_total`. The stream is read once, and never further than one byte past `max_file`.
    """
    _check_draft_id(draft_id)
    return check_and_store(stream, filename, key_prefix=f"capture/drafts/{draft_id}", label=f"draft {draft_id}",
                           store=store, scanner=scanner, max_file=max_file, max_total=max_total,
                           already_total=already_total, spool=spool)


def check_and_store(
    stream: BinaryIO | None,
    filename: str | None,
    *,
    key_prefix: str,
    label: str,
    store: FileStore,
    scanner: VirusScanner,
    max_file: int,
    max_total: int | None = None,
    already_total: int = 0,
    kinds: frozenset[FileKind] = ACCEPTED_KINDS,
    wrong_type: str = WRONG_TYPE,
    keep_name: bool = False,
    spool: Path | None = None,
) -> AcceptedFile:
    """The whole pipeline for any service: spool with a size cap, type by content, scan, then store.

    `label` names the owner (a draft, a share, a disclosure) in logs; file names are never logged. `kinds` is the
    service's allow-list (a text file named .csv counts as CSV), `wrong_type` its message for the rest. With
    `keep_name` the file is handed on under its own name, so its extension must agree with its content: see
    `typed_with_name`, whose messages say exactly what is wrong. A file past SPOOL_IN_MEMORY is spooled in
    `spool`, by default the running app's private folder."""
    if stream is None or not (filename or "").strip():
        raise UploadRejected(SELECT_A_FILE, "no_file")
    with spool_file(SPOOL_IN_MEMORY, spool) as spooled:
        size, sha256 = _spool(stream, spooled, max_file)
        _check_size(size, max_file, max_file + already_total if max_total is None else max_total, already_total)
        try:
            kind = typed_with_name(spooled, filename or "", kinds) if keep_name else _typed(spooled, filename, kinds,
                                                                                             wrong_type)
        except UploadRejected as rejected:
            log.info("upload for %s rejected: %s (%d bytes)", label, rejected.reason, size)
            raise
        scanned = _scan(scanner, spooled, label)
        file_id = uuid.uuid4().hex
        key = f"{key_prefix}/{file_id}"
        _store(store, key, spooled, sha256)
    log.info("upload for %s accepted as %s: file %s, %d bytes, scanned=%s", label, kind.label, file_id, size, scanned)
    return AcceptedFile(file_id=file_id, store_key=key, filename=display_name(filename, kind),
                        content_type=kind.content_type, extension=kind.extension, size=size,
                        sha256=sha256, scanned=scanned)


def _typed(spool: IO[bytes], filename: str | None, kinds: frozenset[FileKind], wrong_type: str) -> FileKind:
    kind = detect_kind(spool, max_central_directory=MAX_CENTRAL_DIRECTORY)
    if kind_for_text(kind, filename) in kinds:
        kind = kind_for_text(kind, filename)
    if kind not in kinds:
        raise UploadRejected(wrong_type)
    if kind in (TXT_UTF8, TXT_WINDOWS_1252) and identify(spool, filename or "") in (HTML, SVG):
        # Markup named .txt: a browser that guessed its type would run it for whoever opens it.
        raise UploadRejected(wrong_type, "active_content")
    return kind


# a browser opens and runs these, whatever they hold
ACTIVE_EXTENSIONS = frozenset({"html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "svg", "svgz", "js", "hta"})
_DESCRIBED = {"TXT": "plain text", "CSV": "CSV text", "EML": "an email", "MSG": "an Outlook email",
              "ZIP": "a ZIP archive"}


def _described(kind: FileKind) -> str:
    if kind.label in _DESCRIBED:
        return _DESCRIBED[kind.label]
    return f"{'an' if kind.label[0] in 'AEFHILMNORSX' else 'a'} {kind.label} file"


def typed_with_name(spool: IO[bytes], filename: str, kinds: frozenset[FileKind]) -> FileKind:
    """The kind of a file that keeps its name: by its content (portal.filetypes.identify), one of `kinds`, and the
    one its name's extension says. Else UploadRejected saying exactly why, for whoever sent it."""
    name = display_name(filename, ZIP)
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot else ""
    kind = identify(spool, name)
    if kind in (HTML, SVG) or extension in ACTIVE_EXTENSIONS:
        what = f"is {kind.label}" if kind in (HTML, SVG) else f"is named .{extension}"
        raise UploadRejected(f"The file {what}, which a browser opens and runs (scripts, and links that fetch "
                             "from elsewhere), so it is not accepted. Save it as a PDF and upload that",
                             "active_content")
    if kind is ENCRYPTED_OFFICE:
        raise UploadRejected("The document is password-protected, so it cannot be checked for viruses. "
                             "Upload it without a password", "encrypted")
    accepted = ", ".join(sorted({k.label for k in kinds}))
    if kind is None:
        raise UploadRejected(f"The file is not a type that is accepted, or it is damaged. Accepted: {accepted}")
    if kind not in kinds:
        raise UploadRejected(f"The file is {_described(kind)}, which is not accepted. Accepted: {accepted}")
    if not dot:
        raise UploadRejected(f"The file's name, {name}, does not end with its type: it is {_described(kind)}, "
                             f"so name it {name}.{kind.extension}", "extension_mismatch")
    if extension not in kind.extensions:
        raise UploadRejected(f"The file is named {name} but it is {_described(kind)}, not .{extension}. Give it a "
                             f"name ending .{kind.extension}, or upload the right file", "extension_mismatch")
    problem = archive_problem(spool) if kind is ZIP else None
    if problem:
        raise UploadRejected(problem[1], problem[0])
    return kind


def _check_draft_id(draft_id: str) -> None:
    # it becomes a segment of the store key: a programming error, never the user's
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", draft_id or ""):
        raise ValueError("draft_id must be 1 to 64 characters of [A-Za-z0-9_-]")


def _spool(stream: BinaryIO, spool: IO[bytes], max_file: int) -> tuple[int, str]:
    """Copy at most max_file + 1 bytes: enough to know a file is too big, never all of a huge one."""
    digest = hashlib.sha256()
    size = 0
    while size <= max_file:
        chunk = stream.read(min(READ_CHUNK, max_file + 1 - size))
        if not chunk:
            break
        spool.write(chunk)
        digest.update(chunk)
        size += len(chunk)
    spool.seek(0)
    return size, digest.hexdigest()


def _check_size(size: int, max_file: int, max_total: int, already_total: int) -> None:
    if size == 0:
        raise UploadRejected(EMPTY, "empty")
    if size > max_file:
        raise UploadRejected(TOO_LARGE, "too_large", size=human_size(max_file))
    if already_total + size > max_total:
        raise UploadRejected(TOO_LARGE_IN_TOTAL, "too_large", size=human_size(max_total))


def _scan(scanner: VirusScanner, spool: IO[bytes], label: str) -> bool:
    """Raise unless the scanner says clean; return whether a scanner really looked at the file."""
    try:
        result = scanner.scan(spool)
    except ScannerUnavailable as exc:
        log.warning("upload for %s not checked: the virus scanner is unavailable", label)
        raise UploadNotChecked(NOT_CHECKED) from exc
    finally:
        spool.seek(0)
    if not result.clean:
        log.warning("upload for %s rejected: virus %s", label, result.signature)
        raise UploadRejected(CONTAINS_VIRUS, "virus")
    return result.scanned


def _store(store: FileStore, key: str, spool: IO[bytes], sha256: str) -> StoredFile:
    stored = store.put(key, spool)
    # what is stored must be exactly what was checked and scanned
    if stored.sha256 != sha256:
        store.delete(key)
        log.error("file store stored other bytes than were scanned for %s", key)
        raise FileStoreError()
    return stored


# --- the name shown back to the user --------------------------------------------------------------

# control, format (the bidirectional overrides among them), surrogate, private-use, unassigned, separators
_UNSHOWABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_MAX_EXTENSION = 10


def display_name(filename: str | None, kind: FileKind) -> str:
    """The declared name made safe to show: last path component, visible characters, at most 100 long."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]  # browsers on Windows have sent the whole C:\path
    name = "".join(char for char in name if unicodedata.category(char) not in _UNSHOWABLE)
    name = " ".join(name.split()).strip(" .")
    return _shorten(name) if name else f"file.{kind.extension}"


def _shorten(name: str) -> str:
    if len(name) <= MAX_DISPLAY_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and len(extension) <= _MAX_EXTENSION:
        return f"{stem[:MAX_DISPLAY_NAME - len(extension) - 1].rstrip()}.{extension}"
    return name[:MAX_DISPLAY_NAME].rstrip()
