"""Downloads through a real HTTP server (werkzeug, threaded) from the real encrypted LocalFileStore.

A 200 MB document streams with memory that does not grow with the file, an interrupted download
resumes with a Range request to the same bytes, and one under way stops soon after its share is revoked.
"""
from __future__ import annotations

import hashlib
import io
import os
import time
import tracemalloc
import zipfile

import pytest
import requests
from bs4 import BeautifulSoup

from portal.adapters.store_local import LocalFileStore
from portal.app import create_app
from portal.services import Services, SystemClock
from secure_share import downloads, links, service
from secure_share.models import Share, ShareEvent
from tests.conftest import make_settings
from tests.fakes import FakeCaseSystem, FakeMailer, FakePostcodes, FakeScanner, FakeWebhooks
from tests.share_helpers import CODE
from tests.support.serving import rate_limits_off, serving

pytestmark = pytest.mark.integration

KEK = bytes(range(32))
MB = 1024 * 1024
BIG = 200 * MB


@pytest.fixture
def live(tmp_path):
    """The portal on a real server thread, storing files encrypted on disk."""
    services = Services(store=LocalFileStore(tmp_path / "files", KEK), mailer=FakeMailer(), scanner=FakeScanner(),
                        postcodes=FakePostcodes(), case_system=FakeCaseSystem(), clock=SystemClock(),
                        webhooks=FakeWebhooks())
    app = create_app(make_settings(tmp_path), services)
    app.extensions["portal.db"].upgrade()
    with rate_limits_off(), serving(app) as base:
        yield app, services, base
    app.extensions["portal.db"].dispose()


def write_pdf(path, size: int) -> str:
    """A PDF by its signature, random after it; returns its sha256."""
    digest = hashlib.sha256()
    with open(path, "wb") as handle:
        head = b"%PDF-1.7\n"
        handle.write(head)
        digest.update(head)
        left = size - len(head)
        while left:
            block = os.urandom(min(4 * MB, left))
            handle.write(block)
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def make_share(app, services, files: list[tuple[str, object]]) -> tuple[str, list[str]]:
    settings = app.config["PORTAL_SETTINGS"]
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        share = service.create_share(session, services.clock.now(), settings, {
            "case_reference": "SAR-2026-000777", "recipient_name": "Jane Smith", "recipient_email": "jane@example.com"})
        ids = []
        for name, stream in files:
            session.commit()  # add_document stores the file with no transaction open
            ids.append(service.add_document(session, share, stream, name, None, services, settings).id)
        service.send(session, share, services.clock.now())
        session.commit()
        return links.make_token(settings.secret_key, share.id, share.link_version), ids


def sign_in(base: str, token: str, mailer) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{base}/documents/{token}")
    csrf = BeautifulSoup(page.text, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]
    browser.post(f"{base}/documents/{token}/code", data={"csrf_token": csrf}, allow_redirects=False)
    code = CODE.search(mailer.sent[-1].subject).group(1)
    response = browser.post(f"{base}/documents/{token}/sign-in", data={"csrf_token": csrf, "code": code},
                            allow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].endswith("/files")
    return browser


def test_a_200_mb_document_streams_in_constant_memory_and_resumes_with_a_range(live, tmp_path):
    app, services, base = live
    source = tmp_path / "big.pdf"
    expected = write_pdf(source, BIG)
    with open(source, "rb") as stream:
        token, (document_id,) = make_share(app, services, [("John Smith medical records.pdf", stream)])
    source.unlink()
    with next((tmp_path / "files").rglob(f"{document_id}*")).open("rb") as stored:
        assert b"%PDF-1.7" not in stored.read(MB)  # encrypted at rest
    browser = sign_in(base, token, services.mailer)
    url = f"{base}/documents/{token}/files/{document_id}"

    # The whole document, with tracemalloc over the server thread and this one.
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        digest, received = hashlib.sha256(), 0
        with browser.get(url, stream=True) as response:
            assert response.status_code == 200
            assert response.headers["Content-Length"] == str(BIG)
            assert response.headers["ETag"] == f'"{expected}"'
            for block in response.iter_content(MB):
                digest.update(block)
                received += len(block)
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert (received, digest.hexdigest()) == (BIG, expected)
    assert peak < 16 * MB, f"peak Python memory while streaming 200 MB: {peak / MB:.1f} MB"

    # Interrupted half way, then resumed from where it stopped.
    first = hashlib.sha256()
    half = 0
    with browser.get(url, stream=True) as response:
        for block in response.iter_content(MB):
            first.update(block)
            half += len(block)
            if half >= BIG // 2:
                break
    with browser.get(url, headers={"Range": f"bytes={half}-", "If-Range": f'"{expected}"'}, stream=True) as response:
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes {half}-{BIG - 1}/{BIG}"
        assert int(response.headers["Content-Length"]) == BIG - half
        for block in response.iter_content(MB):
            first.update(block)
            half += len(block)
    assert (half, first.hexdigest()) == (BIG, expected)


