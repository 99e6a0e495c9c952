"""A real S3 API for the test run: moto's own HTTP server (`moto_server`) on 127.0.0.1.

Use the session fixture `moto_endpoint` (the endpoint URL), `s3_client(endpoint)` for a boto3
client with test credentials, or `running_moto_server()` for a server of your own.
"""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.config import Config

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
STARTUP_TIMEOUT = 30.0
REGION = "eu-west-2"


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str, timeout: float = 1.0) -> bool:
    # no proxies: an HTTP(S)_PROXY in the environment must not see loopback traffic
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            response.read()
        return True
    except urllib.error.HTTPError as error:  # any HTTP answer means the server is up
        error.close()
        return True
    except OSError:
        return False


def _wait_until_ready(process: subprocess.Popen, url: str, output: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not answers(url):
        if process.poll() is not None:
            _startup_failed(f"moto_server exited with status {process.returncode} while starting", output)
        if time.monotonic() > deadline:
            _startup_failed(f"moto_server did not answer within {STARTUP_TIMEOUT:.0f}s", output)
        time.sleep(0.05)


def _startup_failed(problem: str, output: Path) -> None:
    tail = "\n".join(output.read_text(errors="replace").splitlines()[-30:])
    pytest.fail(f"{problem}.\nmoto_server output:\n{tail}", pytrace=False)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def running_moto_server() -> Iterator[str]:
    """Start moto_server on a free loopback port; yield its endpoint URL; stop it on exit."""
    if not MOTO_SERVER.exists():
        pytest.fail(f"{MOTO_SERVER} not found: install the test extras (moto[server])", pytrace=False)
    port = free_tcp_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="moto-") as workdir:
        output = Path(workdir) / "moto_server.out"
        with open(output, "wb") as handle:
            process = subprocess.Popen(
                [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
                stdout=handle,
                stderr=subprocess.STDOUT,
                cwd=workdir,
            )
        try:
            _wait_until_ready(process, url, output)
            yield url
        finally:
            _stop(process)


def s3_client(endpoint_url: str) -> Any:
    """A boto3 S3 client for the moto server, with test credentials passed explicitly."""
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(s3={"addressing_style": "path"}, proxies={}, retries={"mode": "standard"}),
    )


def create_bucket(client: Any, name: str) -> str:
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a moto S3 server for the whole test run."""
    with running_moto_server() as url:
        yield url
