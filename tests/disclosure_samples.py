"""Real sample attachments built in the test run (no binary files in the repository).

PDFs with fpdf2, DOCX with python-docx, XLSX with openpyxl, ODT with odfpy. A PDF page is a list of
`Text` and `Box` drawn in the order given: which of text and box is painted last decides what shows.
"""
from __future__ import annotations

import dataclasses
import io
from typing import Sequence, Union

import docx
import openpyxl
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from fpdf import FPDF
from fpdf.drawing import DeviceCMYK
from odf import table as odf_table
from odf import text as odf_text
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


def pdf(*pages: Sequence[Text | Box], owner_password: str = "", user_password: str = "") -> bytes:
    """An owner password alone only restricts printing and copying: anyone can open the file."""
    document = FPDF()
    if owner_password:
        document.set_encryption(owner_password=owner_password, user_password=user_password)
    document.set_font("helvetica", size=12)
    for page in pages:
        document.add_page()
        for item in page:
            if isinstance(item, Text):
                document.set_text_color(item.colour)
                document.text(item.x, item.y, item.text)
            else:
                document.set_fill_color(item.colour)
                document.rect(item.x, item.y, item.width, item.height, style="F")
    return bytes(document.output())


def box_over(text: Text, colour: Colour = BLACK) -> Box:
    """A box that covers the text, with a margin: 12pt Helvetica is about 2.2 mm a character."""
    return Box(text.x - 1, text.y - 5, len(text.text) * 2.6 + 2, 7, colour)


def docx_file(paragraphs: Sequence[str] = (), table: Sequence[Sequence[str]] = (),
              header: str = "", comment: str = "", deleted: str = "") -> bytes:
    """`deleted` is text deleted with track changes on: Word no longer shows it, the file still holds it."""
    document = docx.Document()
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
        document.add_paragraph("Kept: ")._p.append(_tracked_deletion(deleted))
    return _saved(document)


def _tracked_deletion(text: str):
    deletion = OxmlElement("w:del", {qn("w:id"): "1", qn("w:author"): "Reviewer"})
    run, deleted_text = OxmlElement("w:r"), OxmlElement("w:delText")
    deleted_text.text = text
    run.append(deleted_text)
    deletion.append(run)
    return deletion


def xlsx_file(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    return _saved(workbook)


def odt_file(paragraphs: Sequence[str] = (), heading: str = "", table: Sequence[Sequence[str]] = ()) -> bytes:
    document = OpenDocumentText()
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
    return _saved(document)


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
