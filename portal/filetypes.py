"""What type a file really is, from its content alone: the declared name and Content-Type are never asked.

Each service keeps its own allow-list of the kinds it accepts. Nothing here extracts a file: of a
ZIP-based document only the small marker entries are read, with caps against zip bombs.
"""
from __future__ import annotations

import codecs
import dataclasses
import io
import re
import zipfile
import zlib
from typing import IO
from xml.etree import ElementTree

MiB = 1024 * 1024
READ_CHUNK = 64 * 1024
HEAD_SIZE = 4096  # enough for every signature we look at, the HEIF ftyp box included
MAX_MARKER_ENTRY = 1 * MiB  # [Content_Types].xml and mimetype are tiny: a larger one is a zip bomb
MAX_CENTRAL_DIRECTORY = 1 * MiB  # zipfile builds an object per entry: this bounds its memory and time


@dataclasses.dataclass(frozen=True)
class FileKind:
    label: str  # as named in error messages: "PDF", "JPG", "DOCX"
    extension: str
    content_type: str


PDF = FileKind("PDF", "pdf", "application/pdf")
JPEG = FileKind("JPG", "jpg", "image/jpeg")
PNG = FileKind("PNG", "png", "image/png")
HEIC = FileKind("HEIC", "heic", "image/heic")
HEIF = FileKind("HEIC", "heic", "image/heif")  # a HEIF image without the HEVC brands; phones call it HEIC too
DOCX = FileKind("DOCX", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileKind("XLSX", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = FileKind("ODT", "odt", "application/vnd.oasis.opendocument.text")
TXT_UTF8 = FileKind("TXT", "txt", "text/plain; charset=utf-8")
TXT_WINDOWS_1252 = FileKind("TXT", "txt", "text/plain; charset=windows-1252")
CSV_UTF8 = FileKind("CSV", "csv", "text/csv; charset=utf-8")
CSV_WINDOWS_1252 = FileKind("CSV", "csv", "text/csv; charset=windows-1252")

_CSV_OF_TEXT = {TXT_UTF8: CSV_UTF8, TXT_WINDOWS_1252: CSV_WINDOWS_1252}


def detect_kind(file: IO[bytes], *, max_central_directory: int = MAX_CENTRAL_DIRECTORY) -> FileKind | None:
    """The known type the content is, or None. `file` must be seekable; it is left rewound.

    Text is always TXT: the content cannot tell CSV from TXT, see `kind_for_text`."""
    file.seek(0)
    head = file.read(HEAD_SIZE)
    try:
        kind = _signature_kind(head)
        if kind is None and head.startswith(b"PK\x03\x04"):
            return _zip_kind(file, max_central_directory)
        return kind or _text_kind(file)
    finally:
        file.seek(0)


def kind_for_text(kind: FileKind | None, filename: str | None) -> FileKind | None:
    """A text kind becomes CSV when the declared name ends .csv; any other kind is returned as it is."""
    if kind in _CSV_OF_TEXT and (filename or "").strip().lower().endswith(".csv"):
        return _CSV_OF_TEXT[kind]
    return kind


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
_AVIF_BRANDS = {b"avif", b"avis"}  # AVIF is also HEIF (mif1), but not a kind we know


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
_OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
BROKEN_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, NotImplementedError,
              RuntimeError, ValueError, ElementTree.ParseError)  # RuntimeError: an encrypted entry


def _zip_kind(file: IO[bytes], max_central_directory: int) -> FileKind | None:
    size = central_directory_size(file)
    if size is None or size > max_central_directory:
        return None
    try:
        with zipfile.ZipFile(file) as archive:
            return ODT if _is_odt(archive) else _ooxml_kind(archive)
    except BROKEN_ZIP:
        return None


def central_directory_size(file: IO[bytes]) -> int | None:
    """The size the end-of-central-directory record gives, found as zipfile will find it: to check before
    zipfile builds one object per entry. None when there is no record (not a whole ZIP) or it is ZIP64."""
    end = file.seek(0, io.SEEK_END)
    file.seek(max(0, end - 22 - 0xFFFF))  # the record (22 bytes) and its comment (up to 64 KiB)
    tail = file.read()
    at = len(tail) - 22 if tail[-22:-18] == b"PK\x05\x06" else tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    # a ZIP64 locator would replace the sizes below: no office document of our sizes needs one
    if at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":
        return None
    return int.from_bytes(tail[at + 12:at + 16], "little")


def _is_odt(archive: zipfile.ZipFile) -> bool:
    """ODF: the first entry is `mimetype`, holding the document's media type."""
    entries = archive.infolist()
    if not entries or entries[0].filename != "mimetype":
        return False
    return (_read_marker(archive, entries[0]) or b"").strip() == _ODT_MIMETYPE


def _ooxml_kind(archive: zipfile.ZipFile) -> FileKind | None:
    """OOXML: [Content_Types].xml names a Word or Excel main part, and that part is in the archive."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        return None
    xml = _read_marker(archive, info)
    # no OOXML package has a DTD; refusing one keeps entity tricks away from the parser
    if xml is None or b"<!DOCTYPE" in xml:
        return None
    root = ElementTree.fromstring(xml)
    names = {name.lower() for name in archive.namelist()}
    for override in root.iter(f"{_CONTENT_TYPES}Override"):
        kind = _OOXML_MAIN_PARTS.get(override.get("ContentType", ""))
        if kind and override.get("PartName", "").lstrip("/").lower() in names:
            return kind
    return None


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
