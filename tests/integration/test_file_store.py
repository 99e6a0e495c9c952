"""Both FileStore adapters against real storage: a local folder, and the S3 API of moto_server."""
from __future__ import annotations

import dataclasses
import hashlib
import io
import random
import stat
import tracemalloc
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest

from portal.adapters.envelope import (
    CHUNK_SIZE,
    HEADER_SIZE,
    MAGIC,
    TAG_SIZE,
    IntegrityError,
    InvalidKey,
    KeyMismatch,
    RangeNotSatisfiable,
    StoredFileNotFound,
)
from portal.adapters.ports import FileStore, StoredFile
from portal.adapters.store_local import LocalFileStore
from portal.adapters.store_s3 import MIN_PART_SIZE, S3FileStore
from portal.exceptions import FileStoreError, NotFound
from tests.support.s3 import create_bucket, free_tcp_port, moto_endpoint, s3_client  # noqa: F401

pytestmark = pytest.mark.integration

KEK = bytes(range(32))
OTHER_KEK = bytes(range(100, 132))
MB = 1024 * 1024
MARKER = b"FOI-2024-000123 Jane Citizen, 1 Example Street"


@dataclasses.dataclass
class StoreUnderTest:
    """A store plus raw access to what it keeps at rest, for the checks a store cannot make of itself."""

    name: str
    store: FileStore
    read_raw: Callable[[str], bytes]
    write_raw: Callable[[str, bytes], None]
    make: Callable[..., FileStore]  # another store on the same storage, e.g. with another KEK


def local_store(root: Path) -> StoreUnderTest:
    def make(kek: bytes = KEK) -> FileStore:
        return LocalFileStore(root, kek)

    return StoreUnderTest(
        "local", make(), lambda key: (root / key).read_bytes(), lambda key, data: (root / key).write_bytes(data), make
    )


def s3_store(endpoint: str) -> StoreUnderTest:
    client = s3_client(endpoint)
    bucket = create_bucket(client, f"test-{uuid.uuid4().hex[:16]}")

    def make(kek: bytes = KEK, **options) -> FileStore:
        return S3FileStore(bucket, kek, client=client, **options)

    def read_raw(key: str) -> bytes:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def write_raw(key: str, data: bytes) -> None:
        client.put_object(Bucket=bucket, Key=key, Body=data)

    return StoreUnderTest("s3", make(), read_raw, write_raw, make)


@pytest.fixture(params=["local", "s3"])
def subject(request, tmp_path) -> StoreUnderTest:
    if request.param == "local":
        return local_store(tmp_path / "files")
    return s3_store(request.getfixturevalue("moto_endpoint"))


@pytest.fixture
def store(subject) -> FileStore:
    return subject.store


