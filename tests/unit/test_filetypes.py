"""Content-based file types beyond Capture's allow-list: XLSX by its content, CSV by text and name.

The kinds Capture accepts (PDF, images, DOCX, ODT, TXT) are covered through uploads in test_uploads.py.
"""
from __future__ import annotations

import io
import zipfile

import pytest

from portal import filetypes
from portal.filetypes import (
    CSV_UTF8,
    CSV_WINDOWS_1252,
    DOCX,
    ODT,
    PDF,
    TXT_UTF8,
    TXT_WINDOWS_1252,
    XLSX,
    detect_kind,
    kind_for_text,
)
from portal.uploads import WRONG_TYPE, UploadRejected, accept_upload
from tests.disclosure_samples import docx_file, odt_file, pdf, xlsx_file
from tests.fakes import FakeScanner, FakeStore

SPREADSHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_SPREADSHEET_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def kind_of(data: bytes) -> filetypes.FileKind | None:
    return detect_kind(io.BytesIO(data))


def with_content_types(data: bytes, replace: str, by: str) -> bytes:
    """The same package with its [Content_Types].xml edited."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            content = source.read(entry)
            if entry.filename == "[Content_Types].xml":
                content = content.replace(replace.encode(), by.encode())
            archive.writestr(entry.filename, content)
    return target.getvalue()


def without_entry(data: bytes, name: str) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            if entry.filename != name:
                archive.writestr(entry.filename, source.read(entry))
    return target.getvalue()


@pytest.mark.parametrize(("data", "kind"), [
    pytest.param(xlsx_file({"Budget": [["Item", "Cost"], ["Laptops", 1739]]}), XLSX, id="openpyxl-workbook"),
    pytest.param(docx_file(["A letter"]), DOCX, id="python-docx-document"),
    pytest.param(odt_file(["A letter"]), ODT, id="odfpy-document"),
    pytest.param(pdf([]), PDF, id="fpdf2-pdf"),
])
def test_office_documents_made_by_real_libraries_are_told_apart(data, kind):
    assert kind_of(data) == kind


def test_a_workbook_whose_main_part_is_missing_is_not_xlsx():
    assert kind_of(without_entry(xlsx_file({"Budget": [[1]]}), "xl/workbook.xml")) is None


def test_a_macro_enabled_workbook_is_not_xlsx():
    assert kind_of(with_content_types(xlsx_file({"Budget": [[1]]}), SPREADSHEET_MAIN, MACRO_SPREADSHEET_MAIN)) is None


def test_a_truncated_workbook_is_not_xlsx():
    assert kind_of(xlsx_file({"Budget": [[1]]})[:-40]) is None


def test_the_central_directory_cap_is_the_callers_to_set():
    workbook = xlsx_file({"Budget": [[1]]})

    assert detect_kind(io.BytesIO(workbook), max_central_directory=100_000) == XLSX
    assert detect_kind(io.BytesIO(workbook), max_central_directory=100) is None


def test_detection_leaves_the_file_rewound():
    file = io.BytesIO(xlsx_file({"Budget": [[1]]}))

    assert detect_kind(file) == XLSX
    assert file.tell() == 0


@pytest.mark.parametrize(("data", "filename", "kind"), [
    pytest.param(b"\xef\xbb\xbfward,count\r\nHertford,15291\r\n", "figures.csv", CSV_UTF8, id="utf-8-csv-with-bom"),
    pytest.param("ward,cost\nWare,£1,739\n".encode("cp1252"), "COSTS.CSV", CSV_WINDOWS_1252, id="windows-1252-upper-case"),
    pytest.param(b"ward,count\n", "figures.txt", TXT_UTF8, id="csv-content-named-txt"),
    pytest.param(b"Dear Sir or Madam\n", "letter", TXT_UTF8, id="no-extension"),
    pytest.param("£5".encode("cp1252"), None, TXT_WINDOWS_1252, id="no-name"),
    pytest.param(pdf([]), "figures.csv", PDF, id="pdf-named-csv-stays-pdf"),
    pytest.param(b"\x00\x01binary", "figures.csv", None, id="binary-named-csv-stays-unknown"),
])
def test_text_is_csv_only_when_its_name_says_so(data, filename, kind):
    assert kind_for_text(kind_of(data), filename) == kind



@pytest.fixture(autouse=True)
def _spool_in_tmp_path(tmp_path, monkeypatch):
    """This calls the pipeline outside any app: a large file spools in the test's own folder, as it would in var/."""
    monkeypatch.setattr("portal.spool.app_folder", lambda: tmp_path / "spool")


def test_capture_still_refuses_a_spreadsheet_and_stores_nothing():
    store, scanner = FakeStore(), FakeScanner()
    with pytest.raises(UploadRejected) as caught:
        accept_upload(io.BytesIO(xlsx_file({"Budget": [["Item", "Cost"]]})), "budget.xlsx", draft_id="draft",
                      store=store, scanner=scanner)

    assert caught.value.message == WRONG_TYPE
    assert store.files == {}
