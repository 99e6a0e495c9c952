"""The text of a disclosure's attachments, for search and for the publish guard.

Attachments are untrusted files: every parser runs behind caps (inflated size, pages, sheets, cells,
characters), and anything a parser raises becomes ExtractionFailed with a plain English message.
It runs in the API request that publishes the entry (attachments.stage), not in a job: the caps bound
its memory and most of its time, and there is no hard time limit.
"""
from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import io
import re
import zipfile
import zlib
from typing import Callable, Iterable, Iterator

import docx
import openpyxl
import pdfplumber
from docx.opc.part import XmlPart
from docx.oxml.parser import parse_xml
from odf import teletype
from odf.element import Node
from odf.namespaces import TEXTNS
from odf.office import Annotation
from odf.opendocument import load as load_odf
from pdfminer.layout import LTChar, LTContainer, LTRect
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from portal.filetypes import MAX_CENTRAL_DIRECTORY, central_directory_size

MiB = 1024 * 1024
MAX_TEXT_CHARS = 2_000_000  # all parts together; the rest of a longer file is not read
MAX_INFLATED = 128 * MiB  # attachments are at most 50 MiB (attachments.MAX_FILE); past this a file is a bomb
MAX_PAGES = 2_000
MAX_SHEETS = 200
MAX_CELLS = 1_000_000  # counting the empty cells a sheet pads its rows with
MAX_BOX_CHECKS = 5_000_000  # characters tested against boxes, in all of a PDF
_INFLATE_STEP = 16 * 1024  # Flate turns 16 KiB into at most about 16 MiB

IMAGE_KINDS = frozenset({"JPG", "PNG", "HEIC"})
TOO_LARGE = "The {kind} file is too large to read once uncompressed"
DAMAGED = "The {kind} file could not be read. It may be damaged"
PASSWORD = "The PDF file is protected by a password"
TOO_MANY_SHAPES = "The PDF file has too many shapes to check for text hidden under them"


class ExtractionFailed(ValueError):
    """The file's text could not be read; the message says why, in plain English."""


@dataclasses.dataclass(frozen=True)
class TextPart:
    where: str  # "" for a single-part file, "page 2", "sheet Budget", "comments"
    text: str


def extract_text(data: bytes, kind: str) -> list[TextPart]:
    """The file's text in parts, at most MAX_TEXT_CHARS in all; `kind` is a FileKind label."""
    if kind in IMAGE_KINDS:
        return []
    try:
        reader = _READERS[kind]
    except KeyError:
        raise ValueError(f"no text reader for {kind!r} files") from None
    with plain_errors(kind), contextlib.closing(reader(data)) as parts:
        return _capped(parts)


def fake_redactions(data: bytes) -> list[TextPart]:
    """Of a PDF, the text under each box that hides it: one part a box, where="page N".

    A filled rectangle hides a character when the character's centre lies inside it, at least half the
    character's area is inside it, and either the rectangle is painted after the character (a box drawn
    over live text, in any colour: a white box hides too) or the two colours are alike (black text on
    black highlighting). Text removed under its box, text beside a box, and light text on a dark table
    header are not hidden text.
    """
    with plain_errors("PDF"):
        return list(_hidden_text(data))


@contextlib.contextmanager
def plain_errors(kind: str) -> Iterator[None]:
    try:
        yield
    except ExtractionFailed:
        raise
    except Exception as exc:  # parsers raise anything at all on a damaged or hostile file
        raise ExtractionFailed(DAMAGED.format(kind=kind)) from exc


def _capped(parts: Iterable[TextPart]) -> list[TextPart]:
    kept: list[TextPart] = []
    room = MAX_TEXT_CHARS
    for part in parts:
        text = part.text.replace("\x00", "").strip()[:room]  # PostgreSQL text cannot hold NUL
        if text:
            kept.append(TextPart(part.where, text))
            room -= len(text)
        if room <= 0:
            break
    return kept


# --- PDF -----------------------------------------------------------------------------------------

_STREAM_START = re.compile(rb"(?<!end)stream\r?\n")


def _pdf_text(data: bytes) -> Iterator[TextPart]:
    for number, page in pdf_pages(data):
        yield TextPart(f"page {number}", page.extract_text() or "")


def pdf_pages(data: bytes) -> Iterator[tuple[int, pdfplumber.page.Page]]:
    _check_pdf_inflates_little(data)
    try:
        document = pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        if any(isinstance(arg, PDFPasswordIncorrect) for arg in exc.args):
            raise ExtractionFailed(PASSWORD) from exc
        raise
    with document:
        for number, page in enumerate(document.pages[:MAX_PAGES], start=1):
            yield number, page
            page.close()  # pdfplumber keeps each page's layout: let it go before the next


