"""clamd's INSTREAM protocol: reply parsing, framing and failure handling, against a fake clamd."""
from __future__ import annotations

import io
import logging
import socket
import struct
import threading
from pathlib import Path
from typing import Callable, Iterator

import pytest

from portal.adapters.ports import ScanResult
from portal.adapters.scan_clamd import ClamdReplyError, ClamdScanner, DevelopmentNoScanner, parse_scan_reply
from portal.exceptions import ScannerUnavailable


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (b"stream: OK", ScanResult(clean=True)),
        (b"stream: OK\0", ScanResult(clean=True)),
        (b"stream: OK\n", ScanResult(clean=True)),
        (b"stream: Win.Test.EICAR_HDB-1 FOUND", ScanResult(clean=False, signature="Win.Test.EICAR_HDB-1")),
        (b"stream: Portal.Test.EICAR.UNOFFICIAL FOUND\0", ScanResult(clean=False, signature="Portal.Test.EICAR.UNOFFICIAL")),
    ],
)
def test_verdicts_are_parsed(reply, expected):
    assert parse_scan_reply(reply) == expected


@pytest.mark.parametrize(
    "reply",
    [
        b"INSTREAM size limit exceeded. ERROR",
        b"stream: Can't allocate memory ERROR",
        b"UNKNOWN COMMAND",
        b"stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND",
        b"stream: FOUND",
        b"",
        b"PONG",
        b"\xff\xfe garbage",
        b"1: stream: OK",
    ],
)
def test_anything_but_a_verdict_is_an_error(reply):
    with pytest.raises(ClamdReplyError):
        parse_scan_reply(reply)


class FakeClamd:
    """A unix-socket server that records what a client sends and answers with `respond`."""

    def __init__(self, path: Path, respond: Callable[[bytes, socket.socket], None], read_all: bool = True):
        self.path = str(path)
        self.respond = respond
        self.read_all = read_all
        self.received = b""
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(self.path)
        self._listener.listen(1)
        self._thread = threading.Thread(target=self._serve_one, daemon=True)
        self._thread.start()

    def _serve_one(self) -> None:
        connection, _ = self._listener.accept()
        with connection:
            self.received = _read_instream(connection) if self.read_all else connection.recv(64)
            self.respond(self.received, connection)

    def close(self) -> None:
        self._thread.join(timeout=5)
        self._listener.close()


def _read_instream(connection: socket.socket) -> bytes:
    """Read a command and, for INSTREAM, its chunks up to the zero-length terminator."""
    data = b""
    while not data.endswith(b"\0"):
        data += connection.recv(1)
    if data != b"zINSTREAM\0":
        return data
    while True:
        header = _recv_exactly(connection, 4)
        data += header
        (length,) = struct.unpack(">I", header)
        if length == 0:
            return data
        data += _recv_exactly(connection, length)


def _recv_exactly(connection: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        part = connection.recv(count - len(data))
        if not part:
            raise ConnectionError("client hung up")
        data += part
    return data


@pytest.fixture
def fake_clamd(tmp_path: Path) -> Iterator[Callable[..., FakeClamd]]:
    servers: list[FakeClamd] = []

    def start(respond: Callable[[bytes, socket.socket], None], read_all: bool = True) -> FakeClamd:
        servers.append(FakeClamd(tmp_path / "clamd.sock", respond, read_all))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def answer(reply: bytes) -> Callable[[bytes, socket.socket], None]:
    return lambda _received, connection: connection.sendall(reply)


def test_stream_is_sent_as_length_prefixed_chunks(fake_clamd):
    server = fake_clamd(answer(b"stream: OK\0"))
    scanner = ClamdScanner(socket_path=server.path, timeout=5, chunk_size=4)

    result = scanner.scan(io.BytesIO(b"abcdefghij"))
    server.close()

    assert result.clean is True
    assert server.received == (
        b"zINSTREAM\0"
        + b"\0\0\0\x04abcd" + b"\0\0\0\x04efgh" + b"\0\0\0\x02ij"
        + b"\0\0\0\0"
    )


@pytest.mark.parametrize(
    "reply", [b"stream: Some failure ERROR\0", b"what?\0", b"", b"stream: OK"[:7]], ids=["error", "garbage", "hang-up", "truncated"]
)
def test_no_verdict_raises_scanner_unavailable(fake_clamd, reply):
    server = fake_clamd(answer(reply))
    stream = io.BytesIO(b"content")

    with pytest.raises(ScannerUnavailable):
        ClamdScanner(socket_path=server.path, timeout=5).scan(stream)

    assert stream.tell() == 0


def test_clamd_hanging_up_mid_stream_is_unavailable_with_its_reason(fake_clamd):
    # like clamd over StreamMaxLength: it answers and closes while the client is still sending
    server = fake_clamd(answer(b"INSTREAM size limit exceeded. ERROR\0"), read_all=False)
    stream = io.BytesIO(b"x" * (8 * 1024 * 1024))

    with pytest.raises(ScannerUnavailable) as raised:
        ClamdScanner(socket_path=server.path, timeout=5).scan(stream)

    assert "INSTREAM size limit exceeded" in str(raised.value.__cause__)
    assert stream.tell() == 0


def test_silent_clamd_times_out_as_unavailable(fake_clamd):
    finished = threading.Event()
    server = fake_clamd(lambda _received, _connection: finished.wait(5))

    with pytest.raises(ScannerUnavailable) as raised:
        ClamdScanner(socket_path=server.path, timeout=0.2).scan(io.BytesIO(b"content"))
    finished.set()

    assert isinstance(raised.value.__cause__, TimeoutError)


def test_ping_expects_pong(fake_clamd):
    server = fake_clamd(answer(b"PONG\0"))

    ClamdScanner(socket_path=server.path, timeout=5).ping()
    server.close()

    assert server.received == b"zPING\0"


def test_ping_with_wrong_answer_is_unavailable(fake_clamd):
    server = fake_clamd(answer(b"UNKNOWN COMMAND\0"))

    with pytest.raises(ScannerUnavailable):
        ClamdScanner(socket_path=server.path, timeout=5).ping()


def test_scanner_needs_an_address():
    with pytest.raises(ValueError):
        ClamdScanner()


@pytest.mark.parametrize("reply", [b"stream: OK\0", b"stream: Eicar FOUND\0", b"stream: broken ERROR\0"])
def test_scan_logs_name_no_file(fake_clamd, caplog, reply):
    server = fake_clamd(answer(reply))
    stream = io.BytesIO(b"content")
    stream.name = "Jane Smith medical records.pdf"
    caplog.set_level(logging.DEBUG)

    try:
        ClamdScanner(socket_path=server.path, timeout=5).scan(stream)
    except ScannerUnavailable:
        pass

    assert caplog.records
    assert "Jane Smith" not in caplog.text


def test_development_no_scanner_passes_unscanned_and_warns_every_time(caplog):
    scanner = DevelopmentNoScanner()

    with caplog.at_level(logging.WARNING):
        first = scanner.scan(io.BytesIO(b"anything"))
        second = scanner.scan(io.BytesIO(b"anything"))

    assert first == second == ScanResult(clean=True, scanned=False)
    assert scanner.configured is False
    assert [r.levelno for r in caplog.records].count(logging.WARNING) == 2
    assert all("virus scanning is OFF" in r.getMessage() for r in caplog.records)


def test_development_no_scanner_fails_health_check():
    with pytest.raises(ScannerUnavailable, match="no virus scanner configured"):
        DevelopmentNoScanner().ping()
