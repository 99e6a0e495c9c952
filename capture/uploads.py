"""Deciding whether an uploaded file is accepted: its size, its real type, a virus scan, then storage.

Free of Flask request globals: the caller passes the file's stream, its declared name, the limits
from settings, the file store and the virus scanner, and gets an AcceptedFile or an UploadRejected
whose message is the GOV.UK error text for the field. The type is decided by the content alone,
against an allow-list; the declared name is only cleaned up for display, and the browser's
Content-Type is never asked.
"""
from __future__ import annotations

import codecs
import dataclasses
import hashlib
import io
import logging
import re
import tempfile
import unicodedata
import uuid
import zipfile
import zlib
from typing import IO, BinaryIO
from xml.etree import ElementTree

from portal.adapters.ports import FileStore, StoredFile, VirusScanner
from portal.exceptions import FileStoreError, ScannerUnavailable
from portal.formatting import human_size

log = logging.getLogger(__name__)

MiB = 1024 * 1024
DEFAULT_MAX_FILE = 20 * MiB
DEFAULT_MAX_TOTAL = 100 * MiB
SPOOL_IN_MEMORY = 1 * MiB  # beyond this the copy rolls over to a temporary file on disk
READ_CHUNK = 64 * 1024
HEAD_SIZE = 4096  # enough for every signature we look at, the HEIF ftyp box included
MAX_MARKER_ENTRY = 1 * MiB  # [Content_Types].xml and mimetype are tiny: a larger one is a zip bomb
MAX_CENTRAL_DIRECTORY = 1 * MiB  # zipfile builds an object per entry: this bounds its memory and time
MAX_DISPLAY_NAME = 100

SELECT_A_FILE = "Select a file"
EMPTY = "The selected file is empty"
WRONG_TYPE = "The selected file must be a PDF, JPG, PNG, HEIC, DOCX, ODT or TXT"
CONTAINS_VIRUS = "The selected file contains a virus"
NOT_CHECKED = "The selected file could not be checked for viruses. Try again later"


def too_large_message(max_file: int) -> str:
    return f"The selected file must be smaller than {human_size(max_file)}"


def too_large_in_total_message(max_total: int) -> str:
    return f"The selected files must be smaller than {human_size(max_total)} in total"


