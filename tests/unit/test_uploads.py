"""Which uploaded files Capture accepts: real sample files made here, the fake store and scanner."""
from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from typing import BinaryIO, Iterator

import pytest

from portal import uploads
from portal.adapters.ports import ScanResult
from portal.adapters.scan_clamd import DevelopmentNoScanner
from portal.exceptions import FileStoreError
from portal.uploads import (
    CONTAINS_VIRUS,
    EMPTY,
    NOT_CHECKED,
    SELECT_A_FILE,
    WRONG_TYPE,
    AcceptedFile,
    UploadNotChecked,
    UploadRejected,
    accept_upload,
    detect_kind,
    display_name,
)
from tests.fakes import FakeScanner, FakeStore

MiB = 1024 * 1024
DRAFT = "0f3a9c1d2e4b5a697887766554433221"  # as capture.service makes them: token_hex(16)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WORD_MAIN = DOCX_TYPE + ".main+xml"
ODT_TYPE = "application/vnd.oasis.opendocument.text"


# --- sample files -------------------------------------------------------------------------------

def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(body)) + b"ftyp" + body + struct.pack(">I", 8) + b"meta" + b"\x00" * 64


def zip_bytes(entries: list[tuple[str, bytes | str]], first_stored: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            stored = first_stored and index == 0
            archive.writestr(name, data, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def content_types(*overrides: tuple[str, str]) -> str:
    parts = "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>' + parts + "</Types>")


def docx_bytes(types: str | None = None, extra: int = 0) -> bytes:
    return zip_bytes([
        ("[Content_Types].xml", types or content_types(("/word/document.xml", WORD_MAIN))),
        ("_rels/.rels", "<Relationships/>"),
        *((f"word/media/image{n}.png", b"x") for n in range(extra)),
        ("word/document.xml", "<w:document/>"),
    ])


def odt_bytes(mimetype: str = ODT_TYPE) -> bytes:
    return zip_bytes([("mimetype", mimetype), ("content.xml", "<office:document-content/>"),
                      ("META-INF/manifest.xml", "<manifest:manifest/>")], first_stored=True)


ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64


# --- helpers ------------------------------------------------------------------------------------

class RecordingScanner(FakeScanner):
    """The fake scanner, noting what it was given and what the store held at that moment."""

    def __init__(self, store: FakeStore, verdict: str = "clean"):
        super().__init__(verdict)
        self.store = store
        self.scanned: list[bytes] = []
        self.store_keys_when_scanned: list[set[str]] = []

    def scan(self, stream: BinaryIO) -> ScanResult:
        self.scanned.append(stream.read())  # left at the end: the upload must rewind before storing
        self.store_keys_when_scanned.append(set(self.store.files))
        return super().scan(stream)


class CountingStream(io.RawIOBase):
    """A non-seekable upload generated a block at a time, counting the bytes handed out."""

    def __init__(self, size: int, block: bytes = b"%PDF-1.4 " + b"x" * 65527):
        self._blocks = self._generate(size, block)
        self._pending = b""
        self.bytes_read = 0

    @staticmethod
    def _generate(size: int, block: bytes) -> Iterator[bytes]:
        while size > 0:
            piece = block[:size]
            size -= len(piece)
            yield piece

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._pending:
            self._pending = next(self._blocks, b"")
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        self.bytes_read += count
        return count


@pytest.fixture(autouse=True)
def _spool_in_tmp_path(tmp_path, monkeypatch):
    """These call the pipeline outside any app: a large file spools in the test's own folder, as it would in var/."""
    monkeypatch.setattr("portal.spool.app_folder", lambda: tmp_path / "spool")


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def scanner(store) -> RecordingScanner:
    return RecordingScanner(store)


def upload(data: bytes, filename: str, store, scanner, **limits) -> AcceptedFile:
    return accept_upload(io.BytesIO(data), filename, draft_id=DRAFT, store=store, scanner=scanner, **limits)


def rejected(data: bytes, filename: str, store, scanner, **limits) -> str:
    with pytest.raises(UploadRejected) as caught:
        upload(data, filename, store, scanner, **limits)
    assert store.files == {}, "a rejected file must not be stored"
    return caught.value.message


# --- accepted files -----------------------------------------------------------------------------

ACCEPTED = [
    pytest.param(pdf_bytes(), "letter.pdf", "pdf", "application/pdf", id="pdf"),
    pytest.param(pdf_bytes(), "SCAN0001.PDF", "pdf", "application/pdf", id="upper-case-PDF"),
    pytest.param(png_bytes(), "photo.png", "png", "image/png", id="png"),
    pytest.param(jpeg_bytes(), "passport.jpg", "jpg", "image/jpeg", id="jpeg"),
    pytest.param(ftyp(b"heic", b"mif1", b"heic"), "IMG_0001.HEIC", "heic", "image/heic", id="heic-iphone"),
    pytest.param(ftyp(b"mif1", b"mif1", b"heix"), "image.heic", "heic", "image/heic", id="heic-heix-compatible"),
    pytest.param(ftyp(b"msf1", b"msf1", b"iso8"), "burst.heic", "heic", "image/heif", id="heif-sequence"),
    pytest.param(docx_bytes(), "statement.docx", "docx", DOCX_TYPE, id="docx"),
    pytest.param(docx_bytes(extra=40), "with-images.docx", "docx", DOCX_TYPE, id="docx-many-entries"),
    pytest.param(odt_bytes(), "statement.odt", "odt", ODT_TYPE, id="odt"),
    pytest.param("Dear Sir or Madam,\nI request…\n".encode(), "request.txt", "txt",
                 "text/plain; charset=utf-8", id="utf-8-text"),
    pytest.param(b"\xef\xbb\xbfNotes with a BOM\r\n", "notes.txt", "txt", "text/plain; charset=utf-8",
                 id="utf-8-bom"),
    pytest.param("Café bill: £5 – paid\f\tthanks".encode("cp1252"), "bill.txt", "txt",
                 "text/plain; charset=windows-1252", id="windows-1252-text"),
    pytest.param(pdf_bytes(), "no-extension", "pdf", "application/pdf", id="type-from-content-not-name"),
]


@pytest.mark.parametrize(("data", "filename", "extension", "content_type"), ACCEPTED)
def test_an_allowed_file_is_scanned_then_stored_with_its_detected_type(data, filename, extension, content_type,
                                                                         store, scanner):
    accepted = upload(data, filename, store, scanner)

    assert (accepted.extension, accepted.content_type) == (extension, content_type)
    assert accepted.filename == filename
    assert accepted.size == len(data)
    assert accepted.sha256 == hashlib.sha256(data).hexdigest()
    assert accepted.scanned is True
    assert re.fullmatch(rf"capture/drafts/{DRAFT}/[0-9a-f]{{32}}", accepted.store_key)
    assert accepted.store_key.endswith(accepted.file_id)
    assert store.files == {accepted.store_key: data}
    assert scanner.scanned == [data]
    assert scanner.store_keys_when_scanned == [set()], "the scan must come before the file is stored"


def test_each_upload_gets_its_own_key(store, scanner):
    first = upload(pdf_bytes(), "a.pdf", store, scanner)
    second = upload(pdf_bytes(), "a.pdf", store, scanner)

    assert first.file_id != second.file_id
    assert set(store.files) == {first.store_key, second.store_key}


def test_without_a_configured_scanner_a_file_is_accepted_but_marked_unscanned(store):
    accepted = upload(pdf_bytes(), "letter.pdf", store, DevelopmentNoScanner())

    assert accepted.scanned is False
    assert store.files == {accepted.store_key: pdf_bytes()}


# --- rejected by type ---------------------------------------------------------------------------

NOT_ALLOWED = [
    pytest.param(ELF, "report.pdf", id="elf-renamed-pdf"),
    pytest.param(MZ, "report.pdf", id="windows-exe-renamed-pdf"),
    pytest.param(MZ[:64] + pdf_bytes(), "report.pdf", id="pdf-header-after-an-exe-header"),
    pytest.param(bytes(range(256)) * 8, "data.txt", id="binary-garbage"),
    pytest.param(zip_bytes([("a.txt", "hello"), ("b.txt", "world")]), "archive.docx", id="generic-zip"),
    pytest.param(zip_bytes([("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w/>")]),
                 "empty-types.docx", id="zip-with-word-folder-but-no-word-content-type"),
    pytest.param(docx_bytes(content_types(
        ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"))),
        "sheet.docx", id="xlsx-renamed-docx"),
    pytest.param(docx_bytes(content_types(("/word/missing.xml", WORD_MAIN))), "broken.docx",
                 id="docx-main-part-missing"),
    pytest.param(docx_bytes('<!DOCTYPE Types [<!ENTITY a "aaaa">]>'
                            + content_types(("/word/document.xml", WORD_MAIN))),
                 "dtd.docx", id="docx-with-a-dtd"),
    pytest.param(docx_bytes("<Types"), "bad-xml.docx", id="docx-with-broken-xml"),
    pytest.param(docx_bytes()[:-40], "truncated.docx", id="corrupt-zip"),
    pytest.param(odt_bytes("application/vnd.oasis.opendocument.spreadsheet"), "sheet.odt", id="ods-renamed-odt"),
    pytest.param(zip_bytes([("content.xml", "<x/>"), ("mimetype", ODT_TYPE)]), "late.odt",
                 id="odt-mimetype-not-first"),
    pytest.param(ftyp(b"avif", b"avif", b"mif1", b"miaf"), "photo.heic", id="avif"),
    pytest.param(ftyp(b"isom", b"isom", b"mp42"), "video.heic", id="mp4"),
    pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif", id="gif-not-on-the-allow-list"),
    pytest.param("a UTF-16 letter".encode("utf-16"), "letter.txt", id="utf-16-text-has-nul-bytes"),
    pytest.param(b"coloured \x1b[31mterminal\x1b[0m output", "log.txt", id="text-with-escape-codes"),
    pytest.param(b"neither UTF-8 \xc3 nor Windows-1252 \x81", "odd.txt", id="undefined-windows-1252-byte"),
    pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "notes.txt", id="html-named-txt"),
    pytest.param(b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "scan.txt",
                 id="svg-named-txt"),
    pytest.param(b"\xef\xbb\xbf  <script>fetch('/')</script>", "readme.txt", id="script-after-a-bom"),
]


@pytest.mark.parametrize(("data", "filename"), NOT_ALLOWED)
def test_a_file_that_is_not_an_allowed_type_is_rejected_unscanned(data, filename, store, scanner):
    assert rejected(data, filename, store, scanner) == WRONG_TYPE
    assert scanner.scanned == []


def test_a_docx_whose_content_types_inflate_past_the_cap_is_rejected_without_inflating_it(store, scanner):
    bomb = docx_bytes(content_types(("/word/document.xml", WORD_MAIN)) + " " * (8 * MiB))

    assert len(bomb) < 100_000
    assert rejected(bomb, "bomb.docx", store, scanner) == WRONG_TYPE


def test_a_zip_with_a_huge_central_directory_is_rejected_before_zipfile_reads_it(store, scanner, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_CENTRAL_DIRECTORY", 2048)

    assert upload(docx_bytes(extra=5), "small.docx", store, scanner).extension == "docx"
    assert rejected(docx_bytes(extra=200), "many-entries.docx", FakeStore(), scanner) == WRONG_TYPE


def test_detection_leaves_the_file_rewound():
    file = io.BytesIO(docx_bytes())

    assert detect_kind(file) == uploads.DOCX
    assert file.tell() == 0


# --- nothing chosen, empty, too big -------------------------------------------------------------

@pytest.mark.parametrize(("stream", "filename"), [(None, None), (io.BytesIO(b""), ""), (io.BytesIO(b""), "  ")])
def test_nothing_chosen_asks_to_select_a_file(stream, filename, store, scanner):
    with pytest.raises(UploadRejected, match=f"^{SELECT_A_FILE}$"):
        accept_upload(stream, filename, draft_id=DRAFT, store=store, scanner=scanner)


def test_an_empty_file_is_rejected(store, scanner):
    assert rejected(b"", "letter.pdf", store, scanner) == EMPTY


def test_the_size_limit_message_names_the_configured_limit():
    assert uploads.too_large_message(uploads.DEFAULT_MAX_FILE) == "The selected file must be smaller than 20MB"
    assert (uploads.too_large_in_total_message(uploads.DEFAULT_MAX_TOTAL)
            == "The selected files must be smaller than 100MB in total")


def test_a_file_of_exactly_the_limit_is_accepted_and_one_byte_more_is_not(store, scanner):
    data = pdf_bytes().ljust(2048, b"\n")

    assert upload(data, "a.pdf", store, scanner, max_file=2048).size == 2048
    assert rejected(data + b"\n", "a.pdf", FakeStore(), scanner, max_file=2048) == (
        "The selected file must be smaller than 2KB")


def test_the_submission_total_counts_files_already_accepted(store, scanner):
    data = pdf_bytes().ljust(1024, b"\n")

    assert upload(data, "a.pdf", store, scanner, max_total=4096, already_total=3072).size == 1024
    assert rejected(data, "b.pdf", FakeStore(), scanner, max_total=4096, already_total=3073) == (
        "The selected files must be smaller than 4KB in total")


def test_a_file_over_both_limits_gets_the_per_file_message(store, scanner):
    data = pdf_bytes().ljust(3000, b"\n")

    assert rejected(data, "a.pdf", store, scanner, max_file=2048, max_total=4096, already_total=4000) == (
        "The selected file must be smaller than 2KB")


def test_a_30mb_stream_is_rejected_after_reading_little_more_than_the_20mb_limit(store, scanner):
    stream = CountingStream(30 * MiB)

    with pytest.raises(UploadRejected, match="^The selected file must be smaller than 20MB$"):
        accept_upload(stream, "huge.pdf", draft_id=DRAFT, store=store, scanner=scanner, max_file=20 * MiB)

    assert stream.bytes_read <= 20 * MiB + uploads.READ_CHUNK
    assert store.files == {} and scanner.scanned == []


# --- virus scan ---------------------------------------------------------------------------------

def test_an_infected_file_is_rejected(store):
    assert rejected(pdf_bytes(), "letter.pdf", store, RecordingScanner(store, "virus")) == CONTAINS_VIRUS


def test_when_the_scanner_is_down_the_file_could_not_be_checked(store):
    with pytest.raises(UploadNotChecked) as caught:
        upload(pdf_bytes(), "letter.pdf", store, RecordingScanner(store, "down"))

    assert isinstance(caught.value, UploadRejected)  # shown on the field like any other rejection
    assert str(caught.value) == caught.value.message == NOT_CHECKED
    assert store.files == {}


# --- the name shown back ------------------------------------------------------------------------

@pytest.mark.parametrize(("declared", "shown"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\Sam\\Documents\\scan.pdf", "scan.pdf"),
    ("photo\u202egnp.exe", "photognp.exe"),  # U+202E would show it as "photoexe.png"
    ("\u2066evil\u2069 name\u200b.pdf", "evil name.pdf"),
    ("tab\there\nnew\x00line\x7f.pdf", "tabherenewline.pdf"),
    ("  lots   of\u00a0 space .pdf  ", "lots of space .pdf"),
    ("Ffurflen gais – Siân.pdf", "Ffurflen gais – Siân.pdf"),
    ("Sia\u0302n.pdf", "Siân.pdf"),  # macOS decomposed accents, composed for display
    ("..", "file.pdf"),
    ("\u202e", "file.pdf"),
])
def test_the_declared_name_is_made_safe_to_show(declared, shown, store, scanner):
    assert upload(pdf_bytes(), declared, store, scanner).filename == shown


def test_a_long_name_is_shortened_keeping_its_extension():
    shown = display_name("a" * 300 + ".pdf", uploads.PDF)

    assert len(shown) == uploads.MAX_DISPLAY_NAME
    assert shown == "a" * 96 + ".pdf"


def test_a_long_name_with_no_real_extension_is_cut():
    assert display_name("b" * 150 + "." + "c" * 50, uploads.PDF) == "b" * 100


def test_a_draft_id_that_cannot_be_a_store_key_segment_is_a_programming_error(store, scanner):
    with pytest.raises(ValueError):
        accept_upload(io.BytesIO(pdf_bytes()), "a.pdf", draft_id="../other", store=store, scanner=scanner)


class ShortWritingStore(FakeStore):
    """A store that keeps only part of what it is given."""

    def put(self, key: str, stream: BinaryIO):
        return super().put(key, io.BytesIO(stream.read(10)))


def test_a_store_that_keeps_other_bytes_than_were_scanned_is_an_error_and_keeps_nothing(scanner):
    store = ShortWritingStore()

    with pytest.raises(FileStoreError):
        upload(pdf_bytes(), "letter.pdf", store, scanner)

    assert store.files == {}
