"""A real clamd for the test run, loaded only with the project's own signature DB (EICAR).

Nothing starts clamd on the development machines, so the tests do: a private config, sockets and
database in a temporary directory, stopped at the end. Use the session fixture `clamd_server`, or
`running_clamd()` for an extra instance with other limits.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator, NamedTuple

import pytest

CLAMD = Path(os.environ.get("CLAMD_BINARY", "/usr/sbin/clamd"))
SIGNATURES = Path(__file__).resolve().parent / "clamav"
STARTUP_TIMEOUT = 60.0

# The largest limits clamd accepts: it cannot scan a file of 2 GiB or more.
LARGE_LIMITS = {"StreamMaxLength": "2000M", "MaxFileSize": "2000M", "MaxScanSize": "4000M"}


class ClamdServer(NamedTuple):
    socket_path: str
    tcp_port: int
    log_path: Path


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(workdir: Path, tcp_port: int, limits: dict[str, str]) -> Path:
    database = workdir / "db"
    shutil.copytree(SIGNATURES, database)
    lines = {
        "Foreground": "yes",  # so the test run owns the process and can stop it
        "LocalSocket": str(workdir / "clamd.sock"),
        "LocalSocketMode": "600",
        "FixStaleSocket": "yes",
        "TCPSocket": str(tcp_port),
        "TCPAddr": "127.0.0.1",
        "DatabaseDirectory": str(database),
        "TemporaryDirectory": str(workdir),
        "LogFile": str(workdir / "clamd.log"),
        "LogTime": "yes",
        "PidFile": str(workdir / "clamd.pid"),
        "AlertExceedsMax": "yes",  # an over-limit file is reported, never passed as OK
        "SelfCheck": "0",  # the DB does not change during a run
        **limits,
    }
    config = workdir / "clamd.conf"
    config.write_text("".join(f"{key} {value}\n" for key, value in lines.items()))
    return config


def ping(socket_path: str, timeout: float = 1.0) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(socket_path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


def log_tail(log_path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log written)"


def _wait_until_ready(process: subprocess.Popen, server: ClamdServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not ping(server.socket_path):
        if process.poll() is not None:
            _startup_failed(f"clamd exited with status {process.returncode} while starting", server)
        if time.monotonic() > deadline:
            _startup_failed(f"clamd did not answer PING within {STARTUP_TIMEOUT:.0f}s", server)
        time.sleep(0.05)


def _startup_failed(problem: str, server: ClamdServer) -> None:
    output = server.log_path.with_name("clamd.out")
    pytest.fail(
        f"{problem}.\nclamd log:\n{log_tail(server.log_path)}\nclamd output:\n{log_tail(output)}",
        pytrace=False,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running_clamd(limits: dict[str, str] | None = None) -> Iterator[ClamdServer]:
    """Start clamd with the project's signature DB; stop it and remove its files on exit."""
    if not CLAMD.exists():
        pytest.fail(f"{CLAMD} not found: install clamav-daemon (apt-get install clamav-daemon)", pytrace=False)
    # a short base path: a unix socket path must fit in 108 bytes
    workdir = Path(tempfile.mkdtemp(prefix="clamd-"))
    tcp_port = free_tcp_port()
    config = write_config(workdir, tcp_port, LARGE_LIMITS if limits is None else limits)
    server = ClamdServer(str(workdir / "clamd.sock"), tcp_port, workdir / "clamd.log")
    with open(workdir / "clamd.out", "wb") as output:
        process = subprocess.Popen([str(CLAMD), "-c", str(config)], stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(process, server)
        yield server
    finally:
        _stop(process)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def clamd_server() -> Iterator[ClamdServer]:
    """A clamd for the whole test run: (socket_path, tcp_port, log_path)."""
    with running_clamd() as server:
        yield server
