"""A local HTTP server that answers like postcodes.io, and can be made slow, failing or garbled.

Use the fixture `postcodes_server`: `.base_url`, `.mode` ("normal", "slow", "500", "garbage"),
`.requests` (paths asked for, in order).
"""
from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import unquote

import pytest

# The fields the portal reads, as postcodes.io returns them (plus a few it ignores). admin_county is null
# outside two-tier England: London boroughs, Scotland and Wales have no county in the data.
KNOWN_POSTCODES = {
    "SW1A 2AA": {"postcode": "SW1A 2AA", "country": "England", "region": "London", "admin_county": None,
                 "admin_district": "Westminster", "longitude": -0.127695, "latitude": 51.50354},
    "EH1 1YZ": {"postcode": "EH1 1YZ", "country": "Scotland", "region": None, "admin_county": None,
                "admin_district": "City of Edinburgh", "longitude": -3.188375, "latitude": 55.952055},
    "CF10 1EP": {"postcode": "CF10 1EP", "country": "Wales", "region": None, "admin_county": None,
                 "admin_district": "Cardiff", "longitude": -3.17551, "latitude": 51.479752},
    "SG13 8EQ": {"postcode": "SG13 8EQ", "country": "England", "region": "East of England",
                 "admin_county": "Hertfordshire", "admin_district": "East Hertfordshire",
                 "longitude": -0.069602, "latitude": 51.79509},
}
MODES = {"normal", "slow", "500", "garbage"}


class PostcodesServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handler threads: none outlives its test

    def __init__(self, slow_seconds: float = 2.0):
        super().__init__(("127.0.0.1", 0), PostcodesHandler)
        self.mode = "normal"
        self.slow_seconds = slow_seconds
        self.requests: list[str] = []
        self.stopping = threading.Event()  # wakes 'slow' handlers so shutdown does not wait
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}")
        self.mode = mode

    def record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)


class PostcodesHandler(BaseHTTPRequestHandler):
    server: PostcodesServer

    def do_GET(self) -> None:  # noqa: N802 - the http.server naming
        self.server.record(self.path)
        mode = self.server.mode
        if mode == "slow":
            self.server.stopping.wait(self.server.slow_seconds)
        if mode == "500":
            return self._send(500, b'{"status":500,"error":"Internal server error"}')
        if mode == "garbage":
            return self._send(200, b"<html>Gateway says hello</html>", "text/html")
        self._answer_postcode()

    def _answer_postcode(self) -> None:
        prefix = "/postcodes/"
        if not self.path.startswith(prefix):
            return self._send_json(404, {"status": 404, "error": "Resource not found"})
        postcode = unquote(self.path[len(prefix):]).upper()
        if postcode in KNOWN_POSTCODES:
            return self._send_json(200, {"status": 200, "result": KNOWN_POSTCODES[postcode]})
        self._send_json(404, {"status": 404, "error": "Postcode not found"})

    def _send_json(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body).encode())

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (the 'slow' mode's purpose)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the http.server signature
        pass  # keep test output quiet


@contextlib.contextmanager
def running_postcodes_server() -> Iterator[PostcodesServer]:
    server = PostcodesServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def postcodes_server() -> Iterator[PostcodesServer]:
    with running_postcodes_server() as server:
        yield server
