"""The portal as real processes, and people using it over HTTP: for the kill test and the delivery bench.

- `portal_env()`: the environment a web server or worker gets (a throwaway var dir, a database URL,
  the reference case system, fixed secrets, the mail outbox, rate limits out of the way by default).
- `Service`: one process group (gunicorn's master and its workers, or `flask worker`) that can be
  SIGKILLed and started again, as a crash and a supervisor's restart would.
- `Person`: one person with a browser: their own loopback address (so per-address rate limits see one
  person each), their own cookies, the CSRF token of the page they last saw.
- `Outbox`: reads the security codes the worker wrote as .eml files to <var>/outbox.
- `submit_enquiry()`: the shortest form from start to confirmation page, pressing reload when the
  server is down, and only returning a reference when the confirmation page showed it.

Standard library, plus the portal's own code for nothing: the processes import the portal, not us.
"""
from __future__ import annotations

import contextlib
import dataclasses
import email
import email.policy
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
APP = "portal.app:create_app"

FIXED_SECRETS = {
    "SECRET_KEY": "kill-test-secret-key-" + "k" * 32,
    "FILE_STORE_KEK": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
}
# Settings inherited from the caller's shell that would point the processes at someone's real systems.
DROPPED = (
    "DATABASE_URL", "FILE_STORE", "FILE_STORE_PATH", "S3_BUCKET", "S3_ENDPOINT_URL", "MAILER", "REDIS_URL",
    "RATELIMIT_STORAGE_URI", "CLAMD_HOST", "CLAMD_PORT", "CLAMD_SOCKET", "SECRET_KEY", "FILE_STORE_KEK",
    "CASE_SYSTEM_URL", "CASE_SYSTEM_SECRET", "BASE_URL", "SESSION_COOKIE_SECURE", "JOB_BACKEND",
    "FLASK_APP", "PORTAL_VAR_DIR", "PORTAL_ENV",
)

CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')
REFERENCE = re.compile(rb"Your reference is\s*(?:<br\s*/?>)?\s*<strong[^>]*>\s*([A-Z]{2,4}-\d{4}-[0-9A-Z]{4}-[0-9A-Z])\s*</strong>")
CODE = re.compile(r"^(\d{6})$", re.M)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

