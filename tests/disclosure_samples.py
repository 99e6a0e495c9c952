"""Real sample attachments built in the test run (no binary files in the repository).

PDFs with fpdf2, DOCX with python-docx, XLSX with openpyxl, ODT with odfpy. A PDF page is a list of
`Text` and `Box` drawn in the order given: which of text and box is painted last decides what shows; a
`Note` is a comment on it. Each kind can carry an author, comments and tracked changes.
"""
from __future__ import annotations

import dataclasses
import io
from typing import Sequence, Union

import docx
import openpyxl
from openpyxl.comments import Comment
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fpdf import FPDF
from fpdf.drawing import DeviceCMYK
from odf import dc as odf_dc
from odf import meta as odf_meta
from odf import office as odf_office
from odf import table as odf_table
from odf import text as odf_text
from odf.namespaces import TEXTNS, XMLNS
from odf.opendocument import OpenDocumentText

Colour = Union[int, tuple[int, int, int], DeviceCMYK]  # fpdf2's: grey 0-255, RGB 0-255, or CMYK 0-1
BLACK: Colour = (0, 0, 0)
WHITE: Colour = (255, 255, 255)


@dataclasses.dataclass(frozen=True)
class Text:
    x: float  # millimetres from the left; y is the baseline, from the top
    y: float
    text: str
    colour: Colour = BLACK


@dataclasses.dataclass(frozen=True)
class Box:
    x: float  # millimetres from the top left corner
    y: float
    width: float
    height: float
    colour: Colour = BLACK


@dataclasses.dataclass(frozen=True)
class Note:
    """A PDF comment (a sticky note annotation) at x, y millimetres."""
    x: float
    y: float
    text: str
    author: str = "Reviewer"


def pdf(*pages: Sequence[Text | Box | Note], owner_password: str = "", user_password: str = "",
        author: str = "") -> bytes:
    """An owner password alone only restricts printing and copying: anyone can open the file."""
    document = FPDF()
    if author:
        document.set_author(author)
    if owner_password:
        document.set_encryption(owner_password=owner_password, user_password=user_password)
    document.set_font("helvetica", size=12)
    for page in pages:
        document.add_page()
        for item in page:
            if isinstance(item, Text):
                document.set_text_color(item.colour)
                document.text(item.x, item.y, item.text)
            elif isinstance(item, Note):
                document.text_annotation(item.x, item.y, item.text, title=item.author)
            else:
                document.set_fill_color(item.colour)
                document.rect(item.x, item.y, item.width, item.height, style="F")
    return bytes(document.output())


def box_over(text: Text, colour: Colour = BLACK) -> Box:
    """A box that covers the text, with a margin: 12pt Helvetica is about 2.2 mm a character."""
    return Box(text.x - 1, text.y - 5, len(text.text) * 2.6 + 2, 7, colour)


def docx_file(paragraphs: Sequence[str] = (), table: Sequence[Sequence[str]] = (),
              header: str = "", comment: str = "", deleted: str = "", inserted: str = "", author: str = "",
              last_modified_by: str = "") -> bytes:
    """`deleted` is text deleted with track changes on: Word no longer shows it, the file still holds it.
    `inserted` is text added with track changes on, not yet accepted. python-docx's own author is "python-docx"."""
    document = docx.Document()
    if author:
        document.core_properties.author = author
    if last_modified_by:
        document.core_properties.last_modified_by = last_modified_by
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=max(len(row) for row in table))
        for cells, row in zip(grid.rows, table):
            for cell, value in zip(cells.cells, row):
                cell.text = value
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if comment:
        anchor = document.add_paragraph("See comment")
        document.add_comment(anchor.runs, text=comment, author="Reviewer")
    if deleted:
        document.add_paragraph("Kept: ")._p.append(_tracked_change("w:del", "w:delText", deleted))
    if inserted:
        document.add_paragraph("Added: ")._p.append(_tracked_change("w:ins", "w:t", inserted))
    return _saved(document)


