"""A large upload is spooled to disk while it is read, checked and stored: only in the portal's private folder,
never /tmp, and nothing of it is left there afterwards, whether it is accepted, refused or the scanner fails."""
from __future__ import annotations

import contextlib
import io
import os

import pytest

from portal.adapters.ports import ScanResult
from portal.exceptions import ScannerUnavailable
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.capture_helpers import csrf_from, fill
from tests.share_api_helpers import ShareApi

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LARGE_PDF = PDF + b"0" * (2 * 1024 * 1024)  # past both werkzeug's (500 KB) and the pipeline's (1 MiB) memory spool


def temporary_files() -> set[str]:
    """Where this process's open files that have no name any more are (a temporary file shows "... (deleted)")."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            target = os.readlink(f"/proc/self/fd/{fd}")
            if target.endswith(" (deleted)"):
                found.add(target)
    return found


class LookingScanner:
    """Notes where the process's temporary files are while it looks, then answers clean, virus, down or crash."""

    configured = True

    def __init__(self, verdict: str = "clean"):
        self.verdict, self.seen = verdict, set()

    def scan(self, stream) -> ScanResult:
        self.seen = temporary_files()
        if self.verdict == "down":
            raise ScannerUnavailable()
        if self.verdict == "crash":
            raise RuntimeError("the scanner crashed")
        return ScanResult(clean=self.verdict == "clean", signature="Eicar-Test-Signature" if self.verdict == "virus" else None)


@pytest.fixture(autouse=True)
def _no_rate_limits():
    from portal.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


def upload_to_capture(client, data: bytes):
    """The form posted as a browser sends it; encoded here, in memory, so the test client makes no copy of its own."""
    page = client.raw.get("/request/sar/identity")
    boundary, body = encode_multipart({"csrf_token": csrf_from(page.get_data(as_text=True)), "action": "upload",
                                       "identity": FileStorage(io.BytesIO(data), "passport.pdf")})
    return client.raw.post("/request/sar/identity", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def assert_spooled_privately_and_gone(scanner, before: set[str], settings, copies: int) -> None:
    """`copies` of the upload were on disk while it was scanned, all in the private folder, and none is left."""
    spooled = scanner.seen - before
    assert len(spooled) == copies, spooled
    assert all(path.startswith(f"{settings.spool_path}/") for path in spooled), spooled
    assert temporary_files() - before == set()  # closed, so freed
    assert list(settings.spool_path.iterdir()) == []
    assert oct(settings.spool_path.stat().st_mode & 0o777) == "0o700"


@pytest.mark.parametrize("verdict", ["clean", "virus", "down", "crash"])
def test_a_form_upload_is_spooled_only_in_the_private_folder_and_freed_on_every_path(app, client, services, settings,
                                                                                      verdict):
    fill(client, "sar", upto="identity")
    services.scanner = LookingScanner(verdict)
    before = temporary_files()
    response = upload_to_capture(client, LARGE_PDF)
    assert response.status_code == {"clean": 302, "crash": 500}.get(verdict, 200)
    # werkzeug's copy of the form's file and the upload pipeline's own
    assert_spooled_privately_and_gone(services.scanner, before, settings, copies=2)


@pytest.mark.parametrize("verdict", ["clean", "virus", "crash"])
def test_a_document_sent_to_the_share_api_is_spooled_only_in_the_private_folder(app, services, settings, verdict):
    api = ShareApi(app)
    share = api.create()
    services.scanner = LookingScanner(verdict)
    before = temporary_files()
    assert api.upload(share["id"], LARGE_PDF).status_code == {"clean": 201, "virus": 422, "crash": 500}[verdict]
    assert_spooled_privately_and_gone(services.scanner, before, settings, copies=1)  # the body is read as it comes
