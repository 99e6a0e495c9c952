"""What Secure Share accepts, typed by content: the file keeps its name and extension, its content must agree
with the extension, active content (HTML, SVG) and what cannot be scanned are refused with a reason."""
from __future__ import annotations

import urllib.parse

import pytest

from portal.formatting import human_size
from tests import share_samples as samples
from tests.share_api_helpers import PDF, links_in, token_of
from tests.share_helpers import MadeShare, sign_in
from tests.unit.test_share_api import _no_rate_limits, api, is_problem  # noqa: F401 - fixtures


ACCEPTED = [
    ("call-log.csv", samples.CSV, "text/csv; charset=utf-8", "CSV"),
    ("Call log.CSV", samples.CSV, "text/csv; charset=utf-8", "CSV"),
    ("notes.txt", b"Case notes\n", "text/plain; charset=utf-8", "TXT"),
    ("budget.xlsx", samples.xlsx_file({"Budget": [["Item", "Cost"], ["Laptops", 1739]]}), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ("letter.doc", samples.doc_file(), "application/msword", "DOC"),
    ("accounts.xls", samples.xls_file(), "application/vnd.ms-excel", "XLS"),
    ("Reply from the council.msg", samples.msg_file(), "application/vnd.ms-outlook", "MSG"),
    ("Reply from the council.eml", samples.EML, "message/rfc822", "EML"),
    ("interview.mp3", samples.mp3_file(), "audio/mpeg", "MP3"),
    ("interview-untagged.mp3", samples.mp3_without_tag(), "audio/mpeg", "MP3"),
    ("cctv.mp4", samples.mp4_file(), "video/mp4", "MP4"),
    ("scan.tiff", samples.tiff_file(), "image/tiff", "TIFF"),
    ("scan.tif", samples.tiff_file(big_endian=True), "image/tiff", "TIFF"),
    ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 100, "image/jpeg", "JPG"),
    ("all the letters.zip", samples.zip_of({"a.pdf": PDF, "b.txt": b"notes"}), "application/zip", "ZIP"),
]