def _check_pdf_inflates_little(data: bytes) -> None:
    """pdfminer inflates each stream whole in memory: refuse a file whose Flate streams add up past the cap."""
    view = memoryview(data)
    total = 0
    for match in _STREAM_START.finditer(data):
        total += _inflated_size(view, match.end(), MAX_INFLATED - total)
        if total > MAX_INFLATED:
            raise ExtractionFailed(TOO_LARGE.format(kind="PDF"))


def _inflated_size(view: memoryview, at: int, room: int) -> int:
    inflater = zlib.decompressobj()
    size = 0
    try:
        while not inflater.eof and at < len(view) and size <= room:
            size += len(inflater.decompress(view[at:at + _INFLATE_STEP]))
            at += _INFLATE_STEP
    except zlib.error:
        pass  # not Flate data (an image, an encrypted stream) or its end: pdfminer judges it
    return size


def _hidden_text(data: bytes) -> Iterator[TextPart]:
    checks = MAX_BOX_CHECKS
    for number, page in pdf_pages(data):
        chars, boxes = _chars_and_boxes(page.layout)
        chars.sort(key=lambda painted: _centre_x(painted[1]))
        centres = [_centre_x(char) for _, char in chars]
        for box_order, box in boxes:
            candidates = chars[bisect.bisect_left(centres, box.x0):bisect.bisect_right(centres, box.x1)]
            checks -= len(candidates)
            if checks < 0:
                raise ExtractionFailed(TOO_MANY_SHAPES)
            hidden = [char for order, char in candidates if _hides(box, box_order, char, order)]
            if text := _reading_order(hidden):
                yield TextPart(f"page {number}", text)


def _chars_and_boxes(layout: LTContainer) -> tuple[list[tuple[int, LTChar]], list[tuple[int, LTRect]]]:
    """The page's visible characters and filled rectangles, each with its place in the painting order."""
    chars, boxes = [], []
    for order, item in enumerate(_painted(layout)):
        if isinstance(item, LTChar) and item.get_text().strip():
            chars.append((order, item))
        elif isinstance(item, LTRect) and item.fill and item.width > 1 and item.height > 1:
            boxes.append((order, item))  # thinner ones are rules and borders, not boxes
    return chars, boxes


def _painted(container: LTContainer) -> Iterator[object]:
    for item in container:
        if isinstance(item, LTContainer):
            yield from _painted(item)  # a form XObject, painted where it stands
        else:
            yield item


def _centre_x(char: LTChar) -> float:
    return (char.x0 + char.x1) / 2


def _hides(box: LTRect, box_order: int, char: LTChar, char_order: int) -> bool:
    """The rule in fake_redactions, for a character whose centre is already known to be across the box."""
    if not box.y0 <= (char.y0 + char.y1) / 2 <= box.y1:
        return False
    overlap = (min(box.x1, char.x1) - max(box.x0, char.x0)) * (min(box.y1, char.y1) - max(box.y0, char.y0))
    if overlap < 0.5 * char.width * char.height:
        return False
    return box_order > char_order or _alike(_rgb(box.non_stroking_color), _rgb(char.graphicstate.ncolor))


def _rgb(colour: object) -> tuple[float, float, float] | None:
    """A DeviceGray, DeviceRGB or DeviceCMYK colour as RGB from 0 to 1; None for a pattern or unknown."""
    values = colour if isinstance(colour, (tuple, list)) else (colour,)
    if not all(isinstance(value, (int, float)) for value in values):
        return None
    if len(values) == 1:
        return (float(values[0]),) * 3
    if len(values) == 3:
        return tuple(float(value) for value in values)
    if len(values) == 4:
        *cmy, k = values
        return tuple((1 - value) * (1 - k) for value in cmy)
    return None


def _alike(first: tuple[float, float, float] | None, second: tuple[float, float, float] | None) -> bool:
    return first is not None and second is not None and max(abs(a - b) for a, b in zip(first, second)) <= 0.25


def _reading_order(chars: list[LTChar]) -> str:
    lines: dict[int, list[LTChar]] = {}
    for char in chars:
        lines.setdefault(round(char.y0), []).append(char)
    return " ".join(_line_text(sorted(line, key=lambda char: char.x0))
                    for _, line in sorted(lines.items(), reverse=True)).strip()


def _line_text(chars: list[LTChar]) -> str:
    text = chars[0].get_text() if chars else ""
    for before, char in zip(chars, chars[1:]):
        gap = char.x0 - before.x1 > 0.15 * char.height  # words placed apart, with no space character
        text += (" " if gap else "") + char.get_text()
    return text


# --- ZIP-based documents -------------------------------------------------------------------------

