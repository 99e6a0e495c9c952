"""What type a file really is, from its content alone: the declared name and Content-Type are never asked.

Each service keeps its own allow-list of the kinds it accepts. Nothing here extracts a file: of a
ZIP-based document only the small marker entries are read, with caps against zip bombs. OLE2 files
(DOC, XLS, MSG) are told apart by the streams their directory names (olefile).

`identify` goes one step further for services that keep a file's own name (Secure Share): plain text is
CSV, email or text by the name it came with, and HTML and SVG are told apart from text, to be refused.
"""
from __future__ import annotations

import codecs
import dataclasses
import io
import re
import struct
import zipfile
import zlib
from typing import IO
from xml.etree import ElementTree

import olefile

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
    also: tuple[str, ...] = ()  # other extensions a file of this kind is named with: jpeg, tif

    @property
    def extensions(self) -> tuple[str, ...]:
        return (self.extension, *self.also)


PDF = FileKind("PDF", "pdf", "application/pdf")
JPEG = FileKind("JPG", "jpg", "image/jpeg", ("jpeg",))
PNG = FileKind("PNG", "png", "image/png")
HEIC = FileKind("HEIC", "heic", "image/heic", ("heif",))
HEIF = FileKind("HEIC", "heic", "image/heif", ("heif",))  # a HEIF image without the HEVC brands; phones call it HEIC too
# what SAR and FOI responses hold besides documents and photos (label, extension, content type, other extensions)
TIFF, DOC, XLS, MSG, EML, MP3, MP4, ZIP = (FileKind(*fields) for fields in [
    ("TIFF", "tiff", "image/tiff", ("tif",)), ("DOC", "doc", "application/msword"),
    ("XLS", "xls", "application/vnd.ms-excel"), ("MSG", "msg", "application/vnd.ms-outlook"),
    ("EML", "eml", "message/rfc822"), ("MP3", "mp3", "audio/mpeg"), ("MP4", "mp4", "video/mp4"),
    ("ZIP", "zip", "application/zip"),
])
# known so that a refusal can name them; no service accepts them
RTF, HTML, SVG, ENCRYPTED_OFFICE = (FileKind(*fields) for fields in [
    ("RTF", "rtf", "application/rtf"), ("HTML", "html", "text/html", ("htm", "xhtml")),
    ("SVG", "svg", "image/svg+xml", ("svgz",)),
    ("password-protected Office document", "docx", "application/x-encrypted"),
])
DOCX = FileKind("DOCX", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileKind("XLSX", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = FileKind("ODT", "odt", "application/vnd.oasis.opendocument.text")
TXT_UTF8 = FileKind("TXT", "txt", "text/plain; charset=utf-8")
TXT_WINDOWS_1252 = FileKind("TXT", "txt", "text/plain; charset=windows-1252")
CSV_UTF8 = FileKind("CSV", "csv", "text/csv; charset=utf-8")
CSV_WINDOWS_1252 = FileKind("CSV", "csv", "text/csv; charset=windows-1252")

_CSV_OF_TEXT = {TXT_UTF8: CSV_UTF8, TXT_WINDOWS_1252: CSV_WINDOWS_1252}
_NAMED = (PDF, JPEG, PNG, HEIC, HEIF, TIFF, DOCX, DOC, XLSX, XLS, ODT, TXT_UTF8, CSV_UTF8, MSG, EML, MP3, MP4, ZIP)


def extensions_of(extension: str) -> set[str]:
    """The extensions a file of the kind whose main extension this is may have: jpg -> {jpg, jpeg}."""
    return {name for kind in _NAMED if kind.extension == extension for name in kind.extensions} or {extension}


def detect_kind(file: IO[bytes], *, max_central_directory: int = MAX_CENTRAL_DIRECTORY) -> FileKind | None:
    """The known type the content is, or None. `file` must be seekable; it is left rewound.

    Text is always TXT: the content cannot tell CSV from TXT, see `kind_for_text`."""
    file.seek(0)
    head = file.read(HEAD_SIZE)
    try:
        kind = _signature_kind(head)
        if kind is None and head.startswith(b"PK\x03\x04"):
            return _zip_kind(file, max_central_directory)
        if kind is None and head.startswith(_OLE2):
            return _ole2_kind(file)
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
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # TIFF and BigTIFF, either byte order
        return TIFF
    if _is_mp3(head):
        return MP3
    return _heif_kind(head) or _mp4_kind(head)


def _is_mp3(head: bytes) -> bool:
    """An ID3v2 tag, or an MPEG-1/2 Layer III frame header with a valid bit rate and sample rate."""
    if head.startswith(b"ID3") and len(head) >= 10 and head[3] in (2, 3, 4) and head[4] != 0xFF:
        return True
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 0x3, (head[1] >> 1) & 0x3
    bitrate, sample_rate = head[2] >> 4, (head[2] >> 2) & 0x3
    return version != 1 and layer == 1 and bitrate not in (0, 15) and sample_rate != 3


_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mp71"}


def _mp4_kind(head: bytes) -> FileKind | None:
    """MP4 video by the major brand of its leading `ftyp` box (QuickTime, 3GP and M4A audio are not MP4 here)."""
    box_size = int.from_bytes(head[:4], "big")
    if head[4:8] != b"ftyp" or not 16 <= box_size <= len(head):
        return None
    return MP4 if head[8:12] in _MP4_BRANDS else None


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
    """ODT, DOCX or XLSX by their marker entries; any other whole ZIP is a ZIP, but for another Office package."""
    size = central_directory_size(file)
    if size is None or size > max_central_directory:
        return None
    try:
        with zipfile.ZipFile(file) as archive:
            if _is_odt(archive):
                return ODT
            if "[Content_Types].xml" in archive.NameToInfo or "mimetype" in archive.NameToInfo:
                return _ooxml_kind(archive)  # a PowerPoint, an ODS...: not a kind we know
            return ZIP
    except BROKEN_ZIP:
        return None


MAX_ARCHIVE_EXPANDED = 2 * 1024 * MiB  # clamd cannot scan a file of 2 GiB or more
MAX_ARCHIVE_RATIO = 200  # documents deflate 2 to 20 times, text logs up to about 100; a bomb 1,000 times
MAX_ARCHIVE_ENTRIES = 10_000


def archive_problem(file: IO[bytes]) -> tuple[str, str] | None:
    """Why a ZIP cannot be checked for viruses, as (reason, message), or None. From its central directory only.

    clamd scans inside archives, but it passes an encrypted entry it cannot open, and a bomb would cost it
    (and the requester's computer) gigabytes: both are refused here. The file is left rewound."""
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
    except BROKEN_ZIP:
        return "unsupported_type", "The ZIP file is damaged and cannot be opened"
    finally:
        file.seek(0)
    if any(entry.flag_bits & 0x1 for entry in entries):
        return "encrypted", ("The ZIP file is password-protected, so it cannot be checked for viruses. "
                             "Upload it without a password")
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        return "archive_too_large", f"The ZIP file holds more than {MAX_ARCHIVE_ENTRIES:,} files. Split it into smaller ones"
    if sum(entry.file_size for entry in entries) > MAX_ARCHIVE_EXPANDED:
        return "archive_too_large", (f"The ZIP file would expand to more than {MAX_ARCHIVE_EXPANDED // MiB // 1024}GB, "
                                     "too much to check for viruses. Split it into smaller ones")
    if any(entry.file_size > MiB and entry.file_size > MAX_ARCHIVE_RATIO * max(entry.compress_size, 1)
           for entry in entries):
        return "archive_too_large", (f"A file in the ZIP is compressed more than {MAX_ARCHIVE_RATIO} times, as zip "
                                     "bombs are, so it cannot be checked for viruses")
    return None


# --- OLE2 (Compound File) documents: told apart by the streams in their directory -----------------

_OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


def _ole2_kind(file: IO[bytes]) -> FileKind | None:
    file.seek(0)
    try:
        with olefile.OleFileIO(file) as ole:
            streams = {"/".join(path).lower() for path in ole.listdir(streams=True, storages=False)}
    except (OSError, ValueError, IndexError, KeyError, struct.error, RecursionError):  # not a whole OLE2 file
        return None
    if "encryptedpackage" in streams:  # a password-protected DOCX or XLSX: nothing inside can be scanned
        return ENCRYPTED_OFFICE
    if "worddocument" in streams:
        return DOC
    if streams & {"workbook", "book"}:
        return XLS
    if "__properties_version1.0" in streams or any(name.startswith("__substg1.0_") for name in streams):
        return MSG
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


# --- a file that keeps its own name: text told apart by the name, markup told apart from text -----

_TEXT = {TXT_UTF8, TXT_WINDOWS_1252}
_MARKUP = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(!doctype\s+(html|svg)|html|head|body|svg|script)\b",
                     re.IGNORECASE | re.DOTALL)
_HEADER_LINE = re.compile(rb"[!-9;-~]+:[^\r\n]*|[ \t][^\r\n]*")  # RFC 5322 field, or a folded continuation
_EMAIL_FIELDS = {b"from", b"date", b"subject", b"message-id", b"received", b"mime-version", b"to"}
EMAIL_HEAD = 64 * 1024  # a long chain of Received and DKIM headers fits


def identify(file: IO[bytes], filename: str) -> FileKind | None:
    """The content's kind, with text made precise by the declared name: `.csv` text is CSV, `.eml` text with
    email headers is EML. Text that is HTML or SVG markup is HTML or SVG, whatever the name says."""
    kind = detect_kind(file)
    if kind not in _TEXT:
        return kind
    file.seek(0)
    head = file.read(EMAIL_HEAD)
    file.seek(0)
    if head.startswith(b"{\\rtf"):  # text, but a format that embeds objects: Capture still takes it as TXT
        return RTF
    markup = _MARKUP.match(head.removeprefix(codecs.BOM_UTF8))
    if markup:
        return SVG if b"svg" in markup.group(1).lower() else HTML
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "csv":
        return _CSV_OF_TEXT[kind]
    if extension == "eml" and _is_email(head):
        return EML
    return kind


def _is_email(head: bytes) -> bool:
    """RFC 5322 header fields up to a blank line, naming at least two of the usual ones."""
    block, blank, _body = head.replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = block.split(b"\n")
    if not blank or not all(_HEADER_LINE.fullmatch(line) for line in lines):
        return False
    return len({line.split(b":", 1)[0].lower() for line in lines if not line[:1].isspace()} & _EMAIL_FIELDS) >= 2
