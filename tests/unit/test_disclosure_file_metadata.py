"""What an attachment holds besides its text (authors, comments, tracked changes), read from real files built in
the test, for the publish guard."""
from __future__ import annotations

import pytest

from disclosure_log import file_metadata
from disclosure_log.extract import ExtractionFailed
from disclosure_log.file_metadata import FileNote, read_notes
from tests.disclosure_samples import Note, Text, docx_file, odt_file, pdf, xlsx_file
from tests.unit.test_disclosure_extract import DAMAGED


@pytest.mark.parametrize(("data", "kind"), [
    (docx_file(["Body"], comment="Check with Mrs Jones", deleted="07700 900123", inserted="in March",
               author="Janet Pemberton", last_modified_by="jsmith"), "DOCX"),
    (odt_file(["Body"], creator="Janet Pemberton", last_saved_by="jsmith", comment="Check with Mrs Jones",
              deleted="07700 900123", inserted="in March"), "ODT"),
])
def test_a_document_s_properties_comments_and_tracked_changes_are_read(data, kind):
    assert read_notes(data, kind) == [
        FileNote("author", "author", "Janet Pemberton"),
        FileNote("author", "last modified by", "jsmith"),
        FileNote("comment", "comment 1", "Check with Mrs Jones"),
        FileNote("tracked_change", "tracked change 1", "07700 900123"),
        FileNote("tracked_change", "tracked change 2", "in March"),
    ]


def test_an_xlsx_s_properties_and_cell_comments_are_read_though_the_text_is_read_read_only():
    data = xlsx_file({"Budget": [["Item", "Cost"]], "Notes": [["See below"]]}, creator="Bob Jones",
                     last_modified_by="Amina Yusuf", comments={("Budget", "B1"): "Ask Jane", ("Notes", "A1"): "Old"})

    assert read_notes(data, "XLSX") == [
        FileNote("author", "author", "Bob Jones"),
        FileNote("author", "last modified by", "Amina Yusuf"),
        FileNote("comment", "comment 1 (sheet Budget, cell B1)", "Ask Jane"),
        FileNote("comment", "comment 2 (sheet Notes, cell A1)", "Old"),
    ]


def test_a_pdf_s_author_and_comments_are_read_page_by_page():
    data = pdf([Text(20, 30, "Page one"), Note(20, 40, "First note")], [Note(20, 40, "Second note", author="Jo")],
               author="Janet Pemberton")

    assert read_notes(data, "PDF") == [
        FileNote("author", "author", "Janet Pemberton"),
        FileNote("comment", "comment 1 (page 1)", "First note"),
        FileNote("comment", "comment 2 (page 2)", "Second note"),
    ]


@pytest.mark.parametrize(("data", "kind"), [
    (b"ward,count\r\nHertford,15291\r\n", "CSV"), (b"Plain text", "TXT"), (b"\xff\xd8\xff", "JPG"),
    (odt_file(["Nothing else"]), "ODT"), (pdf([Text(20, 30, "Nothing else")]), "PDF"),
])
def test_a_file_with_nothing_besides_its_text_has_no_notes(data, kind):
    assert read_notes(data, kind) == []


def test_notes_stop_at_the_cap_of_each_kind(monkeypatch):
    monkeypatch.setattr(file_metadata, "MAX_NOTES", 1)
    data = docx_file(["Body"], comment="A comment", deleted="one", inserted="two", author="A Person",
                     last_modified_by="Another")

    assert [note.where for note in read_notes(data, "DOCX")] == ["author", "comment 1", "tracked change 1"]


@pytest.mark.parametrize(("data", "kind", "message"), DAMAGED)
def test_a_damaged_file_fails_with_a_plain_message_not_a_crash(data, kind, message):
    with pytest.raises(ExtractionFailed) as caught:
        read_notes(data, kind)

    assert str(caught.value) == message
