"""Attachment text for search and the publish guard, from real files built in the test."""
from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib

import pytest
from fpdf.drawing import DeviceCMYK

from disclosure_log import extract
from disclosure_log.extract import ExtractionFailed, TextPart, extract_text, fake_redactions
from tests.disclosure_samples import BLACK, WHITE, Box, Text, box_over, docx_file, odt_file, pdf, xlsx_file

LIVE = Text(20, 30, "Jane Smith 07700 900123")


def texts(parts: list[TextPart]) -> dict[str, str]:
    return {part.where: part.text for part in parts}


# --- text of each kind ---------------------------------------------------------------------------

def test_a_pdf_is_read_page_by_page():
    data = pdf([Text(20, 30, "Figures for Hertford")], [], [Text(20, 30, "Figures for Ware")])

    assert extract_text(data, "PDF") == [TextPart("page 1", "Figures for Hertford"),
                                         TextPart("page 3", "Figures for Ware")]


def test_a_docx_is_read_with_its_tables_headers_and_comments():
    data = docx_file(["Dear requester,"], table=[["Officer", "Phone"], ["J Smith", "07700 900123"]],
                     header="East Herts Council", comment="Check with Mrs Jones")

    parts = texts(extract_text(data, "DOCX"))

    assert parts[""].splitlines()[:5] == ["Dear requester,", "Officer", "Phone", "J Smith", "07700 900123"]
    assert parts["headers and footers"] == "East Herts Council"
    assert parts["comments"] == "Check with Mrs Jones"


def test_a_docx_still_holds_text_deleted_with_track_changes_and_it_is_read():
    parts = texts(extract_text(docx_file(deleted="Jane Smith 07700 900123"), "DOCX"))

    assert "Jane Smith 07700 900123" in parts[""]


def test_an_xlsx_is_read_sheet_by_sheet_with_cached_values_and_dates():
    data = xlsx_file({"Budget": [["Contact", "Spend"], ["j.smith@example.org", 15291], [None, dt.date(2024, 3, 31)]],
                      "Empty": [], "Notes": [["Figures for 2019 and 2021"]]})

    assert extract_text(data, "XLSX") == [
        TextPart("sheet Budget", "Contact\tSpend\nj.smith@example.org\t15291\n2024-03-31"),
        TextPart("sheet Notes", "Figures for 2019 and 2021"),
    ]


def test_an_odt_is_read_with_its_headings_and_tables():
    data = odt_file(["National Insurance number: AB 12 34 56 C"], heading="Your request", table=[["Ward", "Count"]])

    assert extract_text(data, "ODT") == [
        TextPart("", "Your request\nNational Insurance number: AB 12 34 56 C\nWard\nCount"),
    ]


def test_an_odt_comment_is_read_on_its_own_without_its_author_and_date():
    data = odt_file(["Figures attached."], comment="Check with Mrs Jones")

    assert extract_text(data, "ODT") == [TextPart("", "Figures attached.\nSee the note"),
                                         TextPart("comments", "Check with Mrs Jones")]


@pytest.mark.parametrize(("data", "kind", "text"), [
    pytest.param(b"\xef\xbb\xbfward,count\r\nHertford,15291\r\n", "CSV", "ward,count\r\nHertford,15291",
                 id="csv-with-bom-dropped"),
    pytest.param("Café bill: £5 – “paid”".encode("cp1252"), "TXT", "Café bill: £5 – “paid”",
                 id="windows-1252-text"),
    pytest.param("Répondez".encode(), "TXT", "Répondez", id="utf-8-text"),
])
def test_plain_text_is_decoded(data, kind, text):
    assert extract_text(data, kind) == [TextPart("", text)]


@pytest.mark.parametrize("kind", ["JPG", "PNG", "HEIC"])
def test_an_image_has_no_text(kind):
    assert extract_text(b"\xff\xd8\xff\xe0 not read at all", kind) == []


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="no text reader"):
        extract_text(b"x", "EXE")


# --- damaged and hostile files -------------------------------------------------------------------

def flate_bomb_pdf(inflated: int) -> bytes:
    stream = zlib.compress(b"\0" * inflated, 9)
    return (b"%%PDF-1.4\n1 0 obj\n<</Length %d/Filter/FlateDecode>>\nstream\n%s\nendstream\nendobj\n"
            b"trailer\n<</Root 2 0 R>>\n%%%%EOF\n" % (len(stream), stream))


