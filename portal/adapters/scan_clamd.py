"""Virus scanning with clamd, spoken to directly over its INSTREAM protocol.

clamd listens on a unix socket or TCP. A scan is one connection: `zINSTREAM\\0`, then the file
as chunks each prefixed with its length (4 bytes, big-endian), then a zero-length chunk; clamd
answers one NUL-terminated line: `stream: OK`, `stream: <signature> FOUND` or `... ERROR`.
Anything but a clear verdict raises ScannerUnavailable: an upload is never passed unscanned.
"""
from __future__ import annotations

import logging
import re
import socket
import struct
import time
from typing import BinaryIO

from portal.adapters.ports import ScanResult
from portal.exceptions import ScannerUnavailable

logger = logging.getLogger(__name__)

CHUNK_SIZE = 256 * 1024
_MAX_REPLY = 4096  # a verdict line is short; more than this is not clamd
_FOUND = re.compile(r"^stream: (?P<signature>.+) FOUND$")
# clamd reports a file larger than MaxFileSize/MaxScanSize (with AlertExceedsMax) as a "virus";
# it means the file was not fully scanned, so it is no verdict rather than an infection.
_LIMITS_EXCEEDED = "Heuristics.Limits.Exceeded"


class ClamdReplyError(Exception):
    """clamd answered, but not with a verdict (kept as the __cause__ of ScannerUnavailable)."""


class _HungUp(Exception):
    """clamd closed the connection while the file was being sent."""

    def __init__(self, error: OSError, size: int, reply: bytes):
        super().__init__(repr(error))
        self.error, self.size, self.reply = error, size, reply


def parse_scan_reply(reply: bytes) -> ScanResult:
    """Turn clamd's answer to INSTREAM into a ScanResult, or raise ClamdReplyError."""
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text == "stream: OK":
        return ScanResult(clean=True)
    if text.endswith(" ERROR"):
        raise ClamdReplyError(text)
    found = _FOUND.match(text)
    if not found:
        raise ClamdReplyError(f"unexpected reply from clamd: {text[:200]!r}")
    signature = found["signature"]
    if signature.startswith(_LIMITS_EXCEEDED):
        raise ClamdReplyError(f"clamd did not scan the whole file: {signature}")
    return ScanResult(clean=False, signature=signature)


class ClamdScanner:
    """A VirusScanner backed by clamd on a unix socket (preferred when given) or TCP."""

    configured = True

    def __init__(
        self,
        socket_path: str | None = None,
        host: str | None = None,
        port: int = 3310,
        timeout: float = 120.0,
        chunk_size: int = CHUNK_SIZE,
    ):
        if not socket_path and not host:
            raise ValueError("ClamdScanner needs a socket_path or a host")
        self.socket_path = socket_path or None
        self.host = host or None
        self.port = port
        self.timeout = timeout
        self.chunk_size = chunk_size

    def __repr__(self) -> str:
        return f"ClamdScanner({self._address_text()})"

    def scan(self, stream: BinaryIO) -> ScanResult:
        """Scan the whole stream and leave it rewound for whoever stores it next."""
        seekable = _is_seekable(stream)
        if seekable:
            stream.seek(0)  # a verdict on part of a file is no verdict
        started = time.monotonic()
        try:
            result, size = self._scan(stream)
        finally:
            if seekable:
                stream.seek(0)
        elapsed = time.monotonic() - started
        if result.clean:
            logger.debug("clamd scanned %d bytes in %.2fs: clean", size, elapsed)
        else:
            logger.warning("clamd found a virus (signature %s) in %d bytes", result.signature, size)
        return result

    def ping(self) -> None:
        """Raise ScannerUnavailable unless clamd answers PONG."""
        try:
            with self._connect() as sock:
                sock.sendall(b"zPING\0")
                reply = _read_reply(sock)
        except OSError as exc:
            raise self._unavailable(f"ping failed: {exc!r}") from exc
        if reply.rstrip(b"\0").strip() != b"PONG":
            cause = ClamdReplyError(f"unexpected reply to PING: {reply[:200]!r}")
            raise self._unavailable(str(cause)) from cause

    def _scan(self, stream: BinaryIO) -> tuple[ScanResult, int]:
        try:
            with self._connect() as sock:
                size = self._send_instream(sock, stream)
                reply = _read_reply(sock)
        except _HungUp as hung_up:
            # clamd closes the connection when a limit is hit; its last words say which
            reply, size = hung_up.reply, hung_up.size
            if not reply:
                raise self._unavailable(f"connection lost while sending: {hung_up.error!r}") from hung_up.error
        except OSError as exc:
            raise self._unavailable(f"scan failed: {exc!r}") from exc
        try:
            return parse_scan_reply(reply), size
        except ClamdReplyError as exc:
            raise self._unavailable(str(exc)) from exc

    def _send_instream(self, sock: socket.socket, stream: BinaryIO) -> int:
        """Send the stream as INSTREAM chunks, one chunk in memory at a time; return its size."""
        size = 0
        try:
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(self.chunk_size):
                sock.sendall(struct.pack(">I", len(chunk)))
                sock.sendall(chunk)
                size += len(chunk)
            sock.sendall(struct.pack(">I", 0))
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _HungUp(exc, size, _read_reply_quietly(sock)) from exc
        return size

    def _connect(self) -> socket.socket:
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            address: str | tuple[str, int] = self.socket_path
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            address = (self.host, self.port)
        sock.settimeout(self.timeout)
        try:
            sock.connect(address)
        except BaseException:
            sock.close()
            raise
        return sock

    def _unavailable(self, reason: str) -> ScannerUnavailable:
        logger.error("clamd at %s gave no verdict: %s", self._address_text(), reason)
        return ScannerUnavailable()

    def _address_text(self) -> str:
        return f"unix:{self.socket_path}" if self.socket_path else f"tcp:{self.host}:{self.port}"


def _read_reply(sock: socket.socket) -> bytes:
    """Read one NUL-terminated reply (or up to EOF)."""
    data = b""
    while b"\0" not in data and len(data) < _MAX_REPLY:
        part = sock.recv(_MAX_REPLY)
        if not part:
            break
        data += part
    return data.split(b"\0", 1)[0]


def _read_reply_quietly(sock: socket.socket) -> bytes:
    try:
        return _read_reply(sock)
    except OSError:
        return b""


def _is_seekable(stream: BinaryIO) -> bool:
    seekable = getattr(stream, "seekable", None)
    try:
        return bool(seekable and seekable())
    except (OSError, ValueError):
        return False


class DevelopmentNoScanner:
    """For development only, when no clamd is configured: passes every file, loudly.

    Settings refuse to start production without a scanner, so this never runs there.
    """

    configured = False

    def scan(self, stream: BinaryIO) -> ScanResult:
        logger.warning("virus scanning is OFF: file accepted unscanned (set CLAMD_SOCKET or CLAMD_HOST)")
        return ScanResult(clean=True, scanned=False)

    def ping(self) -> None:
        raise ScannerUnavailable("no virus scanner configured")