def test_ranges_and_the_zip_from_the_encrypted_store(live, tmp_path):
    app, services, base = live
    one, two = os.urandom(300_000), os.urandom(70_000)
    one, two = b"%PDF-1.4\n" + one, b"%PDF-1.5\n" + two
    token, ids = make_share(app, services, [("Letter.pdf", io.BytesIO(one)), ("Letter.pdf", io.BytesIO(two))])
    browser = sign_in(base, token, services.mailer)
    url = f"{base}/documents/{token}/files/{ids[0]}"
    # Ranges that cross the store's 64 KB encryption chunks.
    for header, expected in [("bytes=0-0", one[:1]), ("bytes=-1", one[-1:]), ("bytes=65530-65545", one[65530:65546]),
                             ("bytes=131000-", one[131000:])]:
        response = browser.get(url, headers={"Range": header})
        assert (response.status_code, response.content) == (206, expected), header
    response = browser.get(url, headers={"Range": f"bytes={len(one)}-"})
    assert response.status_code == 416 and response.headers["Content-Range"] == f"bytes */{len(one)}"
    response = browser.get(f"{base}/documents/{token}/files/all.zip")
    assert response.status_code == 200 and int(response.headers["Content-Length"]) == len(response.content)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["Letter.pdf", "Letter (2).pdf"]
        assert (archive.read("Letter.pdf"), archive.read("Letter (2).pdf")) == (one, two)
    # Signed out: the same browser gets nothing more.
    page = browser.get(f"{base}/documents/{token}/files")
    csrf = BeautifulSoup(page.text, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]
    browser.post(f"{base}/documents/{token}/sign-out", data={"csrf_token": csrf})
    response = browser.get(url, allow_redirects=False)
    assert response.status_code == 302 and b"%PDF" not in response.content


def test_a_download_under_way_stops_soon_after_the_share_is_revoked(live, tmp_path):
    app, services, base = live
    size = 64 * MB
    source = tmp_path / "big.pdf"
    write_pdf(source, size)
    with open(source, "rb") as stream:
        token, (document_id,) = make_share(app, services, [("John Smith medical records.pdf", stream)])
    browser = sign_in(base, token, services.mailer)
    received = 0
    with browser.get(f"{base}/documents/{token}/files/{document_id}", stream=True) as response:
        assert response.status_code == 200 and response.headers["Content-Length"] == str(size)
        blocks = response.iter_content(64 * 1024)
        while received < MB:
            received += len(next(blocks))
        with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
            service.revoke(session, session.get(Share, token_share_id(app, token)), services.clock.now())
            session.commit()
        at_revoke = received
        # the server is blocked on full socket buffers meanwhile; its next chunk is due a check
        time.sleep(downloads.CHECK_EVERY * 1.5)
        with pytest.raises(requests.exceptions.ChunkedEncodingError):  # cut short: never mistaken for the whole file
            for block in blocks:
                received += len(block)
    assert received - at_revoke < 16 * MB, f"{(received - at_revoke) / MB:.1f} MB arrived after the revoke"
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        stopped = session.query(ShareEvent).filter_by(kind="download stopped").one()
    assert (stopped.document_id, stopped.detail["reason"], stopped.detail["of"]) == (document_id, "revoked", size)
    assert received <= stopped.detail["bytes"] < at_revoke + 16 * MB


def token_share_id(app, token: str) -> str:
    return links.read_token(app.config["PORTAL_SETTINGS"].secret_key, token, service.LINK_MAX_AGE)[0]
