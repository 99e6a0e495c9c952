"""The reference case system served over real HTTP on 127.0.0.1 for tests: records, fails on demand."""
from __future__ import annotations

import contextlib
import threading

import requests
from werkzeug.serving import make_server

from capture.case_system_server import CaseStore, make_app


class RunningCaseSystem:
    def __init__(self, secret: str):
        self.store = CaseStore()
        self.server = make_server("127.0.0.1", 0, make_app(secret, self.store), threaded=True)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self.url = f"{self.base}/cases"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def fail(self, mode: str, times: int = 1_000_000) -> None:
        requests.post(f"{self.base}/control", json={"mode": mode, "times": times}, timeout=5).raise_for_status()

    def cases(self) -> dict:
        return self.store.cases


@contextlib.contextmanager
def running_case_system(secret: str):
    system = RunningCaseSystem(secret)
    system.thread.start()
    try:
        yield system
    finally:
        system.server.shutdown()
        system.server.server_close()
        system.thread.join(5)