class UploadRejected(Exception):
    """The file is not accepted; `message` is the error to show on the field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UploadNotChecked(UploadRejected):
    """The virus scanner gave no verdict: nothing is wrong with the file, the user can try again later."""


@dataclasses.dataclass(frozen=True)
class FileKind:
    label: str  # as named in the WRONG_TYPE message
    extension: str
    content_type: str


PDF = FileKind("PDF", "pdf", "application/pdf")
JPEG = FileKind("JPG", "jpg", "image/jpeg")
PNG = FileKind("PNG", "png", "image/png")
HEIC = FileKind("HEIC", "heic", "image/heic")
HEIF = FileKind("HEIC", "heic", "image/heif")  # a HEIF image without the HEVC brands; phones call it HEIC too
DOCX = FileKind("DOCX", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
ODT = FileKind("ODT", "odt", "application/vnd.oasis.opendocument.text")
TXT_UTF8 = FileKind("TXT", "txt", "text/plain; charset=utf-8")
TXT_WINDOWS_1252 = FileKind("TXT", "txt", "text/plain; charset=windows-1252")


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
) -> AcceptedFile:
    """Check one uploaded file and store it under the draft, or raise UploadRejected.

    `already_total` is the size in bytes of the files the draft already holds; with this file it
    must fit in `max_total`. The stream is read once, and never further than one byte past `max_file`.
    """
    _check_draft_id(draft_id)
    return check_and_store(stream, filename, key_prefix=f"capture/drafts/{draft_id}", label=f"draft {draft_id}",
                           store=store, scanner=scanner, max_file=max_file, max_total=max_total,
                           already_total=already_total)


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
) -> AcceptedFile:
    """The whole pipeline for any service: spool with a size cap, type by content, scan, then store.

    `label` names the owner (a draft, a share) in logs; file names are never logged."""
    if stream is None or not (filename or "").strip():
        raise UploadRejected(SELECT_A_FILE)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        size, sha256 = _spool(stream, spool, max_file)
        _check_size(size, max_file, max_file + already_total if max_total is None else max_total, already_total)
        kind = detect_kind(spool)
        if kind is None:
            log.info("upload for %s rejected: not an allowed type (%d bytes)", label, size)
            raise UploadRejected(WRONG_TYPE)
        scanned = _scan(scanner, spool, label)
        file_id = uuid.uuid4().hex
        key = f"{key_prefix}/{file_id}"
        _store(store, key, spool, sha256)
    log.info("upload for %s accepted as %s: file %s, %d bytes, scanned=%s", label, kind.label, file_id, size, scanned)
    return AcceptedFile(file_id=file_id, store_key=key, filename=display_name(filename, kind),
                        content_type=kind.content_type, extension=kind.extension, size=size,
                        sha256=sha256, scanned=scanned)


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
        raise UploadRejected(EMPTY)
    if size > max_file:
        raise UploadRejected(too_large_message(max_file))
    if already_total + size > max_total:
        raise UploadRejected(too_large_in_total_message(max_total))


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
        raise UploadRejected(CONTAINS_VIRUS)
    return result.scanned


def _store(store: FileStore, key: str, spool: IO[bytes], sha256: str) -> StoredFile:
    stored = store.put(key, spool)
    # what is stored must be exactly what was checked and scanned
    if stored.sha256 != sha256:
        store.delete(key)
        log.error("file store stored other bytes than were scanned for %s", key)
        raise FileStoreError()
    return stored


# --- the file's type, from its content -------------------------------------------------------------


def detect_kind(file: IO[bytes]) -> FileKind | None:
    """The allowed type the content is, or None. `file` must be seekable; it is left rewound."""
    file.seek(0)
    head = file.read(HEAD_SIZE)
    try:
        kind = _signature_kind(head)
        if kind is None and head.startswith(b"PK\x03\x04"):
            return _zip_kind(file)
        return kind or _text_kind(file)
    finally:
        file.seek(0)


def _signature_kind(head: bytes) -> FileKind | None:
    # at offset 0 only: a PDF header further in is how an executable poses as a PDF
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    return _heif_kind(head)


_HEIC_BRANDS = {b"heic", b"heix"}
_HEIF_BRANDS = {b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}  # AVIF is also HEIF (mif1), but not on the allow-list


def _heif_kind(head: bytes) -> FileKind | None:
    """HEIC by the brands in the leading ISO-BMFF `ftyp` box: size, 'ftyp', major brand, minor, brands."""
    box_size = int.from_bytes(head[:4], "big")
    if head[4:8] != b"ftyp" or not 16 <= box_size <= len(head):
        return None
    major = head[8:12]
    brands = {major} | {head[at:at + 4] for at in range(16, box_size - 3, 4)}
    if major in _AVIF_BRANDS:
        return None
    if brands & _HEIC_BRANDS:
        return HEIC
    return HEIF if brands & _HEIF_BRANDS else None


# --- ZIP-based documents: only the small marker entries are ever read, never extracted --------------

_ODT_MIMETYPE = ODT.content_type.encode()
_CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_WORD_MAIN_PART = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_BROKEN_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError,
               RuntimeError, ValueError, ElementTree.ParseError)  # RuntimeError: an encrypted entry


def _zip_kind(file: IO[bytes]) -> FileKind | None:
    if not _central_directory_is_small(file):
        return None
    try:
        with zipfile.ZipFile(file) as archive:
            if _is_odt(archive):
                return ODT
            return DOCX if _is_docx(archive) else None
    except _BROKEN_ZIP:
        return None


def _central_directory_is_small(file: IO[bytes]) -> bool:
    """Read the end-of-central-directory record as zipfile will, before it builds one object per entry."""
    end = file.seek(0, io.SEEK_END)
    file.seek(max(0, end - 22 - 0xFFFF))  # the record (22 bytes) and its comment (up to 64 KiB)
    tail = file.read()
    at = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return False
    # a ZIP64 locator would replace the sizes below: no DOCX or ODT of our sizes needs one
    if at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
        return False
    directory_size = int.from_bytes(tail[at + 12:at + 16], "little")
    return directory_size <= MAX_CENTRAL_DIRECTORY


def _is_odt(archive: zipfile.ZipFile) -> bool:
    """ODF: the first entry is `mimetype`, holding the document's media type."""
    entries = archive.infolist()
    if not entries or entries[0].filename != "mimetype":
        return False
    return (_read_marker(archive, entries[0]) or b"").strip() == _ODT_MIMETYPE


def _is_docx(archive: zipfile.ZipFile) -> bool:
    """OOXML: [Content_Types].xml names a Word main document part, and that part is in the archive."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return False
    xml = _read_marker(archive, info)
    # no OOXML package has a DTD; refusing one keeps entity tricks away from the parser
    if xml is None or b"<!DOCTYPE" in xml:
        return False
    root = ElementTree.fromstring(xml)
    names = {name.lower() for name in archive.namelist()}
    return any(override.get("ContentType") == _WORD_MAIN_PART
               and override.get("PartName", "").lstrip("/").lower() in names
               for override in root.iter(f"{_CONTENT_TYPES}Override"))


def _read_marker(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    """The entry's bytes, or None when it is (or, lying about its size, inflates to) over 1 MiB."""
    if info.file_size > MAX_MARKER_ENTRY:
        return None
    with archive.open(info) as entry:
        data = entry.read(MAX_MARKER_ENTRY + 1)
    return data if len(data) <= MAX_MARKER_ENTRY else None


# --- plain text ----------------------------------------------------------------------------------

# C0 controls other than tab, line feed, vertical tab, form feed and carriage return, and DEL
_BINARY_CONTROLS = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
_UNDEFINED_IN_WINDOWS_1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def _text_kind(file: IO[bytes]) -> FileKind | None:
    """UTF-8 (a BOM is a valid character) or Windows-1252 text, with no binary control characters."""
    file.seek(0)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = is_windows_1252 = True
    while chunk := file.read(READ_CHUNK):
        if _BINARY_CONTROLS.search(chunk):
            return None
        is_utf8 = is_utf8 and _decodes(utf8, chunk)
        is_windows_1252 = is_windows_1252 and not _UNDEFINED_IN_WINDOWS_1252.search(chunk)
        if not (is_utf8 or is_windows_1252):
            return None
    if is_utf8 and _decodes(utf8, b"", final=True):
        return TXT_UTF8
    return TXT_WINDOWS_1252 if is_windows_1252 else None


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return False
    return True


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
