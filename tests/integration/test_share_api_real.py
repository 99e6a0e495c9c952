"""Documents through the Secure Share API with the real components: clamd, the encrypted local store,
the S3 API on moto_server, and a real HTTP server taking a 300 MB streamed upload in little memory."""
from __future__ import annotations

import hashlib
import http.client
import json
import threading
import tracemalloc
import uuid
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.adapters.scan_clamd import ClamdScanner
from portal.adapters.store_local import LocalFileStore
from portal.adapters.store_s3 import S3FileStore
from portal.services import Services, SystemClock
from tests.conftest import make_settings
from tests.fakes import FakeCaseSystem, FakeMailer, FakePostcodes, FakeWebhooks
from tests.share_api_helpers import EICAR, PDF, ShareApi, links_in
from tests.support.clamd import ClamdServer, clamd_server  # noqa: F401
from tests.support.s3 import create_bucket, moto_endpoint, s3_client  # noqa: F401

pytestmark = pytest.mark.integration

KEK = bytes(range(32))
MiB = 1024 * 1024
LARGE = 300 * MiB


@pytest.fixture(autouse=True)
def _no_rate_limits():
    from portal.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


@pytest.fixture
def scanner(clamd_server: ClamdServer) -> ClamdScanner:  # noqa: F811
    return ClamdScanner(socket_path=clamd_server.socket_path, timeout=120)


def real_app(tmp_path: Path, store, scanner):
    from portal.app import create_app

    services = Services(store=store, mailer=FakeMailer(), scanner=scanner, postcodes=FakePostcodes(),
                        case_system=FakeCaseSystem(), clock=SystemClock(), webhooks=FakeWebhooks())
    application = create_app(make_settings(tmp_path), services)
    application.extensions["portal.db"].upgrade()
    return application


