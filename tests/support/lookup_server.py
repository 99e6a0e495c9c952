"""What the local doubles of the postcode and address services share: a threaded HTTP server on loopback
that records each path asked for, can be switched into a failing mode, and stops without waiting for a
'slow' answer.
"""
from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, TypeVar


class LookupServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() joins the handler threads: none outlives its test
    modes: frozenset[str] = frozenset({"normal", "slow"})

    def __init__(self, handler: type[BaseHTTPRequestHandler], slow_seconds: float = 2.0):
        super().__init__(("127.0.0.1", 0), handler)
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
        if mode not in self.modes:
            raise ValueError(f"mode must be one of {sorted(self.modes)}")
        self.mode = mode

    def record(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)


class LookupHandler(BaseHTTPRequestHandler):
    server: LookupServer

    def _arrived(self) -> str:
        """Record the request; wait first in 'slow' mode; the server's mode."""
        self.server.record(self.path)
        if self.server.mode == "slow":
            self.server.stopping.wait(self.server.slow_seconds)
        return self.server.mode

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


Server = TypeVar("Server", bound=LookupServer)


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