def check_zip_inflates_little(data: bytes, kind: str) -> None:
    """The parsers read whole parts into memory: refuse a package whose entries add up past the cap."""
    file = io.BytesIO(data)
    directory = central_directory_size(file)
    if directory is None:
        raise ExtractionFailed(DAMAGED.format(kind=kind))
    if directory > MAX_CENTRAL_DIRECTORY:
        raise ExtractionFailed(TOO_LARGE.format(kind=kind))
    with zipfile.ZipFile(file) as archive:
        entries = archive.infolist()
    # zipfile stops at each entry's declared size; bzip2 and LZMA would inflate a whole chunk at once
    if (sum(entry.file_size for entry in entries) > MAX_INFLATED
            or any(entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for entry in entries)):
        raise ExtractionFailed(TOO_LARGE.format(kind=kind))


WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WORD_PART = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_WORD_PARTS = {  # the parts that hold text, and how a finding names them
    WORD_PART + "document.main+xml": "",
    WORD_PART + "header+xml": "headers and footers",
    WORD_PART + "footer+xml": "headers and footers",
    WORD_PART + "footnotes+xml": "footnotes",
    WORD_PART + "endnotes+xml": "endnotes",
    WORD_PART + "comments+xml": "comments",
}
_WORD_BREAKS = {f"{WORD_NS}p": "\n", f"{WORD_NS}tab": "\t", f"{WORD_NS}br": "\n", f"{WORD_NS}cr": "\n"}
_WORD_TEXT = (f"{WORD_NS}t", f"{WORD_NS}delText")


def _docx_text(data: bytes) -> Iterator[TextPart]:
    check_zip_inflates_little(data, "DOCX")
    package = docx.Document(io.BytesIO(data)).part.package
    texts: dict[str, list[str]] = {where: [] for where in _WORD_PARTS.values()}
    for part in package.iter_parts():
        if part.content_type in _WORD_PARTS:
            root = part.element if isinstance(part, XmlPart) else parse_xml(part.blob)
            texts[_WORD_PARTS[part.content_type]].append(_word_text(root))
    for where, pieces in texts.items():
        yield TextPart(where, "\n".join(pieces))


def _word_text(root) -> str:
    """Every paragraph, in tables, content controls and text boxes too, with tracked insertions and deletions.

    python-docx's paragraph.text leaves out tracked changes and content controls, which the file still holds."""
    return "".join((node.text or "") if node.tag in _WORD_TEXT else _WORD_BREAKS[node.tag]
                   for node in root.iter(*_WORD_TEXT, *_WORD_BREAKS))


_ODF_PARAGRAPHS = {(TEXTNS, "p"), (TEXTNS, "h")}


def _odt_text(data: bytes) -> Iterator[TextPart]:
    check_zip_inflates_little(data, "ODT")
    document = load_odf(io.BytesIO(data))
    comments = [odf_comment_text(annotation) for annotation in document.body.getElementsByType(Annotation)]
    for annotation in document.body.getElementsByType(Annotation):
        # a comment sits inside its paragraph, author and date too: read on its own, as a DOCX's are
        annotation.parentNode.removeChild(annotation)
    yield TextPart("", "\n".join(_odf_paragraphs(document.body)))
    yield TextPart("headers and footers", "\n".join(_odf_paragraphs(document.masterstyles)))
    yield TextPart("comments", "\n".join(comments))


def odf_comment_text(annotation: Node) -> str:
    """An office:annotation's paragraphs, without its dc:creator and dc:date."""
    return "\n".join(_odf_paragraphs(annotation))


def _odf_paragraphs(root: Node) -> Iterator[str]:
    """teletype.extractText of each text:p and text:h, in document order; notes are inside their paragraph."""
    stack = [root]
    while stack:
        element = stack.pop()
        if element.qname in _ODF_PARAGRAPHS:
            yield teletype.extractText(element)
        else:
            stack.extend(reversed([child for child in element.childNodes if child.nodeType == Node.ELEMENT_NODE]))


def _xlsx_text(data: bytes) -> Iterator[TextPart]:
    check_zip_inflates_little(data, "XLSX")
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    cells = MAX_CELLS
    try:
        for sheet in workbook.worksheets[:MAX_SHEETS]:
            sheet.reset_dimensions()  # a declared size is only a claim: do not pad rows out to it
            lines = []
            for row in sheet.iter_rows(values_only=True):
                cells -= max(1, len(row))  # a gap of empty rows costs time too
                if cells < 0:
                    break
                lines.append("\t".join(_cell_text(value) for value in row if value is not None))
            yield TextPart(f"sheet {sheet.title}", "\n".join(line for line in lines if line))
            if cells < 0:
                return
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)


# --- plain text ----------------------------------------------------------------------------------

def _plain_text(data: bytes) -> Iterator[TextPart]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # as portal.filetypes reads non-UTF-8 text
    yield TextPart("", text)


_READERS: dict[str, Callable[[bytes], Iterator[TextPart]]] = {
    "PDF": _pdf_text,
    "DOCX": _docx_text,
    "ODT": _odt_text,
    "XLSX": _xlsx_text,
    "TXT": _plain_text,
    "CSV": _plain_text,
}