def zip_with_entry(data: bytes, name: str, content: bytes, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(name, content, compress_type=compression)
    return buffer.getvalue()


DAMAGED = [
    pytest.param(pdf([LIVE])[:900], "PDF", "The PDF file could not be read. It may be damaged", id="truncated-pdf"),
    pytest.param(b"%PDF-1.7\n" + bytes(range(256)) * 8, "PDF", "The PDF file could not be read. It may be damaged",
                 id="garbage-after-a-pdf-header"),
    pytest.param(docx_file(["x"])[:-40], "DOCX", "The DOCX file could not be read. It may be damaged",
                 id="truncated-docx"),
    pytest.param(xlsx_file({"Budget": [[1]]})[:-40], "XLSX", "The XLSX file could not be read. It may be damaged",
                 id="truncated-xlsx"),
    pytest.param(odt_file(["x"])[:-40], "ODT", "The ODT file could not be read. It may be damaged",
                 id="truncated-odt"),
    pytest.param(odt_file(["x"]), "DOCX", "The DOCX file could not be read. It may be damaged",
                 id="odt-said-to-be-docx"),
    pytest.param(docx_file(["x"]), "XLSX", "The XLSX file could not be read. It may be damaged",
                 id="docx-said-to-be-xlsx"),
    pytest.param(zip_with_entry(docx_file(["x"]), "word/extra.bin", b"x", zipfile.ZIP_BZIP2), "DOCX",
                 "The DOCX file is too large to read once uncompressed", id="bzip2-entry-not-used-by-office"),
]


@pytest.mark.parametrize(("data", "kind", "message"), DAMAGED)
def test_a_damaged_file_fails_with_a_plain_message_not_a_crash(data, kind, message):
    with pytest.raises(ExtractionFailed) as caught:
        extract_text(data, kind)

    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_a_pdf_that_needs_a_password_to_open_says_so():
    with pytest.raises(ExtractionFailed, match="^The PDF file is protected by a password$"):
        extract_text(pdf([LIVE], owner_password="owner", user_password="secret"), "PDF")


def test_a_pdf_with_only_an_owner_password_is_read_and_checked():
    data = pdf([LIVE, box_over(LIVE)], owner_password="owner")

    assert extract_text(data, "PDF") == [TextPart("page 1", LIVE.text)]
    assert fake_redactions(data) == [TextPart("page 1", LIVE.text)]


def test_a_pdf_whose_streams_inflate_past_the_cap_is_refused_before_pdfminer_reads_it(monkeypatch):
    monkeypatch.setattr(extract, "MAX_INFLATED", 1024 * 1024)
    bomb = flate_bomb_pdf(2 * 1024 * 1024)

    assert len(bomb) < 10_000
    with pytest.raises(ExtractionFailed, match="^The PDF file is too large to read once uncompressed$"):
        extract_text(bomb, "PDF")
    with pytest.raises(ExtractionFailed, match="too large"):
        fake_redactions(bomb)


def test_a_pdf_within_the_cap_is_read(monkeypatch):
    monkeypatch.setattr(extract, "MAX_INFLATED", 1024 * 1024)

    assert extract_text(pdf([LIVE]), "PDF") == [TextPart("page 1", LIVE.text)]


@pytest.mark.parametrize("kind", ["DOCX", "XLSX", "ODT"])
def test_a_package_whose_entries_inflate_past_the_cap_is_refused(kind, monkeypatch):
    monkeypatch.setattr(extract, "MAX_INFLATED", 1024 * 1024)
    small = {"DOCX": docx_file(["x"]), "XLSX": xlsx_file({"a": [[1]]}), "ODT": odt_file(["x"])}[kind]

    with pytest.raises(ExtractionFailed, match=f"^The {kind} file is too large to read once uncompressed$"):
        extract_text(zip_with_entry(small, "padding.xml", b" " * (2 * 1024 * 1024)), kind)


def test_text_stops_at_the_cap_across_parts(monkeypatch):
    monkeypatch.setattr(extract, "MAX_TEXT_CHARS", 30)
    data = pdf([Text(20, 30, "Figures for Hertford")], [Text(20, 30, "Figures for Ware")], [Text(20, 30, "More")])

    assert extract_text(data, "PDF") == [TextPart("page 1", "Figures for Hertford"), TextPart("page 2", "Figures fo")]


def test_only_the_first_pages_are_read(monkeypatch):
    monkeypatch.setattr(extract, "MAX_PAGES", 2)
    data = pdf(*([Text(20, 30, f"Page {number}")] for number in range(1, 4)))

    assert [part.where for part in extract_text(data, "PDF")] == ["page 1", "page 2"]


def test_a_sheet_stops_at_the_cell_cap_and_later_sheets_are_not_read(monkeypatch):
    monkeypatch.setattr(extract, "MAX_CELLS", 5)
    data = xlsx_file({"Budget": [["a", "b"], ["c", "d"], ["e", "f"]], "Later": [["g"]]})

    assert extract_text(data, "XLSX") == [TextPart("sheet Budget", "a\tb\nc\td")]


# --- text hidden under boxes ---------------------------------------------------------------------

@pytest.mark.parametrize("page", [
    pytest.param([LIVE, box_over(LIVE)], id="black-box-drawn-over-live-text"),
    pytest.param([box_over(LIVE), LIVE], id="black-text-on-black-highlight"),
    pytest.param([LIVE, box_over(LIVE, WHITE)], id="white-box-drawn-over-text"),
    pytest.param([LIVE, box_over(LIVE, 0)], id="grey-colour-space"),
    pytest.param([box_over(LIVE, DeviceCMYK(0, 0, 0, 1)), LIVE], id="cmyk-black-highlight"),
    pytest.param([box_over(LIVE, (30, 30, 30)), LIVE], id="near-black-highlight"),
])
def test_text_hidden_under_a_box_is_found(page):
    assert fake_redactions(pdf(page)) == [TextPart("page 1", "Jane Smith 07700 900123")]


@pytest.mark.parametrize("page", [
    pytest.param([box_over(LIVE)], id="real-redaction-text-removed"),
    pytest.param([Text(20, 30, "Withheld under s.40(2)"), Box(90, 25, 40, 7)], id="text-beside-a-box"),
    pytest.param([box_over(LIVE, BLACK), Text(LIVE.x, LIVE.y, LIVE.text, WHITE)], id="white-text-on-a-dark-header"),
    pytest.param([box_over(LIVE, (220, 220, 220)), LIVE], id="black-text-on-light-table-shading"),
    pytest.param([LIVE, Box(LIVE.x, LIVE.y + 1, 60, 0.3)], id="underline-rule-drawn-after"),
    pytest.param([LIVE, Box(LIVE.x - 1, LIVE.y - 0.5, 60, 2)], id="bar-over-the-foot-of-the-text"),
    pytest.param([Text(20, 30, "Nothing hidden here")], id="no-box"),
])
def test_text_that_shows_is_not_hidden_text(page):
    assert fake_redactions(pdf(page)) == []


def test_each_box_is_one_part_on_its_page():
    name, phone = Text(20, 30, "Jane Smith"), Text(20, 60, "07700 900123")
    data = pdf([Text(20, 30, "Nothing hidden")], [name, phone, box_over(name), box_over(phone)])

    assert fake_redactions(data) == [TextPart("page 2", "Jane Smith"), TextPart("page 2", "07700 900123")]


def test_a_box_over_part_of_a_line_finds_only_the_covered_words():
    line = Text(20, 30, "Requester: Jane Smith")
    covered = Box(line.x + 21.5, line.y - 5, 24, 7)  # "Requester: " is 21.9 mm wide in 12pt Helvetica

    assert fake_redactions(pdf([line, covered])) == [TextPart("page 1", "Jane Smith")]


def test_a_damaged_pdf_fails_plainly_when_looking_for_hidden_text():
    with pytest.raises(ExtractionFailed, match="^The PDF file could not be read. It may be damaged$"):
        fake_redactions(b"%PDF-1.7\nnot really")


def test_a_page_with_too_many_shapes_to_check_fails_rather_than_passes(monkeypatch):
    monkeypatch.setattr(extract, "MAX_BOX_CHECKS", 5)

    with pytest.raises(ExtractionFailed, match="too many shapes"):
        fake_redactions(pdf([LIVE, box_over(LIVE)]))
