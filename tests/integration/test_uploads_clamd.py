"""Capture uploads through a real clamd and the real encrypted local file store."""
from __future__ import annotations

import hashlib
import io

import pytest

from portal.adapters.scan_clamd import ClamdScanner
from portal.adapters.store_local import LocalFileStore
from portal.uploads import CONTAINS_VIRUS, NOT_CHECKED, UploadNotChecked, UploadRejected, accept_upload
from tests.support.clamd import ClamdServer, clamd_server, running_clamd  # noqa: F401

pytestmark = pytest.mark.integration

# The standard anti-virus test file, assembled so this source file is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
KEK = bytes(range(32))
DRAFT = "5e1c0ffee0ddba11cafe5eed5a1ad000"
MiB = 1024 * 1024


@pytest.fixture
def store(tmp_path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files", KEK)


@pytest.fixture
def scanner(clamd_server: ClamdServer) -> ClamdScanner:
    return ClamdScanner(socket_path=clamd_server.socket_path, timeout=60)


def spool_beside(store: LocalFileStore):
    """The upload spool beside the file store, as both are under var/ (called outside an app, it is passed)."""
    return store.root.parent / "spool"


def stored_files(store: LocalFileStore) -> list:
    return [path for path in store.root.rglob("*") if path.is_file()]


def test_a_clean_pdf_is_scanned_and_stored_encrypted(store, scanner):
    accepted = accept_upload(io.BytesIO(PDF), "Letter.PDF", draft_id=DRAFT, store=store, scanner=scanner, spool=spool_beside(store))

    assert (accepted.extension, accepted.content_type, accepted.scanned) == ("pdf", "application/pdf", True)
    assert b"".join(store.open(accepted.store_key)) == PDF
    assert PDF not in stored_files(store)[0].read_bytes()  # encrypted at rest


def test_a_large_clean_file_spooled_to_disk_is_stored_whole(store, scanner):
    data = PDF + b"%" + b"clean report text\n" * (3 * MiB // 18)

    accepted = accept_upload(io.BytesIO(data), "report.pdf", draft_id=DRAFT, store=store, scanner=scanner, spool=spool_beside(store))

    assert accepted.size == len(data) == store.size(accepted.store_key)
    assert accepted.sha256 == hashlib.sha256(b"".join(store.open(accepted.store_key))).hexdigest()


@pytest.mark.parametrize("padding", [0, 2 * MiB], ids=["eicar-alone", "eicar-after-2mb-of-text"])
def test_eicar_in_a_text_file_is_rejected_as_a_virus_and_not_stored(padding, store, scanner):
    data = b"notes\n" * (padding // 6) + EICAR

    with pytest.raises(UploadRejected) as caught:
        accept_upload(io.BytesIO(data), "notes.txt", draft_id=DRAFT, store=store, scanner=scanner, spool=spool_beside(store))

    assert caught.value.message == CONTAINS_VIRUS
    assert stored_files(store) == []


def test_when_clamd_is_stopped_the_file_could_not_be_checked(store):
    with running_clamd() as server:
        scanner = ClamdScanner(socket_path=server.socket_path, timeout=5)
        accept_upload(io.BytesIO(PDF), "before.pdf", draft_id=DRAFT, store=store, scanner=scanner, spool=spool_beside(store))
    before = stored_files(store)

    with pytest.raises(UploadNotChecked) as caught:
        accept_upload(io.BytesIO(PDF), "after.pdf", draft_id=DRAFT, store=store, scanner=scanner, spool=spool_beside(store))

    assert caught.value.message == NOT_CHECKED
    assert stored_files(store) == before
