"""Downloads: headers, safe names, HTTP ranges, the zip of all documents, and who may download what."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import sys
import types
import urllib.parse
import zipfile

import pytest
from sqlalchemy import select

from portal.downloads import ascii_fallback, content_disposition
from portal.formatting import human_size
from secure_share import downloads, service
from secure_share.models import Document, Share, ShareEvent
from tests.fakes import FakeStore
from tests.pages import PageClient, text_of
from tests.share_helpers import change, change_document, csrf_from, make_share, pdf, sign_in
from tests.share_helpers import notices  # noqa: F401 - a fixture

UTC = dt.timezone.utc
SIZE = 10_000


@pytest.fixture(autouse=True)
def _no_rate_limits(app):
    from portal.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


class ChunkedStore(FakeStore):
    """Yields 1,000-byte chunks, as the real stores do in 64 KB ones: one download is many chunks."""

    def __init__(self):
        super().__init__()
        self.opened: list[tuple[str, int, int | None]] = []

    def open(self, key, start=0, end=None):
        self.opened.append((key, start, end))
        data = b"".join(super().open(key, start, end))
        return (data[i:i + 1000] for i in range(0, len(data), 1000))


@pytest.fixture
def services(clock):
    from portal.services import Services
    from tests.fakes import FakeCaseSystem, FakeMailer, FakePostcodes, FakeScanner, FakeWebhooks

    return Services(store=ChunkedStore(), mailer=FakeMailer(), scanner=FakeScanner(), postcodes=FakePostcodes(),
                    case_system=FakeCaseSystem(), clock=clock, webhooks=FakeWebhooks())


@pytest.fixture
def share(app, services):
    return make_share(app, services, [("John Smith medical records.pdf", pdf(SIZE)),
                                      ("John Smith SAR response letter.pdf", pdf(3000, 5))])


@pytest.fixture
def signed_in(client, services, share):
    sign_in(client, share, services.mailer)
    return client


def url_of(share, index: int = 0) -> str:
    return f"{share.url}/files/{share.documents[index]}"


DOWNLOAD_EVENTS = ["download started", "download completed", "download stopped"]


def download_events(app, share_id: str, kinds=("download completed",)) -> list[ShareEvent]:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return list(session.scalars(select(ShareEvent).where(
            ShareEvent.share_id == share_id, ShareEvent.kind.in_(kinds)).order_by(ShareEvent.id)))


def trail(app, share_id: str) -> list[tuple]:
    """Every download event: what, which document, and its detail."""
    return [(e.kind, e.document_id, e.detail) for e in download_events(app, share_id, DOWNLOAD_EVENTS)]


# A whole document -----------------------------------------------------------------------------

def test_a_download_has_every_header_it_needs(app, signed_in, share):
    data = share.data[share.documents[0]]
    response = signed_in.get(url_of(share))
    assert response.status_code == 200 and response.data == data
    headers = response.headers
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Length"] == str(SIZE)
    assert headers["Content-Disposition"] == ("attachment; filename=\"John Smith medical records.pdf\"; "
                                              "filename*=UTF-8''John%20Smith%20medical%20records.pdf")
    assert headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "Content-Range" not in headers


def test_a_download_is_recorded_once_per_request_not_per_chunk(app, signed_in, services, share, notices):
    assert len(b"".join(signed_in.get(url_of(share)).response)) == SIZE  # 10 chunks
    assert signed_in.get(url_of(share, 1)).data
    assert [(e.kind, e.document_id) for e in download_events(app, share.id)] == [
        ("download completed", share.documents[0]), ("download completed", share.documents[1])]
    assert notices == [(share.id, "first download")]  # the first only


def test_a_download_is_recorded_when_it_starts_and_when_it_completes_with_the_bytes_sent(app, signed_in, share):
    one, two = share.documents
    assert len(signed_in.get(url_of(share)).data) == SIZE
    assert len(signed_in.get(url_of(share, 1), headers={"Range": "bytes=100-199"}).data) == 100
    assert trail(app, share.id) == [
        ("download started", one, {}), ("download completed", one, {"bytes": SIZE}),
        ("download started", two, {"range": "100-199"}), ("download completed", two, {"bytes": 100, "range": "100-199"})]


def test_a_download_closed_early_is_recorded_as_stopped_with_the_bytes_sent_not_as_a_download(
        app, signed_in, services, share, notices):
    response = signed_in.get(url_of(share))
    chunks = iter(response.response)
    assert len(next(chunks) + next(chunks) + next(chunks)) == 3000
    response.close()  # the browser went away: the server closes the response
    # a chunk counts once the server asks for the next (it has written this one): the third one never was
    assert trail(app, share.id) == [
        ("download started", share.documents[0], {}),
        ("download stopped", share.documents[0], {"bytes": 2000, "of": SIZE, "reason": "connection closed"})]
    assert notices == []  # not yet downloaded, so the case system is not told
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.get(Share, share.id).first_downloaded_at is None
    rows = [td.get_text(" ", strip=True) for td in signed_in.get_page(f"{share.url}/history").select("tbody td")]
    assert (f"Download of John Smith medical records (PDF) stopped after {human_size(2000)} of {human_size(SIZE)}: "
            "the connection closed") in rows
    assert not any(row.startswith("Downloaded") for row in rows)


# A download under way stops when the share closes -------------------------------------------------

@pytest.fixture
def check_every_chunk(monkeypatch):
    monkeypatch.setattr(downloads, "CHECK_EVERY", 0.0)


def _now(services):
    return services.clock.now()


STOPS = {
    "revoked": lambda app, services, share: change(app, share.id, lambda session, row: service.revoke(
        session, row, _now(services))),
    "removed": lambda app, services, share: change(app, share.id, lambda session, row: service.remove_by_requester(
        session, row, _now(services), "Firefox on a Windows computer")),
    "document removed": lambda app, services, share: change(app, share.id, lambda session, row: (
        service.remove_document(session, row, share.documents[0], _now(services)))),
    "expired": lambda app, services, share: services.clock.advance(days=31),
}


@pytest.mark.parametrize("reason", STOPS)
def test_a_download_under_way_stops_between_chunks_when_the_share_closes(app, signed_in, services, share, reason,
                                                                        check_every_chunk):
    response = signed_in.get(url_of(share))
    chunks = iter(response.response)
    received = next(chunks) + next(chunks)
    STOPS[reason](app, services, share)
    with pytest.raises(downloads.DownloadStopped):  # the server drops the connection: the browser sees it cut
        received += next(chunks)
    response.close()
    assert received == share.data[share.documents[0]][:2000]  # not a byte after the next check
    assert trail(app, share.id)[-1] == ("download stopped", share.documents[0],
                                        {"bytes": 2000, "of": SIZE, "reason": reason})


def test_a_zip_under_way_stops_when_the_share_is_revoked(app, signed_in, services, share, check_every_chunk):
    response = signed_in.get(f"{share.url}/files/all.zip")
    chunks = iter(response.response)
    next(chunks)
    STOPS["revoked"](app, services, share)
    with pytest.raises(downloads.DownloadStopped):
        next(chunks)
    response.close()
    kind, document_id, detail = trail(app, share.id)[-1]
    assert (kind, document_id, detail["reason"], detail["zip"]) == ("download stopped", None, "revoked", True)


def test_the_share_is_checked_at_most_once_a_second_not_per_chunk(app, signed_in, share, monkeypatch):
    ticks = iter(0.25 * n for n in range(1, 100))  # each chunk takes a quarter of a second
    monkeypatch.setattr(downloads, "monotonic", lambda: next(ticks))
    checks = []
    real = service.download_stops
    monkeypatch.setattr(service, "download_stops", lambda *args: checks.append(1) or real(*args))
    assert len(b"".join(signed_in.get(url_of(share)).response)) == SIZE  # 10 chunks in 2.5 seconds
    assert len(checks) == 2


def test_a_failing_case_system_queue_does_not_break_the_download(app, signed_in, share, monkeypatch):
    def down(share_id, event):
        raise ConnectionError("queue is down")

    fake = types.ModuleType("secure_share.jobs")
    fake.notify_case_system = down
    monkeypatch.setitem(sys.modules, "secure_share.jobs", fake)
    response = signed_in.get(url_of(share))
    assert response.status_code == 200 and len(response.data) == SIZE


def test_head_downloads_nothing_and_records_nothing(app, signed_in, share):
    response = signed_in.head(url_of(share))
    assert response.status_code == 200 and response.headers["Content-Length"] == str(SIZE) and response.data == b""
    assert download_events(app, share.id, DOWNLOAD_EVENTS) == []


# Who may download what ------------------------------------------------------------------------

def test_without_a_session_there_is_no_download(client, share):
    response = client.get(url_of(share))
    assert response.status_code == 302 and response.headers["Location"].endswith(share.url)
    assert b"%PDF" not in response.data


def test_another_shares_document_is_not_found_under_a_valid_session(app, signed_in, services, share):
    other = make_share(app, services, [("Someone else.pdf", pdf(500, 9))], email="other@example.com")
    soup = signed_in.get_page(f"{share.url}/files/{other.documents[0]}", status=404)
    assert "Someone else" not in text_of(soup)
    assert signed_in.get(f"{share.url}/files/{'0' * 24}").status_code == 404


def test_a_document_removed_by_the_case_system_is_not_found(app, signed_in, services, share):
    change(app, share.id, lambda session, row: service.remove_document(
        session, row, share.documents[0], services.clock.now()))
    assert signed_in.get(url_of(share)).status_code == 404
    assert signed_in.get(url_of(share, 1)).status_code == 200


def test_a_file_missing_from_storage_is_a_404_page_not_a_broken_download(signed_in, services, share):
    services.store.files.clear()
    signed_in.get_page(url_of(share), status=404)
    signed_in.get_page(f"{share.url}/files/all.zip", status=404)


def test_downloads_stop_at_the_expiry_minute(app, client, services):
    services.clock.current = dt.datetime(2026, 6, 25, 15, 30, tzinfo=UTC)
    made = make_share(app, services, expires_at=dt.datetime(2026, 6, 25, 17, 0, tzinfo=UTC))
    services.clock.current = dt.datetime(2026, 6, 25, 16, 50, tzinfo=UTC)
    sign_in(client, made, services.mailer)
    services.clock.current = dt.datetime(2026, 6, 25, 16, 59, 59, tzinfo=UTC)
    assert client.get(url_of(made)).status_code == 200
    services.clock.current = dt.datetime(2026, 6, 25, 17, 0, tzinfo=UTC)
    assert client.get(url_of(made)).status_code == 410
    assert client.get(url_of(made), headers={"Range": "bytes=0-10"}).status_code == 410


# Ranges -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("header, status, first, last", [
    ("bytes=0-0", 206, 0, 0),  # first byte
    (f"bytes={SIZE - 1}-{SIZE - 1}", 206, SIZE - 1, SIZE - 1),  # last byte
    ("bytes=-500", 206, SIZE - 500, SIZE - 1),  # suffix
    (f"bytes=-{SIZE * 3}", 206, 0, SIZE - 1),  # a suffix longer than the file is all of it
    ("bytes=4000-", 206, 4000, SIZE - 1),  # open-ended: how a download resumes
    ("bytes=100-199", 206, 100, 199),
    (f"bytes=9000-{SIZE * 2}", 206, 9000, SIZE - 1),  # an end past the file is clamped
    ("bytes=0-1,5-6", 200, 0, SIZE - 1),  # several ranges: the whole file (documented in portal/downloads.py)
    ("bytes=5-2", 200, 0, SIZE - 1),  # invalid: ignored
    ("items=0-1", 200, 0, SIZE - 1),  # not bytes: ignored
])
def test_ranges(app, signed_in, share, header, status, first, last):
    data = share.data[share.documents[0]]
    response = signed_in.get(url_of(share), headers={"Range": header})
    assert response.status_code == status
    assert response.data == data[first:last + 1]
    assert response.headers["Content-Length"] == str(last - first + 1)
    if status == 206:
        assert response.headers["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
        assert [e.detail.get("range") for e in download_events(app, share.id)] == [f"{first}-{last}"]
    else:
        assert "Content-Range" not in response.headers
    assert response.headers["Content-Disposition"].startswith("attachment;")


def test_the_store_is_asked_only_for_the_range(signed_in, services, share):
    signed_in.get(url_of(share), headers={"Range": "bytes=9000-"})
    assert services.store.opened[-1][1:] == (9000, SIZE - 1)


@pytest.mark.parametrize("header", [f"bytes={SIZE}-", f"bytes={SIZE + 5}-{SIZE + 10}"])
def test_an_unsatisfiable_range_is_416_with_the_size(app, signed_in, share, header):
    response = signed_in.get(url_of(share), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"
    assert response.mimetype == "text/html" and b"%PDF" not in response.data
    assert download_events(app, share.id) == []


IF_RANGE_CASES = [
    ("same", 206),
    ('"0000"', 200),  # the file changed: send all of it
    ("weak", 200),  # If-Range needs a strong match
    ("Wed, 21 Oct 2015 07:28:00 GMT", 200),  # no Last-Modified to match a date
]


@pytest.mark.parametrize("if_range, status", IF_RANGE_CASES)
def test_if_range(signed_in, share, if_range, status):
    etag = f'"{hashlib.sha256(share.data[share.documents[0]]).hexdigest()}"'
    value = {"same": etag, "weak": f"W/{etag}"}.get(if_range, if_range)
    response = signed_in.get(url_of(share), headers={"Range": "bytes=100-", "If-Range": value})
    assert response.status_code == status
    assert len(response.data) == (SIZE - 100 if status == 206 else SIZE)


# Names --------------------------------------------------------------------------------------------

EVIL = '../../evil"\r\nSet-Cookie: x=y.pdf'


def test_a_hostile_name_can_build_neither_a_header_nor_a_path(app, signed_in, share):
    change_document(app, share.documents[0], title=EVIL, filename=EVIL)
    response = signed_in.get(url_of(share))
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert not any("x=y" in value for value in response.headers.getlist("Set-Cookie"))
    assert len(response.headers.getlist("Content-Disposition")) == 1
    fallback = disposition.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback == "evil_ Set-Cookie_ x=y.pdf"
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert urllib.parse.unquote(encoded) == "evil_ Set-Cookie_ x=y.pdf"
    assert all(ch not in encoded for ch in " \"';\\/")
    for name in (fallback, urllib.parse.unquote(encoded)):
        assert "/" not in name and "\\" not in name and not name.startswith(".")


@pytest.mark.parametrize("title, kind, expected, fallback", [
    ("John Smith medical records", "PDF", "John Smith medical records.pdf", "John Smith medical records.pdf"),
    ("letter.PDF", "PDF", "letter.pdf", "letter.pdf"),  # the extension is not doubled
    ("Zoë’s letter — résumé", "DOCX", "Zoë’s letter — résumé.docx", "Zoes letter resume.docx"),
    ("C:\\Users\\zoe\\scan", "JPG", "C_Users_zoe_scan.jpg", "C_Users_zoe_scan.jpg"),
    ("report\u202egpj.exe", "PDF", "report gpj.exe.pdf", "report gpj.exe.pdf"),  # no right-to-left override trick
    ("...", "TXT", "document.txt", "document.txt"),
    ("報告書", "PDF", "報告書.pdf", "document.pdf"),
    ("x" * 300, "PDF", "x" * 146 + ".pdf", "x" * 146 + ".pdf"),
    ("50% off; 100%", "PDF", "50% off_ 100%.pdf", "50_ off_ 100.pdf"),
])
def test_download_names(title, kind, expected, fallback):
    document = Document(title=title, kind=kind, filename="ignored")
    name = downloads.download_name(document)
    assert name == expected
    assert ascii_fallback(name) == fallback
    header = content_disposition(name)
    assert urllib.parse.unquote(header.split("filename*=UTF-8''", 1)[1]) == expected
    header.encode("latin-1")  # a header werkzeug can send as it is


def test_unique_names():
    assert downloads.unique_names(["Letter.pdf", "letter.pdf", "Letter.pdf", "Notes"]) == [
        "Letter.pdf", "letter (2).pdf", "Letter (3).pdf", "Notes"]


# Download all --------------------------------------------------------------------------------------

def test_download_all_is_a_zip_that_opens_and_matches(app, client, services, notices):
    made = make_share(app, services, [("Letter.pdf", pdf(4000, 1)), ("Letter.pdf", pdf(7000, 2)),
                                      (EVIL, pdf(500, 3))])
    change_document(app, made.documents[2], title=EVIL)
    sign_in(client, made, services.mailer)
    page = client.get_page(f"{made.url}/files")
    response = client.get(f"{made.url}/files/all.zip")
    assert response.status_code == 200
    body = response.data
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Length"] == str(len(body))
    assert response.headers["Content-Disposition"] == ("attachment; filename=\"Documents from Example Council.zip\"; "
                                                       "filename*=UTF-8''Documents%20from%20Example%20Council.zip")
    assert (response.headers["Cache-Control"], response.headers["X-Robots-Tag"]) == ("no-store", "noindex, nofollow")
    assert f"Download all (ZIP, {human_size(len(body))})" in text_of(page)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == ["Letter.pdf", "Letter (2).pdf", "evil_ Set-Cookie_ x=y.pdf"]
        for name, document_id in zip(names, made.documents):
            assert archive.read(name) == made.data[document_id]
            assert archive.getinfo(name).compress_type == zipfile.ZIP_STORED
    assert [(e.kind, e.document_id, e.detail) for e in download_events(app, made.id)] == [
        ("download completed", None, {"bytes": len(body), "zip": True})]
    assert notices == [(made.id, "first download")]


def test_download_all_needs_a_session(app, share):
    response = PageClient(app).get(f"{share.url}/files/all.zip")
    assert response.status_code == 302 and response.headers["Location"].endswith(share.url)


def test_the_back_offices_job_accepts_the_events_we_send(app, client, services, share, monkeypatch, caplog):
    """Through the real secure_share.jobs: our event names are ones it knows, and nothing is logged as failed."""
    from secure_share import jobs

    told, real = [], jobs.notify_case_system
    monkeypatch.setattr(jobs, "notify_case_system", lambda share_id, event: (told.append(event), real(share_id, event)))
    sign_in(client, share, services.mailer)
    assert client.get(url_of(share)).data and client.get(url_of(share, 1)).data  # read to the end: downloaded
    page = client.get(f"{share.url}/remove").get_data(as_text=True)
    assert client.post(f"{share.url}/remove", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert told == ["first download", "removed"]
    assert "could not queue" not in caplog.text