ENQUIRY = [
    ("full-name", {"full_name": "Chris Lee"}),
    ("email-address", None),  # the person's own address, filled in per submission
    ("topic", {"topic": "parking"}),
    ("question", {"description": "When do resident permits renew?"}),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def portal_env(var_dir: Path, database_url: str, case_system_url: str, case_system_secret: str,
               **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(FIXED_SECRETS)
    env.update({
        "PORTAL_ENV": "development",
        "PORTAL_VAR_DIR": str(var_dir),
        "DATABASE_URL": database_url,
        "JOB_BACKEND": "sqlite",
        "CASE_SYSTEM_URL": case_system_url,
        "CASE_SYSTEM_SECRET": case_system_secret,
        "MAILER": "outbox",
        "RATELIMIT_DEFAULT": "1000000 per minute",
        "CLAMD_SOCKET": "",  # no automatic pick-up of a system clamd: enquiries have no uploads
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "flask"), "--app", APP, *args], cwd=ROOT, env=env, timeout=timeout,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed ({result.returncode}):\n{result.stdout[-3000:]}")
    return result


def tail(path: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


class Service:
    """A process group started from one command: SIGKILL it (all of it) and start it again."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_path: Path):
        self.name, self.command, self.env, self.log_path = name, command, env, log_path
        self.process: subprocess.Popen | None = None
        self.starts = 0
        self.lock = threading.Lock()

    def start(self) -> None:
        with self.lock:
            with open(self.log_path, "ab") as log:
                log.write(f"\n--- start {self.starts + 1} at {time.time():.3f}\n".encode())
                log.flush()
                # Its own session, so a SIGKILL to the group takes every process it forked, as a crash would.
                self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)
            self.starts += 1

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole process group: no handler runs, nothing is flushed or released politely."""
        with self.lock:
            if self.process is None:
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def restart(self) -> None:
        self.kill()
        self.start()

    def children(self) -> list[int]:
        """The pids whose parent is this service's main process (gunicorn's workers)."""
        if not self.alive:
            return []
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
                    if int(stat[1]) == self.process.pid and stat[0] != "Z":  # a zombie is no worker
                        pids.append(int(entry))
        return pids

    def stop(self, timeout: float = 20) -> None:
        """A graceful stop (SIGTERM to the group), then SIGKILL if it takes too long."""
        with self.lock:
            if not self.alive:
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def gunicorn(env: dict[str, str], port: int, log_path: Path, *, workers: int = 2, threads: int = 1,
             worker_class: str = "sync", app: str = "portal.app:create_app()", extra: tuple[str, ...] = ()) -> Service:
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--threads", str(threads), "--worker-class", worker_class, "--timeout", "30",
               "--graceful-timeout", "5", "--chdir", str(ROOT),
               "--no-control-socket",  # gunicorn 27 otherwise shares ~/.gunicorn/gunicorn.ctl with every instance
               *extra, app]
    return Service("web", command, env, log_path)


def job_worker(env: dict[str, str], log_path: Path, *, workers: int = 2) -> Service:
    return Service("worker", [str(BIN / "flask"), "--app", APP, "worker", "--workers", str(workers)], env, log_path)


def wait_for_http(port: int, service: Service, path: str = "/healthz", limit: float = 60, workers: int = 0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if not service.alive:
            raise RuntimeError(f"{service.name} exited ({service.process.returncode}):\n{tail(service.log_path)}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status == 200 and len(service.children()) >= workers:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise RuntimeError(f"{service.name} did not answer {path} within {limit:.0f} s:\n{tail(service.log_path)}")


# --- people ----------------------------------------------------------------------------------------


class ServerDown(Exception):
    """The connection was refused, reset or dropped: what a person sees as "this site can't be reached"."""


@dataclasses.dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    at: float  # time.time() when the response had been read


def loopback_address(n: int, base: int = 100) -> str:
    """The n-th address of 127.<base>.0.1 onwards: a person of their own for the rate limits."""
    n += 1
    return f"127.{base + n // 65025}.{(n // 255) % 255}.{n % 255 or 1}"


class Person:
    """One person and their browser: their own loopback address and cookies; a connection kept alive."""

    def __init__(self, port: int, source_ip: str, timeout: float = 30, record: list | None = None):
        self.port, self.source_ip, self.timeout = port, source_ip, timeout
        self.record = record  # when given, the time.time() of every response is appended to it
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.requests = 0

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout,
                                                         source_address=(self.source_ip, 0))
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.requests += 1
        try:
            connection = self._connection()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, dropped mid-response
            self.close()
            raise ServerDown(f"{method} {path}: {type(exc).__name__}") from None
        if response.will_close:
            self.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Max-Age=0" not in header and "expires=Thu, 01 Jan 1970" not in header:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        at = time.time()
        if self.record is not None:
            self.record.append(at)
        return Response(response.status, response.headers, data, at)

    def get_page(self, path: str) -> Response:
        page = self.request("GET", path)
        found = CSRF.search(page.body) if page.status == 200 else None
        if found:
            self.csrf = found.group(1).decode()
        return page

    def post_form(self, path: str, fields: dict) -> Response:
        return self.request("POST", path, urlencode({"csrf_token": self.csrf, **fields}, doseq=True).encode(), FORM)


class Outbox:
    """The security codes in <var>/outbox, by recipient, newest last; each file parsed once."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.lock = threading.Lock()
        self.seen: set[str] = set()
        self.codes: dict[str, list[tuple[str, str]]] = {}  # address -> [(file name, code)]
        self.scanned_at = 0.0

    def _scan(self) -> None:
        try:
            names = [n for n in os.listdir(self.folder) if n.endswith(".eml") and n not in self.seen]
        except FileNotFoundError:
            return
        for name in sorted(names):
            with contextlib.suppress(OSError):
                message = email.message_from_bytes((self.folder / name).read_bytes(), policy=email.policy.default)
                self.seen.add(name)
                found = CODE.search(message.get_content())
                if found:
                    self.codes.setdefault(str(message["To"]).strip().lower(), []).append((name, found.group(1)))

    def newest_code(self, address: str) -> tuple[str, str] | None:
        with self.lock:
            if time.monotonic() - self.scanned_at > 0.05:
                self._scan()
                self.scanned_at = time.monotonic()
            found = self.codes.get(address.lower())
            return max(found) if found else None

    def wait_for_code(self, address: str, newer_than: str = "", timeout: float = 20) -> tuple[str, str] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.newest_code(address)
            if found and found[0] > newer_than:
                return found
            time.sleep(0.05)
        return None


@dataclasses.dataclass
class Outcome:
    reference: str | None  # only when the confirmation page showed it
    status: str  # shown | committed-not-shown | no-code | gave-up | refused
    retries: int = 0  # steps repeated because the server was down
    requests: int = 0
    shown_at: float = 0.0  # time.time() when the confirmation page's response had been read
    committed_at: float = 0.0  # time.time() of the code POST's redirect to the confirmation page
    detail: str = ""
    phases: dict = dataclasses.field(default_factory=dict)  # seconds spent in each part of the journey


class GaveUp(Exception):
    pass


class Submitter:
    """Fills the enquiry form as one person, pressing reload whenever the server is down."""

    def __init__(self, person: Person, outbox: Outbox, address: str, *, patience: float = 60,
                 code_timeout: float = 20, rng: random.Random | None = None):
        self.person, self.outbox, self.address = person, outbox, address
        self.patience, self.code_timeout = patience, code_timeout
        self.rng = rng or random.Random()
        self.retries = 0
        self.deadline = 0.0
        self.phases: dict[str, float] = {}
        self._mark = 0.0

    def _phase(self, name: str) -> None:
        now = time.monotonic()
        self.phases[name] = now - self._mark
        self._mark = now

    def _again(self, reason: str) -> None:
        """Wait a moment and press reload; give up when the server has been down for too long."""
        if time.monotonic() > self.deadline:
            raise GaveUp(reason)
        self.retries += 1
        time.sleep(self.rng.uniform(0.05, 0.3))

    def _page(self, path: str) -> Response:
        while True:
            try:
                page = self.person.get_page(path)
            except ServerDown as exc:
                self._again(str(exc))
                continue
            if page.status >= 500:
                self._again(f"GET {path}: {page.status}")
                continue
            return page

    def answer(self, page_id: str, fields: dict) -> None:
        path = f"/request/enquiry/{page_id}"
        while True:
            page = self._page(path)
            if page.status != 200:
                raise GaveUp(f"GET {path}: {page.status}")
            try:
                response = self.person.post_form(path, fields)
            except ServerDown as exc:
                self._again(str(exc))
                continue
            if response.status == 302:
                return
            if response.status >= 500 or response.status == 400:  # 400: a CSRF token from a lost session
                self._again(f"POST {path}: {response.status}")
                continue
            raise GaveUp(f"POST {path}: {response.status}")

    def run(self) -> Outcome:
        self.deadline = time.monotonic() + self.patience
        self._mark = time.monotonic()
        person = self.person
        start_requests = person.requests
        try:
            outcome = self._run()
        except GaveUp as exc:
            outcome = Outcome(None, "gave-up", detail=str(exc))
        outcome.retries, outcome.requests = self.retries, person.requests - start_requests
        outcome.phases = self.phases
        return outcome

    def _run(self) -> Outcome:
        for page_id, fields in ENQUIRY:
            self.answer(page_id, fields if fields is not None else {"email": self.address})
        self._phase("questions")
        # Check answers, then "Continue": the code is emailed (by the worker, through the job queue).
        while True:
            page = self._page("/request/enquiry/check-answers")
            if page.status != 200:
                raise GaveUp(f"GET check-answers: {page.status}")
            try:
                response = self.person.post_form("/request/enquiry/check-answers", {})
            except ServerDown as exc:
                self._again(str(exc))
                continue
            if response.status == 302:
                break
            self._again(f"POST check-answers: {response.status}")
        self._phase("check_answers")
        used = ""
        while True:
            found = self.outbox.wait_for_code(self.address, newer_than=used, timeout=self.code_timeout)
            if found is None:
                return Outcome(None, "no-code", detail="no security code arrived")
            used, code = found
            self._phase("code_email")
            # The code page: a 410 here means the draft is gone because an earlier press of the button
            # committed the submission and its answer (the redirect to the confirmation page) was lost.
            while True:
                page = self._page("/request/enquiry/confirm-email")
                if page.status == 410:
                    return Outcome(None, "committed-not-shown", detail="the draft had been submitted")
                if page.status != 200:
                    raise GaveUp(f"GET confirm-email: {page.status}")
                try:
                    response = self.person.post_form("/request/enquiry/confirm-email", {"code": code})
                except ServerDown as exc:
                    self._again(str(exc))
                    continue
                if response.status >= 500:
                    self._again(f"POST confirm-email: {response.status}")
                    continue
                break
            if response.status == 302:
                committed_at = response.at
                break
            if response.status == 410:
                return Outcome(None, "committed-not-shown", detail="the draft had been submitted")
            if response.status == 429:
                return Outcome(None, "refused", detail="rate limited")
            # 200 with "incorrect": a newer code was sent meanwhile; wait for it (or give up on no-code).
        self._phase("confirm_code")
        location = response.headers["Location"]
        if "://" in location:
            location = "/" + location.split("://", 1)[1].split("/", 1)[1]
        while True:
            page = self._page(location)
            if page.status != 200:
                raise GaveUp(f"GET confirmation: {page.status}")
            found = REFERENCE.search(page.body)
            if not found:
                raise GaveUp("confirmation page without a reference")
            self._phase("confirmation_page")
            return Outcome(found.group(1).decode(), "shown", shown_at=page.at, committed_at=committed_at)