@pytest.fixture
def local_store(tmp_path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files", KEK)


@pytest.fixture
def s3_store(moto_endpoint) -> tuple[S3FileStore, object, str]:  # noqa: F811
    client = s3_client(moto_endpoint)
    bucket = create_bucket(client, f"shares-{uuid.uuid4().hex[:12]}")
    return S3FileStore(bucket, KEK, client=client), client, bucket


def local_files(store: LocalFileStore) -> list[Path]:
    return [path for path in store.root.rglob("*") if path.is_file()]


def s3_keys(client, bucket: str) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def check_eicar_refused_and_clean_accepted(application, list_stored):
    api = ShareApi(application)
    share = api.create()
    refused = api.upload(share["id"], b"Case notes\n" * 1000 + EICAR, filename="notes.txt")
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    assert refused.json["detail"] == "The selected file contains a virus"
    assert list_stored() == [] and api.call("GET", f"/shares/{share['id']}").json["documents"] == []
    accepted = api.upload(share["id"], PDF, filename="Response letter.pdf")
    assert accepted.status_code == 201, accepted.json
    assert accepted.json["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert len(list_stored()) == 1
    sent = api.call("POST", f"/shares/{share['id']}/send")
    assert sent.status_code == 200 and len(links_in(application.extensions["portal.services"].mailer)) == 1
    return accepted.json


def test_eicar_is_refused_and_a_clean_pdf_stored_encrypted_on_local_disk(tmp_path, local_store, scanner):
    application = real_app(tmp_path, local_store, scanner)
    document = check_eicar_refused_and_clean_accepted(application, lambda: local_files(local_store))
    [stored] = local_files(local_store)
    assert PDF not in stored.read_bytes()  # encrypted at rest
    key = stored.relative_to(local_store.root).as_posix()
    assert b"".join(local_store.open(key)) == PDF and document["size"] == len(PDF)
    application.extensions["portal.db"].dispose()


def test_eicar_is_refused_and_a_clean_pdf_stored_on_the_s3_api(tmp_path, s3_store, scanner):
    store, client, bucket = s3_store
    application = real_app(tmp_path, store, scanner)
    check_eicar_refused_and_clean_accepted(application, lambda: s3_keys(client, bucket))
    [key] = s3_keys(client, bucket)
    raw = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert PDF not in raw and b"".join(store.open(key)) == PDF
    application.extensions["portal.db"].dispose()


def test_a_scanner_that_is_not_there_is_503_and_nothing_is_stored(tmp_path, local_store):
    application = real_app(tmp_path, local_store, ClamdScanner(socket_path=str(tmp_path / "no-clamd.sock")))
    api = ShareApi(application)
    share = api.create()
    response = api.upload(share["id"])
    assert response.status_code == 503 and "could not be checked for viruses" in response.json["detail"]
    assert local_files(local_store) == []
    application.extensions["portal.db"].dispose()


# A large document through a real HTTP server -----------------------------------------------

def peak_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM in /proc/self/status")


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # Linux: the peak starts again from the current size
        return True
    except OSError:
        return False


def large_pdf_body(total: int):
    """PDF header then padding, in 1 MiB pieces of one reused buffer: the client holds nothing either."""
    block = (b"%" + b"padding line of a large generated response document 0123456789\n" * 16_384)[:MiB]
    head = PDF + b"%" * (MiB - len(PDF))
    digest = hashlib.sha256()

    def pieces():
        sent = 0
        while sent < total:
            piece = head if sent == 0 else block
            piece = piece[: total - sent]
            digest.update(piece)
            sent += len(piece)
            yield piece

    return pieces(), digest


def test_a_300_mb_document_streams_through_the_server_in_little_memory(tmp_path, local_store, scanner):
    application = real_app(tmp_path, local_store, scanner)
    api = ShareApi(application)
    share = api.create()
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    body, digest = large_pdf_body(LARGE)
    try:
        measured_rss = reset_peak_rss()
        rss_before = peak_rss_kib()
        tracemalloc.start()
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=600)
        connection.request("POST", f"/api/v1/shares/{share['id']}/documents?filename=Medical%20records.pdf",
                           body=body, headers={**api.headers, "Content-Type": "application/pdf",
                                               "Content-Length": str(LARGE)})
        response = connection.getresponse()
        answer = json.loads(response.read())
        connection.close()
        _, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_growth = (peak_rss_kib() - rss_before) * 1024
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert response.status == 201, answer
    assert (answer["size"], answer["sha256"], answer["content_type"]) == (
        LARGE, digest.hexdigest(), "application/pdf")
    [stored] = local_files(local_store)
    assert local_store.size(stored.relative_to(local_store.root).as_posix()) == LARGE
    # Memory: a small constant, not the 300 MB document (nor the 110 MB app-wide form limit).
    assert python_peak < 32 * MiB, f"Python allocations peaked at {python_peak / MiB:.1f} MiB"
    if measured_rss:
        assert rss_growth < 64 * MiB, f"peak RSS grew by {rss_growth / MiB:.1f} MiB"
    application.extensions["portal.db"].dispose()


@pytest.mark.parametrize("nested", [False, True], ids=["in-a-zip", "in-a-zip-in-a-zip"])
def test_clamd_finds_a_virus_deflated_inside_a_zip(tmp_path, local_store, scanner, nested):
    """The test clamd scans inside archives as production's does (ScanArchive is on by default)."""
    from tests.share_samples import zip_of

    inner = zip_of({"notes.txt": b"Case notes\n" * 100 + EICAR})
    data = zip_of({"letters/inner.zip": inner}) if nested else inner
    assert EICAR not in data  # deflated: only a scanner that opens the archive sees it
    application = real_app(tmp_path, local_store, scanner)
    api = ShareApi(application)
    share = api.create()
    refused = api.upload(share["id"], data, filename="letters.zip")
    assert refused.status_code == 422, refused.json
    assert (refused.json["reason"], refused.json["detail"]) == ("virus", "The selected file contains a virus")
    assert local_files(local_store) == []
    accepted = api.upload(share["id"], zip_of({"notes.txt": b"Case notes\n" * 100}), filename="letters.zip")
    assert accepted.status_code == 201 and accepted.json["content_type"] == "application/zip"
    application.extensions["portal.db"].dispose()