def _tracked_change(tag: str, text_tag: str, text: str):
    change = OxmlElement(tag, {qn("w:id"): "1", qn("w:author"): "Reviewer"})
    run, changed_text = OxmlElement("w:r"), OxmlElement(text_tag)
    changed_text.text = text
    run.append(changed_text)
    change.append(run)
    return change


def xlsx_file(sheets: dict[str, Sequence[Sequence[object]]], creator: str = "", last_modified_by: str = "",
              comments: dict[tuple[str, str], str] | None = None) -> bytes:
    """`comments`: {(sheet, cell): text}. openpyxl's own creator is "openpyxl"."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    for (title, cell), text in (comments or {}).items():
        workbook[title][cell].comment = Comment(text, "Reviewer")
    if creator:
        workbook.properties.creator = creator
    if last_modified_by:
        workbook.properties.lastModifiedBy = last_modified_by
    return _saved(workbook)


def odt_file(paragraphs: Sequence[str] = (), heading: str = "", table: Sequence[Sequence[str]] = (),
             creator: str = "", last_saved_by: str = "", comment: str = "", deleted: str = "",
             inserted: str = "") -> bytes:
    """`comment` is an annotation in a paragraph of its own; `deleted` and `inserted` are tracked changes."""
    document = OpenDocumentText()
    if creator:
        document.meta.addElement(odf_meta.InitialCreator(text=creator))
    if last_saved_by:
        document.meta.addElement(odf_dc.Creator(text=last_saved_by))
    if deleted or inserted:
        document.text.addElement(_odf_tracked_changes(deleted, inserted))
    if heading:
        document.text.addElement(odf_text.H(outlinelevel=1, text=heading))
    for paragraph in paragraphs:
        document.text.addElement(odf_text.P(text=paragraph))
    if table:
        grid = odf_table.Table(name="Table1")
        grid.addElement(odf_table.TableColumn(numbercolumnsrepeated=max(len(row) for row in table)))
        for row in table:
            table_row = odf_table.TableRow()
            for value in row:
                cell = odf_table.TableCell()
                cell.addElement(odf_text.P(text=value))
                table_row.addElement(cell)
            grid.addElement(table_row)
        document.text.addElement(grid)
    if comment:
        paragraph = odf_text.P(text="See the note ")
        note = odf_office.Annotation()
        note.addElement(odf_dc.Creator(text="Reviewer"))
        note.addElement(odf_dc.Date(text="2026-01-05T10:00:00"))
        note.addElement(odf_text.P(text=comment))
        paragraph.addElement(note)
        document.text.addElement(paragraph)
    if deleted or inserted:
        paragraph = odf_text.P(text="Kept ")
        if deleted:
            paragraph.addElement(odf_text.Change(changeid="ct1"))
        if inserted:
            paragraph.addElement(odf_text.ChangeStart(changeid="ct2"))
            paragraph.addText(inserted)
            paragraph.addElement(odf_text.ChangeEnd(changeid="ct2"))
        document.text.addElement(paragraph)
    return _saved(document)


def _odf_tracked_changes(deleted: str, inserted: str):
    changes = odf_text.TrackedChanges()
    for change_id, kind, text in (("ct1", odf_text.Deletion, deleted), ("ct2", odf_text.Insertion, inserted)):
        if not text:
            continue
        region = odf_text.ChangedRegion(qattributes={(XMLNS, "id"): change_id, (TEXTNS, "id"): change_id})
        change = kind()
        info = odf_office.ChangeInfo()
        info.addElement(odf_dc.Creator(text="Reviewer"))
        info.addElement(odf_dc.Date(text="2026-01-05T10:00:00"))
        change.addElement(info)
        if kind is odf_text.Deletion:
            change.addElement(odf_text.P(text=text))
        region.addElement(change)
        changes.addElement(region)
    return changes


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
