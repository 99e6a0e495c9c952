"""ClamdScanner against a real clamd loaded with the project's EICAR signature DB."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator

import pytest

from portal.adapters.scan_clamd import ClamdReplyError, ClamdScanner
from portal.exceptions import ScannerUnavailable
from tests.support.clamd import ClamdServer, clamd_server, free_tcp_port, running_clamd  # noqa: F401

pytestmark = pytest.mark.integration

# The standard anti-virus test file, assembled so this source file is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MB = 1024 * 1024


class GeneratedStream(io.RawIOBase):
    """A large, non-seekable upload produced a block at a time, never whole in memory."""

    def __init__(self, size: int, tail: bytes = b"", block: bytes = b"clean report text\n" * 4096):
        self._chunks = self._generate(size - len(tail), block, tail)
        self._pending = b""

    @staticmethod
    def _generate(size: int, block: bytes, tail: bytes) -> Iterator[bytes]:
        while size > 0:
            piece = block[:size]
            size -= len(piece)
            yield piece
        if tail:
            yield tail

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._pending:
            self._pending = next(self._chunks, b"")
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


@pytest.fixture(params=["unix", "tcp"])
def scanner(request, clamd_server: ClamdServer) -> ClamdScanner:
    if request.param == "unix":
        return ClamdScanner(socket_path=clamd_server.socket_path, timeout=60)
    return ClamdScanner(host="127.0.0.1", port=clamd_server.tcp_port, timeout=60)


def test_eicar_is_found_with_its_signature_name(scanner):
    result = scanner.scan(io.BytesIO(EICAR))

    assert result.clean is False
    assert result.signature == "Portal.Test.EICAR.UNOFFICIAL"
    assert result.scanned is True


def test_clean_file_is_clean(scanner):
    result = scanner.scan(io.BytesIO(b"%PDF-1.7\nA response to a freedom of information request.\n"))

    assert result.clean is True
    assert result.signature is None


def test_empty_file_is_clean(scanner):
    assert scanner.scan(io.BytesIO(b"")).clean is True


def test_150mb_clean_stream_is_clean(scanner):
    stream = GeneratedStream(150 * MB)

    assert scanner.scan(stream).clean is True
    assert stream.read(1) == b""  # the whole stream was sent


def test_eicar_at_the_end_of_150mb_is_found(clamd_server):
    """The limits let clamd read to the very end of a large upload."""
    scanner = ClamdScanner(socket_path=clamd_server.socket_path, timeout=60)

    result = scanner.scan(GeneratedStream(150 * MB, tail=EICAR))

    assert result.signature == "Portal.Test.EICAR.UNOFFICIAL"


def test_stream_is_scanned_from_the_start_and_rewound(scanner):
    stream = io.BytesIO(EICAR + b"\nrest of the file\n")
    stream.read()  # e.g. a validator that already read the upload

    result = scanner.scan(stream)

    assert result.clean is False
    assert stream.tell() == 0


def test_ping_answers(scanner):
    scanner.ping()


@pytest.fixture(scope="module")
def small_clamd() -> Iterator[ClamdServer]:
    with running_clamd({"StreamMaxLength": "1M", "MaxFileSize": "256K", "MaxScanSize": "256K"}) as server:
        yield server


@pytest.mark.parametrize(
    ("size", "reason"),
    [(300 * 1024, "Heuristics.Limits.Exceeded.MaxFileSize"), (4 * MB, "INSTREAM size limit exceeded")],
    ids=["over MaxFileSize", "over StreamMaxLength"],
)
@pytest.mark.parametrize("transport", ["unix", "tcp"])
def test_file_over_clamd_limits_is_unavailable_not_clean(small_clamd, size, reason, transport):
    if transport == "unix":
        scanner = ClamdScanner(socket_path=small_clamd.socket_path, timeout=30)
    else:
        scanner = ClamdScanner(host="127.0.0.1", port=small_clamd.tcp_port, timeout=30)
    stream = io.BytesIO(b"x" * size)

    with pytest.raises(ScannerUnavailable) as raised:
        scanner.scan(stream)

    assert isinstance(raised.value.__cause__, ClamdReplyError)
    assert reason in str(raised.value.__cause__)
    assert stream.tell() == 0


def test_stopped_clamd_is_unavailable():
    with running_clamd() as server:
        unix = ClamdScanner(socket_path=server.socket_path, timeout=5)
        tcp = ClamdScanner(host="127.0.0.1", port=server.tcp_port, timeout=5)
        assert unix.scan(io.BytesIO(b"hello")).clean is True

    for scanner in (unix, tcp):
        with pytest.raises(ScannerUnavailable):
            scanner.scan(io.BytesIO(b"hello"))
        with pytest.raises(ScannerUnavailable):
            scanner.ping()


def test_missing_socket_is_unavailable_and_stream_rewound(tmp_path: Path):
    scanner = ClamdScanner(socket_path=str(tmp_path / "no-clamd.sock"), timeout=5)
    stream = io.BytesIO(b"hello")
    stream.read()

    with pytest.raises(ScannerUnavailable):
        scanner.scan(stream)

    assert stream.tell() == 0


def test_unused_tcp_port_is_unavailable():
    scanner = ClamdScanner(host="127.0.0.1", port=free_tcp_port(), timeout=5)

    with pytest.raises(ScannerUnavailable):
        scanner.scan(io.BytesIO(b"hello"))