@pytest.mark.parametrize(("filename", "data", "content_type", "kind"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_what_responses_contain_is_accepted_typed_by_content_and_keeps_its_name(
        api, app, client, services, filename, data, content_type, kind):
    share = api.create()
    response = api.upload(share["id"], data, filename=filename)
    assert response.status_code == 201, response.json
    stem = filename.rsplit(".", 1)[0]
    assert (response.json["filename"], response.json["title"], response.json["content_type"]) == (
        filename, stem, content_type)
    # The requester gets it under the same name, with the same extension, as an attachment that runs nothing.
    assert api.call("POST", f"/shares/{share['id']}/send").status_code == 200
    token = token_of(links_in(services.mailer)[-1])
    sign_in(client, MadeShare(share["id"], token, [], {}), services.mailer)
    page = client.get_page(f"/documents/{token}/files")
    assert f"{stem} ({kind}, {human_size(len(data))})" in " ".join(page.select_one(".app-document-list").get_text().split())
    download = client.raw.get(f"/documents/{token}/files/{response.json['id']}")
    assert download.status_code == 200 and download.data == data
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert urllib.parse.unquote(disposition.split("filename*=UTF-8''", 1)[1]) == f"{stem}.{filename.rsplit('.', 1)[1].lower()}"
    assert download.headers["Content-Type"] == content_type
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Security-Policy"] == "sandbox; default-src 'none'; frame-ancestors 'none'"


REFUSED = [
    ("page.html", samples.HTML, "active_content", "HTML"),
    ("page.htm", b"Just words, but named to open in a browser", "active_content", ".htm"),
    ("page.txt", samples.HTML, "active_content", "HTML"),
    ("logo.svg", samples.SVG, "active_content", "SVG"),
    ("drawing.txt", samples.SVG, "active_content", "SVG"),
    ("letter.rtf", samples.RTF, "unsupported_type", "RTF"),
    ("program.pdf", b"MZ\x90\x00" + b"\0" * 60 + b"This program cannot be run in DOS mode", "unsupported_type",
     "not a type"),
    ("letter.docx", PDF, "extension_mismatch", "PDF"),
    ("call-log.pdf", samples.CSV, "extension_mismatch", ".pdf"),
    ("letter", PDF, "extension_mismatch", "letter.pdf"),
    ("notes.eml", b"Just some notes\n", "extension_mismatch", "plain text, not .eml"),
    ("archive.pdf", samples.zip_of({"a.txt": b"x"}), "extension_mismatch", "ZIP"),
    ("protected.zip", samples.encrypted_zip(), "encrypted", "password"),
    ("protected.docx", samples.encrypted_docx_file(), "encrypted", "password"),
    ("bomb.zip", samples.zip_bomb(), "archive_too_large", "compressed"),
    ("empty.pdf", b"", "empty", "empty"),
]


@pytest.mark.parametrize(("filename", "data", "reason", "said"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_document_is_422_saying_exactly_why(api, services, filename, data, reason, said):
    share = api.create()
    problem = is_problem(api.upload(share["id"], data, filename=filename), 422)
    assert (problem["field"], problem["reason"]) == ("document", reason)
    assert said in problem["detail"], problem["detail"]
    assert services.store.files == {}


def test_a_virus_says_so_in_the_reason(api, services):
    services.scanner.verdict = "virus"
    share = api.create()
    problem = is_problem(api.upload(share["id"], samples.zip_of({"a.txt": b"x"}), filename="a.zip"), 422)
    assert (problem["reason"], problem["detail"]) == ("virus", "The selected file contains a virus")


def test_a_zip_is_refused_when_it_would_expand_past_the_limit(api, services, monkeypatch):
    from portal import filetypes

    monkeypatch.setattr(filetypes, "MAX_ARCHIVE_EXPANDED", 1000)
    share = api.create()
    two_files = samples.zip_of({"a.txt": b"x" * 600, "b.txt": b"y" * 600})
    problem = is_problem(api.upload(share["id"], two_files, filename="a.zip"), 422)
    assert problem["reason"] == "archive_too_large" and "expand to more than" in problem["detail"]


# Direction controls and long names ------------------------------------------------------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def test_direction_controls_are_taken_out_of_titles_and_names_on_the_way_in(api):
    share = api.create(recipient_name=f"Jane{BIDI} Smith", case_reference="SAR-\u202e2026-0042")
    assert (share["recipient_name"], share["case_reference"]) == ("Jane Smith", "SAR-2026-0042")
    document = api.upload(share["id"], PDF, filename="Invoice\u202efdp.exe.pdf",
                          query={"title": f"Invoice {BIDI}fdp.exe"}).json
    assert (document["title"], document["filename"]) == ("Invoice fdp.exe", "Invoicefdp.exe.pdf")


def test_user_text_on_the_share_page_is_isolated_and_has_no_direction_controls(app, client, services):
    from tests.share_helpers import change_document, make_share

    made = make_share(app, services, [("letter.pdf", PDF)], message="Here is the letter.\n\nمرحبا")
    change_document(app, made.documents[0], title="Invoice \u202efdp.exe")  # a row from before the check
    sign_in(client, made, services.mailer)
    page = client.get_page(f"{made.url}/files")
    link = page.select_one(".app-document-list a")
    assert link.bdi is not None and link.bdi.get_text() == "Invoice fdp.exe"
    assert not any(ch in link.get_text() for ch in BIDI)
    assert [p.bdi.get_text() for p in page.select(".govuk-inset-text p")] == ["Here is the letter.", "مرحبا"]
    history = client.get_page(f"{made.url}/history")
    assert history.select_one("main strong bdi").get_text() == "SAR-2026-000123"
