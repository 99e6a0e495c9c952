"""What an attachment holds besides the text it shows: who wrote and last saved it, its comments, its tracked
changes. A response published with these still in it publishes them too (anyone can open the file's
properties, show its markup, or read a sticky note), so the publish guard lists each one (guard/files.py).

Read with the libraries that read the text (python-docx, openpyxl, odfpy, pdfplumber), behind the same caps
(extract.py), and at most MAX_NOTES of each kind. Speaker notes: none of the kinds the Disclosure Log takes
(attachments.KINDS) is a presentation; plain text, CSV and images carry nothing read here.
"""
from __future__ import annotations

import dataclasses
import io
from typing import Callable, Iterable, Iterator

import docx
from docx.opc.part import XmlPart
from docx.oxml.parser import parse_xml
from odf import dc, meta
from odf import text as odf_text
from odf.element import Node
from odf.namespaces import TEXTNS, XMLNS
from odf.office import Annotation
from odf.opendocument import load as load_odf
from openpyxl.comments.comment_sheet import CommentSheet
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.reader.excel import ExcelReader
from openpyxl.xml.constants import COMMENTS_NS
from openpyxl.xml.functions import fromstring

from disclosure_log.extract import (WORD_NS, WORD_PART, check_zip_inflates_little, odf_comment_text, pdf_pages,
                                    plain_errors)

MAX_NOTES = 1000  # of each kind, in one file
MAX_NOTE_CHARS = 2000
AUTHOR, COMMENT, TRACKED_CHANGE = "author", "comment", "tracked_change"


@dataclasses.dataclass(frozen=True)
class FileNote:
    kind: str  # AUTHOR, COMMENT or TRACKED_CHANGE
    where: str  # "author", "last modified by", "comment 2", "tracked change 3"
    text: str


def read_notes(data: bytes, kind: str) -> list[FileNote]:
    """The file's authors, comments and tracked changes; `kind` is a FileKind label, as for extract_text."""
    reader = _READERS.get(kind)
    if reader is None:
        return []
    with plain_errors(kind):
        return _capped(reader(data))


def _capped(notes: Iterable[FileNote]) -> list[FileNote]:
    kept: list[FileNote] = []
    counts = dict.fromkeys((AUTHOR, COMMENT, TRACKED_CHANGE), 0)
    for note in notes:
        text = note.text.replace("\x00", "").strip()[:MAX_NOTE_CHARS]
        if text and counts[note.kind] < MAX_NOTES:
            kept.append(FileNote(note.kind, note.where, text))
            counts[note.kind] += 1
    return kept


def _authors(author: object, last_modified_by: object) -> Iterator[FileNote]:
    for where, value in (("author", author), ("last modified by", last_modified_by)):
        if isinstance(value, str):
            yield FileNote(AUTHOR, where, value)


# --- DOCX ----------------------------------------------------------------------------------------

_WORD_STORIES = {WORD_PART + name for name in ("document.main+xml", "header+xml", "footer+xml", "footnotes+xml",
                                                "endnotes+xml")}
_WORD_CHANGES = tuple(f"{WORD_NS}{name}" for name in ("ins", "del", "moveFrom", "moveTo"))
_WORD_CHANGED_TEXT = (f"{WORD_NS}t", f"{WORD_NS}delText")


def _docx_notes(data: bytes) -> Iterator[FileNote]:
    check_zip_inflates_little(data, "DOCX")
    document = docx.Document(io.BytesIO(data))
    yield from _authors(document.core_properties.author, document.core_properties.last_modified_by)
    for number, comment in enumerate(document.comments, 1):
        yield FileNote(COMMENT, f"comment {number}", comment.text)
    changes = 0
    for part in document.part.package.iter_parts():
        if part.content_type not in _WORD_STORIES:
            continue
        root = part.element if isinstance(part, XmlPart) else parse_xml(part.blob)
        for change in root.iter(*_WORD_CHANGES):  # a formatting change or a moved paragraph mark holds no text
            text = "".join(node.text or "" for node in change.iter(*_WORD_CHANGED_TEXT))
            if text.strip():
                changes += 1
                yield FileNote(TRACKED_CHANGE, f"tracked change {changes}", text)


# --- XLSX ----------------------------------------------------------------------------------------