def read(store: FileStore, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join(store.open(key, start, end))


def sample(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


# --- the port's contract ------------------------------------------------------------------------


def test_both_adapters_implement_the_port(store):
    assert isinstance(store, FileStore)


@pytest.mark.parametrize("size", [1, 1000, CHUNK_SIZE, 3 * CHUNK_SIZE + 7])
def test_round_trip(store, size):
    data = sample(size)

    stored = store.put("cases/FOI-1/response.pdf", io.BytesIO(data))

    assert stored == StoredFile("cases/FOI-1/response.pdf", size, hashlib.sha256(data).hexdigest())
    assert read(store, "cases/FOI-1/response.pdf") == data
    assert store.size("cases/FOI-1/response.pdf") == size
    assert store.exists("cases/FOI-1/response.pdf")


def test_range_reads(store):
    data = sample(3 * CHUNK_SIZE + 100)
    store.put("doc", io.BytesIO(data))
    last = len(data) - 1

    assert read(store, "doc", 0, 0) == data[:1]
    assert read(store, "doc", last, last) == data[-1:]
    assert read(store, "doc", last) == data[-1:]
    assert read(store, "doc", CHUNK_SIZE - 10, 2 * CHUNK_SIZE + 9) == data[CHUNK_SIZE - 10 : 2 * CHUNK_SIZE + 10]
    assert read(store, "doc", CHUNK_SIZE, 2 * CHUNK_SIZE - 1) == data[CHUNK_SIZE : 2 * CHUNK_SIZE]
    assert read(store, "doc", 0, last) == data
    assert read(store, "doc", 5, last + 1000) == data[5:]  # an end past the file is clamped
    with pytest.raises(RangeNotSatisfiable):
        store.open("doc", len(data))


def test_empty_file(store):
    stored = store.put("empty", io.BytesIO(b""))

    assert stored == StoredFile("empty", 0, hashlib.sha256(b"").hexdigest())
    assert read(store, "empty") == b""
    assert store.size("empty") == 0
    assert store.exists("empty")


def test_missing_key(store):
    assert not store.exists("never/stored")
    for attempt in (lambda: store.open("never/stored"), lambda: store.size("never/stored")):
        with pytest.raises(StoredFileNotFound) as raised:
            attempt()
        assert isinstance(raised.value, NotFound)
        assert raised.value.status_code == 404


def test_a_missing_key_is_reported_when_open_is_called_not_later(store):
    with pytest.raises(StoredFileNotFound):
        store.open("never/stored")  # before iteration: a view can answer 404 before starting a response


def test_delete(store):
    store.put("shares/abc/1", io.BytesIO(b"to be removed"))
    store.put("shares/abc/2", io.BytesIO(b"to be kept"))

    store.delete("shares/abc/1")
    store.delete("shares/abc/1")  # deleting twice is not an error

    assert not store.exists("shares/abc/1")
    with pytest.raises(StoredFileNotFound):
        store.open("shares/abc/1")
    assert read(store, "shares/abc/2") == b"to be kept"


def test_put_replaces_a_file(store):
    store.put("doc", io.BytesIO(b"first version"))
    store.put("doc", io.BytesIO(b"second"))

    assert read(store, "doc") == b"second"
    assert store.size("doc") == 6


def test_ping(store):
    store.ping()


@pytest.mark.parametrize(
    "key", ["../outside", "a/../../outside", "/etc/passwd", "a\\..\\b", "a\x00b", "..", "a//b", ".tmp", "é"]
)
def test_keys_that_could_escape_the_store_are_refused(subject, tmp_path, key):
    store = subject.store
    with pytest.raises(InvalidKey):
        store.put(key, io.BytesIO(b"x"))
    for operation in (store.open, store.size, store.exists, store.delete):
        with pytest.raises(InvalidKey):
            operation(key)
    if subject.name == "local":
        assert list(tmp_path.rglob("*")) == [tmp_path / "files"]  # nothing written anywhere


# --- at rest ------------------------------------------------------------------------------------


def test_files_are_encrypted_at_rest(subject):
    data = (MARKER + b"\n") * 5000
    subject.store.put("cases/FOI-2/request.txt", io.BytesIO(data))

    raw = subject.read_raw("cases/FOI-2/request.txt")

    assert raw.startswith(MAGIC)
    assert MARKER not in raw
    assert MARKER[:16] not in raw
    assert read(subject.store, "cases/FOI-2/request.txt") == data


def test_a_file_altered_at_rest_is_refused(subject):
    subject.store.put("doc", io.BytesIO(sample(2 * CHUNK_SIZE)))
    raw = bytearray(subject.read_raw("doc"))
    raw[len(raw) // 2] ^= 0x01
    subject.write_raw("doc", bytes(raw))

    with pytest.raises(IntegrityError):
        read(subject.store, "doc")


def test_a_truncated_file_is_refused(subject):
    subject.store.put("doc", io.BytesIO(sample(3 * CHUNK_SIZE)))
    raw = subject.read_raw("doc")
    subject.write_raw("doc", raw[: len(raw) - CHUNK_SIZE - 16])  # exactly one whole chunk dropped

    with pytest.raises(IntegrityError):
        read(subject.store, "doc")


def test_a_file_from_another_kek_is_refused(subject):
    subject.make(OTHER_KEK).put("doc", io.BytesIO(b"sealed under another key"))

    with pytest.raises(KeyMismatch):
        subject.store.open("doc")


def test_a_file_replaced_while_being_read_fails_cleanly(store):
    store.put("doc", io.BytesIO(b"first version"))
    reader = store.open("doc")
    store.put("doc", io.BytesIO(b"second version"))

    with pytest.raises(FileStoreError) as raised:
        b"".join(reader)
    assert not isinstance(raised.value, IntegrityError)  # a race, not tampering


class FailingStream(io.RawIOBase):
    """An upload whose sender goes away part way through."""

    def __init__(self, good_bytes: int):
        self._left = good_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._left <= 0:
            raise ConnectionResetError("the client went away")
        count = min(len(buffer), self._left)
        buffer[:count] = b"\x01" * count
        self._left -= count
        return count


def test_a_failed_upload_keeps_the_previous_version(store):
    store.put("doc", io.BytesIO(b"the version before"))

    with pytest.raises(ConnectionResetError):  # the caller's own error, not dressed up as the store's
        store.put("doc", FailingStream(3 * CHUNK_SIZE))

    assert read(store, "doc") == b"the version before"


@pytest.mark.parametrize("raw", [b"", b"PFSE", b"%PDF-1.7\n" + bytes(200)], ids=["empty", "short", "pdf"])
def test_an_object_the_store_did_not_write_is_refused(subject, raw):
    subject.store.put("doc", io.BytesIO(b"placeholder"))
    subject.write_raw("doc", raw)

    with pytest.raises(IntegrityError):
        subject.store.open("doc")
    with pytest.raises(IntegrityError):
        subject.store.size("doc")


# --- adapter specifics --------------------------------------------------------------------------


def test_local_files_and_folders_are_private(tmp_path):
    store = LocalFileStore(tmp_path / "files", KEK)
    store.put("shares/abc/report.pdf", io.BytesIO(b"x"))

    assert stat.S_IMODE((tmp_path / "files" / "shares/abc/report.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "files" / "shares/abc").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "files" / "shares").stat().st_mode) == 0o700


def test_local_failed_upload_leaves_no_temporary_file(tmp_path):
    store = LocalFileStore(tmp_path / "files", KEK)

    with pytest.raises(ConnectionResetError):
        store.put("shares/abc/doc", FailingStream(3 * CHUNK_SIZE))

    assert list((tmp_path / "files" / "shares/abc").iterdir()) == []


def test_local_ping_fails_when_the_folder_is_gone(tmp_path):
    store = LocalFileStore(tmp_path / "files", KEK)
    (tmp_path / "files").rmdir()

    with pytest.raises(FileStoreError):
        store.ping()


def test_local_key_under_an_existing_file_is_a_store_error(tmp_path):
    store = LocalFileStore(tmp_path / "files", KEK)
    store.put("a", io.BytesIO(b"x"))

    with pytest.raises(FileStoreError):
        store.put("a/b", io.BytesIO(b"y"))
    with pytest.raises(StoredFileNotFound):
        store.open("a/b")


def requests_made(store: S3FileStore, operation: str) -> list:
    """Record the requests the store's client sends for one S3 operation."""
    sent: list = []
    store._client.meta.events.register(f"before-send.s3.{operation}", lambda request, **_: sent.append(request))
    return sent


def test_s3_multipart_upload_round_trip(moto_endpoint):  # noqa: F811
    subject = s3_store(moto_endpoint)
    store = subject.make(part_size=MIN_PART_SIZE)
    parts = requests_made(store, "UploadPart")
    data = sample(12 * MB + 5)

    stored = store.put("big", io.BytesIO(data))

    assert len(parts) == 3
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert read(store, "big") == data
    assert read(store, "big", 5 * MB - 3, 10 * MB + 3) == data[5 * MB - 3 : 10 * MB + 4]


def test_s3_small_files_take_one_request(moto_endpoint):  # noqa: F811
    store = s3_store(moto_endpoint).store
    multipart = requests_made(store, "CreateMultipartUpload")

    store.put("small", io.BytesIO(sample(3 * MB)))

    assert multipart == []
    assert store.size("small") == 3 * MB


def test_s3_range_read_fetches_only_the_chunks_it_needs(moto_endpoint):  # noqa: F811
    store = s3_store(moto_endpoint).store
    data = sample(10 * CHUNK_SIZE)
    store.put("doc", io.BytesIO(data))
    gets = requests_made(store, "GetObject")
    record = CHUNK_SIZE + TAG_SIZE

    start, end = 4 * CHUNK_SIZE + 10, 5 * CHUNK_SIZE + 9
    assert read(store, "doc", start, end) == data[start : end + 1]

    first = HEADER_SIZE + 4 * record
    assert [request.headers["Range"] for request in gets] == [
        f"bytes=0-{HEADER_SIZE - 1}".encode(),  # the header and, from Content-Range, the size
        f"bytes={first}-{first + 2 * record - 1}".encode(),  # chunks 4 and 5 only
    ]


def test_s3_failed_upload_is_aborted(moto_endpoint):  # noqa: F811
    client = s3_client(moto_endpoint)
    bucket = create_bucket(client, f"test-{uuid.uuid4().hex[:16]}")
    store = S3FileStore(bucket, KEK, client=client, part_size=MIN_PART_SIZE)

    with pytest.raises(ConnectionResetError):
        store.put("doc", FailingStream(12 * MB))

    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert not store.exists("doc")


def test_s3_ping_fails_for_a_missing_bucket(moto_endpoint):  # noqa: F811
    store = S3FileStore("no-such-bucket", KEK, client=s3_client(moto_endpoint))

    with pytest.raises(FileStoreError):
        store.ping()
    with pytest.raises(FileStoreError):
        store.put("doc", io.BytesIO(b"x"))


def test_s3_unreachable_is_a_store_error():
    store = S3FileStore("portal-files", KEK, client=s3_client(f"http://127.0.0.1:{free_tcp_port()}"))

    with pytest.raises(FileStoreError):
        store.ping()
    with pytest.raises(FileStoreError):
        store.open("doc")


def test_s3_store_builds_its_own_client_for_an_endpoint(moto_endpoint, monkeypatch):  # noqa: F811
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    bucket = create_bucket(s3_client(moto_endpoint), f"test-{uuid.uuid4().hex[:16]}")
    store = S3FileStore(bucket, KEK, endpoint_url=moto_endpoint)

    store.ping()
    store.put("doc", io.BytesIO(b"through the adapter's own client"))
    assert read(store, "doc") == b"through the adapter's own client"


# --- large files stream -------------------------------------------------------------------------

LARGE_SIZE = 200 * MB
LARGE_BLOCK = MB
MEMORY_LIMIT = 40 * MB


def large_blocks() -> Iterator[bytes]:
    """200 MB of distinct 1 MB blocks, produced one at a time."""
    base = random.Random(2024).randbytes(LARGE_BLOCK)
    for index in range(LARGE_SIZE // LARGE_BLOCK):
        yield index.to_bytes(8, "big") + base[8:]


class GeneratedStream(io.RawIOBase):
    """A file-like view of a generator: a large upload that never exists whole in memory."""

    def __init__(self, blocks: Iterator[bytes]):
        self._blocks = blocks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._pending = memoryview(block)
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


def peak_growth(action: Callable[[], object]) -> tuple[object, int]:
    """Run action and return its result and the peak Python heap growth while it ran."""
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        result = action()
        return result, tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()


def digest_of(pieces) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for piece in pieces:
        digest.update(piece)
        size += len(piece)
    return digest.hexdigest(), size


def test_a_200_mb_file_streams_in_and_out_in_bounded_memory(store):
    expected_sha256, _ = digest_of(large_blocks())

    def upload() -> StoredFile:
        with GeneratedStream(large_blocks()) as stream:
            return store.put("large/file.bin", stream)

    stored, put_growth = peak_growth(upload)
    (sha256, size), get_growth = peak_growth(lambda: digest_of(store.open("large/file.bin")))

    assert stored == StoredFile("large/file.bin", LARGE_SIZE, expected_sha256)
    assert (sha256, size) == (expected_sha256, LARGE_SIZE)
    assert put_growth < MEMORY_LIMIT, f"put grew the heap by {put_growth / MB:.1f} MB"
    assert get_growth < MEMORY_LIMIT, f"open grew the heap by {get_growth / MB:.1f} MB"
    middle = LARGE_SIZE // 2
    assert read(store, "large/file.bin", middle, middle + 2 * MB - 1) == b"".join(large_blocks_between(middle, 2 * MB))


def large_blocks_between(start: int, length: int) -> Iterator[bytes]:
    """The expected bytes of a range of the large file, from its generator."""
    position = 0
    for block in large_blocks():
        low, high = max(start, position), min(start + length, position + len(block))
        if low < high:
            yield block[low - position : high - position]
        position += len(block)
        if position >= start + length:
            return