def _xlsx_notes(data: bytes) -> Iterator[FileNote]:
    """openpyxl's read-only mode reads no comments: each sheet's comments part, found as load_workbook finds it."""
    check_zip_inflates_little(data, "XLSX")
    reader = ExcelReader(io.BytesIO(data), read_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        reader.read_properties()
        yield from _authors(reader.wb.properties.creator, reader.wb.properties.lastModifiedBy)
        number = 0
        for sheet, relationship in reader.parser.find_sheets():
            rels_path = get_rels_path(relationship.target)
            if rels_path not in reader.valid_files:
                continue
            for comments in get_dependents(reader.archive, rels_path).find(COMMENTS_NS):
                if comments.target not in reader.valid_files:
                    continue
                for cell, comment in CommentSheet.from_tree(fromstring(reader.archive.read(comments.target))).comments:
                    number += 1
                    yield FileNote(COMMENT, f"comment {number} (sheet {sheet.name}, cell {cell})", comment.text or "")
    finally:
        reader.archive.close()


# --- ODT -----------------------------------------------------------------------------------------

def _odt_notes(data: bytes) -> Iterator[FileNote]:
    check_zip_inflates_little(data, "ODT")
    document = load_odf(io.BytesIO(data))
    yield from _authors(_odf_value(document.meta, meta.InitialCreator), _odf_value(document.meta, dc.Creator))
    for number, annotation in enumerate(document.body.getElementsByType(Annotation), 1):
        yield FileNote(COMMENT, f"comment {number}", odf_comment_text(annotation))
    inserted = _odf_inserted_text(document.body)
    changes = 0
    for region in document.body.getElementsByType(odf_text.ChangedRegion):
        deletions = region.getElementsByType(odf_text.Deletion)
        if deletions:  # a deletion keeps the deleted paragraphs; an insertion is marked where it stands
            text = "\n".join(odf_comment_text(deletion) for deletion in deletions)
        else:
            text = "".join(inserted.get(_odf_id(region), []))
        if text.strip():
            changes += 1
            yield FileNote(TRACKED_CHANGE, f"tracked change {changes}", text)


def _odf_value(root: Node, element_type) -> str | None:
    found = root.getElementsByType(element_type) if root is not None else []
    return "".join(str(child) for child in found[0].childNodes) if found else None


def _odf_id(element: Node) -> str:
    """ODF 1.2 names a change by xml:id, 1.1 by text:id; LibreOffice writes both."""
    return element.attributes.get((XMLNS, "id")) or element.attributes.get((TEXTNS, "id"), "")


def _odf_inserted_text(body: Node) -> dict[str, list[str]]:
    """The text between each text:change-start and its text:change-end, by change id, in document order."""
    inserted: dict[str, list[str]] = {}
    open_ids: list[str] = []
    stack = [body]
    while stack:
        node = stack.pop()
        if node.nodeType == Node.TEXT_NODE:
            for change_id in open_ids:
                inserted.setdefault(change_id, []).append(str(node))
            continue
        name = node.qname
        if name == (TEXTNS, "tracked-changes"):
            continue  # the record of the changes, deletions included: not inserted text
        if name == (TEXTNS, "change-start"):
            open_ids.append(node.attributes.get((TEXTNS, "change-id"), ""))
        elif name == (TEXTNS, "change-end"):
            change_id = node.attributes.get((TEXTNS, "change-id"), "")
            open_ids = [open_id for open_id in open_ids if open_id != change_id]
        stack.extend(reversed(node.childNodes))
    return inserted


# --- PDF -----------------------------------------------------------------------------------------

_NOT_COMMENTS = {"Link", "Widget", "Popup"}  # links, form fields, and the pop-up that shows a comment again


def _pdf_notes(data: bytes) -> Iterator[FileNote]:
    comments = 0
    for number, page in pdf_pages(data):
        if number == 1:
            yield from _authors(page.pdf.metadata.get("Author"), None)
        for annotation in page.annots:
            subtype = annotation["data"].get("Subtype")
            contents = annotation["contents"]
            if getattr(subtype, "name", subtype) in _NOT_COMMENTS or not isinstance(contents, str) or not contents.strip():
                continue
            comments += 1
            yield FileNote(COMMENT, f"comment {comments} (page {number})", contents)


_READERS: dict[str, Callable[[bytes], Iterator[FileNote]]] = {
    "PDF": _pdf_notes,
    "DOCX": _docx_notes,
    "ODT": _odt_notes,
    "XLSX": _xlsx_notes,
}
