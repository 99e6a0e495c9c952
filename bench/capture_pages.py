"""Capture page speed and upload memory on the production server (issue 3, "Speed"). Prints figures only.

    .venv/bin/python bench/capture_pages.py            # after `make run` or `make test` has set things up
    .venv/bin/python bench/capture_pages.py --help     # server config, clients, durations, upload size

What it measures, and how:

1. The server. A throwaway PORTAL_VAR_DIR in /tmp (SQLite database migrated with `flask db upgrade`,
   local encrypted file store, mail outbox), and gunicorn on a free 127.0.0.1 port serving
   `bench.bare_app:app`: `portal.app.create_app()` plus `/bench/bare`, a page rendering the GOV.UK base
   template and nothing else. Default config: 2 x CPUs + 1 sync workers (`nproc`-based). The README's
   production command (4 workers x 4 threads: gthread) is measured with `--workers 4 --threads 4`;
   with keep-alive clients a gthread worker keeps every connection it accepted, and one worker can end
   up with all 50 (a NOTE under the table shows an uneven CPU split). Settings from the environment:
   PORTAL_ENV=development, JOB_BACKEND=sqlite, RATELIMIT_DEFAULT high enough not to throttle, upload
   and request limits of 200 MB, LOG_LEVEL=INFO, LOG_FORMAT=json (a JSON line per request, as in production). Virus
   scanning: a private clamd started with tests/support/clamd.py when clamd and the test extras are
   installed, otherwise off, and the output says so.
2. Throughput and latency. N clients (threads, default 50), each a person: its own http.client
   connection (kept alive when the server allows) from its own loopback address (127.0.1.x, so
   per-address rate limits see 50 people), its own cookies, session and draft. Each client first
   fills the FOI happy path (HAPPY_PATHS["foi"] in tests/capture_helpers.py: GET for the CSRF token,
   then POST, page by page). Then every client sends one scenario's request back to back; the
   requests finishing after the warm-up count. The scenarios are interleaved in rounds (default 2
   rounds of 2 s warm-up + 5 s measured each), so a change in the machine's other load weighs on all:
     yardstick GET  /                              (bench/govuk_yardstick.py: a separate minimal Flask app,
                                                    GOV.UK Frontend's template with header, one input, a
                                                    button and footer, under its own gunicorn with the same
                                                    config, and 50 clients of its own: issue 16's yardstick)
     bare      GET  /bench/bare                    (the portal's shell: its base template and nothing else)
     start     GET  /request/                      (the list of forms)
     form_start GET /request/foi                   (a form's start page)
     question  GET  /request/foi/full-name         (a question page with the client's draft)
     check     GET  /request/foi/check-answers     (the client's complete draft)
     answer    POST /request/foi/full-name         (an answer saved, 302 to the next page; the only
                                                    requests exempt from rate limits, see bare_app.py)
   Not here: the Disclosure Log's search and entry pages (bench/disclosure_search.py, against Datasette), the
   confirmation page (it needs a request sent, which ends the client's draft) and Secure Share's sign-in page
   (it needs a share, and records "link opened" on every GET: a write, not a page render).
   Reported: requests/second (responses with the expected status) and its ratios to the yardstick's and
   to the bare page's,
   p50/p95/p99 latency, errors, responses per second of worker CPU and its ratio to the bare page's
   (a cost figure other load on the machine hardly moves), and the CPU in cores used by the gunicorn
   workers, by this load generator and by every other process: they all share the machine's cores.
3. Upload memory. A SAR draft filled up to its identity page, then a 100 MB generated file that
   starts with %PDF- is POSTed there (action=upload, multipart, streamed from a generator with a
   Content-Length), while the RSS (VmRSS) of every gunicorn worker (the master's children in /proc)
   is sampled every 50 ms. Reported: each worker's RSS before, peak during, after, the growth, VmHWM,
   and whether the upload was accepted (302 back to the page, which then lists the file).
4. A table on stdout and the same figures as JSON in bench/results/capture_pages.json. gunicorn
   (and clamd) are stopped and the temporary folder removed, whatever happens.

Nothing here asserts a timing: the figures are for reading, and for the closing note of issue 3.
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import datetime as dt
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for bench._server and tests.support.clamd

from bench._server import (  # noqa: E402 - the server plumbing every bench shares
    INHERITED_SETTINGS_DROPPED, BenchError, RssSampler, ServerConfig, cpu_seconds, git_commit, gunicorn,
    machine_busy_seconds, memory_mb, migrate, virus_scanner, worker_pids,
)

RESULTS = ROOT / "bench" / "results" / "capture_pages.json"
YARDSTICK_APP = "bench.govuk_yardstick:app"  # the plain GOV.UK page every page is measured against (issue 16)
MiB = 1024 * 1024
UNLIMITED = {"X-Bench-Unlimited": "1"}  # see bench/bare_app.py
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CSRF = re.compile(rb'name="csrf_token" value="([^"]+)"')
ERROR_TEXT = re.compile(rb'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>([^<]*)<')


# --- the server --------------------------------------------------------------------------------------


def server_env(var_dir: Path, scanner_env: dict[str, str], language: str = "en") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS_DROPPED}
    if language != "en":
        env["WELSH_OFFERED"] = "true"  # and each client has chosen Welsh (make_clients)
    env.update({
        "PORTAL_ENV": "development",
        "PORTAL_VAR_DIR": str(var_dir),
        "JOB_BACKEND": "sqlite",
        "RATELIMIT_DEFAULT": "1000000 per minute",
        "UPLOAD_MAX_FILE": "200MB",
        "UPLOAD_MAX_TOTAL": "200MB",
        "MAX_CONTENT_LENGTH": "210MB",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",  # a JSON line per request, as in production
        "CLAMD_SOCKET": "",  # an empty setting: no automatic pick-up of a system clamd socket
        **scanner_env,
    })
    return env


# --- a client: one person with a browser-like connection ---------------------------------------------


@dataclasses.dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


class Client:
    """One person: a keep-alive connection from its own loopback address, its own cookies."""

    def __init__(self, port: int, source_ip: str):
        self.port, self.source_ip = port, source_ip
        self.connection = self._connect()
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.reconnects = 0

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120, source_address=(self.source_ip, 0))

    def request(self, method: str, path: str, body=None, headers: dict | None = None, retry: bool = True) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            response, data = self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server closed a keep-alive connection that sat idle: reconnect once, as a browser does
            self.reset()
            if not retry:
                raise
            self.reconnects += 1
            response, data = self._send(method, path, body, headers)
        self._keep_cookies(response)
        return Response(response.status, response.headers, data)

    def _send(self, method, path, body, headers):
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response, response.read()

    def reset(self) -> None:
        self.connection.close()
        self.connection = self._connect()

    def _keep_cookies(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)

    def get_page(self, path: str) -> Response:
        """GET a form page and keep its CSRF token."""
        page = self.request("GET", path)
        if page.status != 200:
            raise BenchError(f"GET {path}: {page.status}")
        found = CSRF.search(page.body)
        if not found:
            raise BenchError(f"GET {path}: no csrf_token on the page")
        self.csrf = found.group(1).decode()
        return page

    def answer(self, path: str, fields: dict) -> str:
        """Answer one question page the way a person does; return where it leads."""
        self.get_page(path)
        response = self.request("POST", path, form_body({"csrf_token": self.csrf, **fields}), FORM)
        if response.status != 302:
            raise BenchError(f"POST {path}: {response.status} {page_errors(response.body)}")
        return response.headers["Location"]


def form_body(fields: dict) -> bytes:
    return urlencode(fields, doseq=True).encode()


def page_errors(body: bytes) -> list[str]:
    return [" ".join(m.decode(errors="replace").split()) for m in ERROR_TEXT.findall(body)]


def happy_paths() -> dict:
    """HAPPY_PATHS from tests/capture_helpers.py, read without importing it (it needs the test extras)."""
    tree = ast.parse((ROOT / "tests" / "capture_helpers.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "HAPPY_PATHS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise BenchError("HAPPY_PATHS not found in tests/capture_helpers.py")


def fill(client: Client, form_id: str, steps: list) -> None:
    for page_id, fields in steps:
        client.answer(f"/request/{form_id}/{page_id}", fields)


def make_clients(port: int, count: int, foi_path: list, language: str = "en") -> list[Client]:
    """`count` people, each with a complete FOI draft of their own (filled concurrently), each having chosen
    `language` (the portal_language cookie the language switcher sets) when it is not English."""
    if not 1 <= count <= 250:
        raise BenchError("--clients must be between 1 and 250 (one loopback address each)")
    clients = [Client(port, f"127.0.1.{n + 1}") for n in range(count)]
    if language != "en":
        for client in clients:
            client.cookies["portal_language"] = language
    with ThreadPoolExecutor(max_workers=count) as pool:
        list(pool.map(lambda c: fill(c, "foi", foi_path), clients))
    return clients


# --- load: every client back to back, figures from the measured window -------------------------------


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    method: str
    path: str
    expect: int
    body: Callable[[Client], bytes | None] = lambda client: None
    headers: dict = dataclasses.field(default_factory=dict)
    server: str = "portal"  # or "yardstick": bench/govuk_yardstick.py, its own gunicorn, its own clients

    def send(self, client: Client) -> Response:
        return client.request(self.method, self.path, self.body(client), self.headers)


SCENARIOS = [
    Scenario("yardstick", "GOV.UK page, minimal Flask app", "GET", "/", 200, server="yardstick"),
    Scenario("bare", "bare page (GOV.UK base template)", "GET", "/bench/bare", 200),
    Scenario("start", "start page (list of forms)", "GET", "/request/", 200),
    Scenario("form_start", "a form's start page", "GET", "/request/foi", 200),
    Scenario("question", "question page", "GET", "/request/foi/full-name", 200),
    Scenario("check", "check answers page", "GET", "/request/foi/check-answers", 200),
    Scenario("answer", "question page POST (answer saved)", "POST", "/request/foi/full-name", 302,
             body=lambda client: form_body({"csrf_token": client.csrf, "full_name": "Zoë O'Brien"}),
             headers={**FORM, **UNLIMITED}),
]


@dataclasses.dataclass
class Measured:
    """What one scenario's measured windows added up to (over every round)."""

    seconds: float = 0.0
    records: list = dataclasses.field(default_factory=list)  # (latency s, ok, response bytes)
    failures: list = dataclasses.field(default_factory=list)
    server_cpu: dict = dataclasses.field(default_factory=dict)  # worker pid -> CPU seconds
    client_cpu: float = 0.0
    other_cpu: float = 0.0
    reconnects: int = 0


def run_load(scenario: Scenario, clients: list[Client], master_pid: int, warmup: float, duration: float,
             into: Measured) -> None:
    """Every client sends `scenario` back to back for warmup + duration s; the last `duration` s count."""
    start = time.perf_counter() + 0.2  # every thread is waiting by then
    measure_from, stop_at = start + warmup, start + warmup + duration
    reconnects_before = sum(c.reconnects for c in clients)

    def drive(client: Client) -> None:
        time.sleep(max(0.0, start - time.perf_counter()))
        while (began := time.perf_counter()) < stop_at:
            try:
                response = scenario.send(client)
                ok, size = response.status == scenario.expect, len(response.body)
                if not ok:
                    into.failures.append(f"status {response.status}")
            except (OSError, http.client.HTTPException) as exc:
                ok, size = False, 0
                into.failures.append(type(exc).__name__)
                client.reset()
            ended = time.perf_counter()
            if measure_from <= ended <= stop_at:
                into.records.append((ended - began, ok, size))

    threads = [threading.Thread(target=drive, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    pids = worker_pids(master_pid)
    time.sleep(max(0.0, measure_from - time.perf_counter()))
    server, client_cpu, machine = {p: cpu_seconds([p]) for p in pids}, time.process_time(), machine_busy_seconds()
    time.sleep(max(0.0, stop_at - time.perf_counter()))
    server = {pid: cpu_seconds([pid]) - before for pid, before in server.items()}
    client_cpu = time.process_time() - client_cpu
    into.other_cpu += machine_busy_seconds() - machine - sum(server.values()) - client_cpu
    into.client_cpu += client_cpu
    for pid, seconds in server.items():
        into.server_cpu[pid] = into.server_cpu.get(pid, 0.0) + seconds
    into.seconds += duration
    for thread in threads:
        thread.join()
    into.reconnects += sum(c.reconnects for c in clients) - reconnects_before


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))]


def summarise(scenario: Scenario, m: Measured) -> dict:
    latencies = sorted(latency * 1000 for latency, ok, _size in m.records if ok)
    sizes = [size for _latency, ok, size in m.records if ok]
    server_cpu = sum(m.server_cpu.values())
    return {
        "label": scenario.label,
        "request": f"{scenario.method} {scenario.path}",
        "expected_status": scenario.expect,
        "measured_s": m.seconds,
        "requests_per_second": round(len(latencies) / m.seconds, 1),
        "requests_per_worker_cpu_second": round(len(latencies) / server_cpu, 1) if server_cpu else None,
        "p50_ms": _round(percentile(latencies, 0.50)),
        "p95_ms": _round(percentile(latencies, 0.95)),
        "p99_ms": _round(percentile(latencies, 0.99)),
        "max_ms": _round(latencies[-1] if latencies else None),
        "ok": len(latencies),
        "errors": len(m.records) - len(latencies),
        "error_kinds": sorted(set(m.failures))[:5],
        "reconnects": m.reconnects,
        "response_kb": round(sum(sizes) / len(sizes) / 1024, 1) if sizes else None,
        "server_cpu_cores": round(server_cpu / m.seconds, 2),
        "server_cpu_split_percent": [round(100 * cpu / (server_cpu or 1)) for cpu in m.server_cpu.values()],
        "client_cpu_cores": round(m.client_cpu / m.seconds, 2),
        "other_processes_cpu_cores": round(max(0.0, m.other_cpu) / m.seconds, 2),
    }


def measure_pages(servers: dict[str, tuple[list[Client], int]], warmup: float, duration: float, rounds: int,
                  scenarios: list[Scenario] = SCENARIOS) -> dict:
    """Each scenario for duration/rounds s per round, the scenarios interleaved, so that a change in
    what else the machine is doing weighs on every page alike. `servers`: name -> (clients, master pid)."""
    measured = {scenario.name: Measured() for scenario in scenarios}
    for round_number in range(1, rounds + 1):
        for scenario in scenarios:
            clients, master_pid = servers[scenario.server]
            print(f"  round {round_number}/{rounds}: {scenario.server} {scenario.method} {scenario.path}", flush=True)
            run_load(scenario, clients, master_pid, warmup, duration / rounds, measured[scenario.name])
    return {scenario.name: summarise(scenario, measured[scenario.name]) for scenario in scenarios}


def ratios(scenarios: dict, key: str, to: str = "bare") -> dict:
    base = scenarios[to][key]
    return {name: round(row[key] / base, 2) if base and row[key] else None
            for name, row in scenarios.items() if name != to}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- the upload ---------------------------------------------------------------------------------------


def pdf_like(size: int) -> Iterator[bytes]:
    """`size` bytes that start like a PDF, generated a MiB at a time (the same random MiB, repeated)."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    block = os.urandom(MiB)
    yield head
    remaining = size - len(head)
    while remaining > 0:
        yield block[:remaining]
        remaining -= min(remaining, MiB)


def multipart(fields: dict, file_field: str, filename: str, size: int) -> tuple[str, int, Iterator[bytes]]:
    """A multipart/form-data body as (content type, length, chunks), the file part streamed."""
    boundary = "bench-" + secrets.token_hex(12)
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ) + (f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
         "Content-Type: application/pdf\r\n\r\n").encode()
    end = f"\r\n--{boundary}--\r\n".encode()
    chunks = itertools.chain([head], pdf_like(size), [end])
    return f"multipart/form-data; boundary={boundary}", len(head) + size + len(end), chunks


def measure_upload(port: int, master_pid: int, size_mb: int, sar_path: list) -> dict:
    """Fill a SAR up to its identity page, upload `size_mb` MB there, and watch the workers' memory."""
    client = Client(port, "127.0.2.1")
    fill(client, "sar", [step for step in itertools.takewhile(lambda s: s[0] != "identity", sar_path)])
    path = "/request/sar/identity"
    client.get_page(path)
    content_type, length, chunks = multipart({"csrf_token": client.csrf, "action": "upload"},
                                             "identity", "proof-of-identity.pdf", size_mb * MiB)
    pids = worker_pids(master_pid)
    before = {pid: memory_mb(pid) for pid in pids}
    sampler = RssSampler(pids)
    sampler.start()
    started = time.perf_counter()
    response = client.request("POST", path, chunks, {"Content-Type": content_type, "Content-Length": str(length)},
                              retry=False)
    seconds = time.perf_counter() - started
    time.sleep(0.5)  # memory freed after the response is sent shows in "after"
    peak = sampler.finish()
    after = {pid: memory_mb(pid) for pid in pids}
    page = client.request("GET", path)
    listed = page.status == 200 and b"Files added" in page.body and b"proof-of-identity.pdf" in page.body
    location = response.headers.get("Location", "")
    workers = [{
        "pid": pid,
        "rss_before_mb": round(before[pid].get("VmRSS", 0), 1),
        "rss_peak_mb": round(max(peak[pid], after[pid].get("VmRSS", 0)), 1),
        "rss_after_mb": round(after[pid].get("VmRSS", 0), 1),
        "growth_mb": round(max(peak[pid], after[pid].get("VmRSS", 0)) - before[pid].get("VmRSS", 0), 1),
        "hwm_before_mb": round(before[pid].get("VmHWM", 0), 1),
        "hwm_after_mb": round(after[pid].get("VmHWM", 0), 1),
    } for pid in pids]
    return {
        "request": f"POST {path} (action=upload, multipart, {length} bytes, Content-Length)",
        "file_mb": size_mb,
        "status": response.status,
        "location": location,
        "accepted": response.status == 302 and location.endswith(path) and listed,
        "errors_shown": page_errors(response.body) if response.status != 302 else [],
        "seconds": round(seconds, 2),
        "samples": sampler.samples,
        "sample_interval_ms": 50,
        "workers": workers,
        "max_growth_mb": max(w["growth_mb"] for w in workers),
        "max_hwm_growth_mb": round(max(w["hwm_after_mb"] - w["hwm_before_mb"] for w in workers), 1),
    }


# --- output -------------------------------------------------------------------------------------------


def print_header(results: dict) -> None:
    c = results["config"]
    print(f"\nCapture pages on the production server: {c['server']}, {c['cpus']} CPUs, http://127.0.0.1:{c['port']}")
    print(f"  database SQLite (WAL) in a throwaway {c['var_dir']}; jobs on SQLite; LOG_LEVEL=INFO, LOG_FORMAT=json")
    print(f"  virus scanning: {c['virus_scanning']}; pages in {'Welsh (WELSH_OFFERED on, Cymraeg chosen)' if c.get('language') == 'cy' else 'English (Welsh not offered)'}")
    print(f"  {c['clients']} concurrent clients (own session, draft and loopback address each; HTTP/1.1 keep-alive, "
          "which sync workers end after each response),")
    print(f"  per page: {c['duration_s']:g} s measured in {c['rounds']} interleaved rounds, each after "
          f"{c['warmup_s']:g} s of warm-up; "
          f"load average at start {c['load_average_at_start']}\n")


def print_table(results: dict) -> None:
    print(f"{'page':<36}{'req/s':>8}{'vs yard':>9}{'vs bare':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}"
          f"{'req/CPU-s':>11}{'vs yard':>9}{'vs bare':>9}{'server CPU':>12}{'client CPU':>12}{'other CPU':>11}")
    for name, row in results["scenarios"].items():
        yard = results["ratios_to_yardstick"].get(name, 1.0 if name == "yardstick" else None)
        ratio = results["ratios_to_bare"].get(name, 1.0 if name == "bare" else None)
        cpu_yard = results["cpu_ratios_to_yardstick"].get(name, 1.0 if name == "yardstick" else None)
        cpu_ratio = results["cpu_ratios_to_bare"].get(name, 1.0 if name == "bare" else None)
        print(f"{row['label']:<36}{row['requests_per_second']:>8.1f}{_fmt(yard, 2, ''):>9}{_fmt(ratio, 2, ''):>9}"
              f"{_fmt(row['p50_ms']):>8}{_fmt(row['p95_ms']):>8}{_fmt(row['p99_ms']):>8}{row['errors']:>8}"
              f"{_fmt(row['requests_per_worker_cpu_second']):>11}{_fmt(cpu_yard, 2, ''):>9}{_fmt(cpu_ratio, 2, ''):>9}"
              f"{row['server_cpu_cores']:>12.2f}{row['client_cpu_cores']:>12.2f}{row['other_processes_cpu_cores']:>11.2f}")
        if row["error_kinds"]:
            print(f"{'':<4}errors: {', '.join(row['error_kinds'])}")
    c = results["config"]
    print(f"  {' / '.join(row['request'] for row in results['scenarios'].values())}")
    print("  vs yard: the page's figure / the yardstick's, a minimal Flask app rendering GOV.UK Frontend's template with "
          "header, one input, a button and footer (bench/govuk_yardstick.py), same gunicorn config, in this run "
          "(issue 16: every public page >= 1.00)")
    print("  vs bare: the page's figure / the portal's bare shell page's (issue 3: req/s >= 0.50 for form pages)")
    print("  req/CPU-s: responses per second of gunicorn worker CPU, which no other load on the machine changes")
    print(f"  CPU in cores of {c['cpus']}: gunicorn workers / this load generator / every other process on the machine")
    busiest = max(row["other_processes_cpu_cores"] for row in results["scenarios"].values())
    if busiest >= 0.2:
        print(f"  NOTE: other processes used up to {busiest:.2f} cores while measuring: "
              "req/s and latencies are worse than on an idle machine")
    uneven = {row["label"]: row["server_cpu_split_percent"] for row in results["scenarios"].values()
              if max(row["server_cpu_split_percent"]) > 150 / len(row["server_cpu_split_percent"])}
    for label, split in uneven.items():
        print(f"  NOTE: {label}: uneven CPU split across workers ({'/'.join(map(str, split))} %)")


def print_upload(upload: dict, scanned: bool) -> None:
    verdict = "ACCEPTED" if upload["accepted"] else "NOT accepted"
    print(f"\n{upload['file_mb']} MB upload, {upload['request']}: {verdict} "
          f"(status {upload['status']}{' -> ' + upload['location'] if upload['location'] else ''}) in "
          f"{upload['seconds']:.1f} s, {'virus scanned by clamd' if scanned else 'NOT virus scanned'}")
    if upload["errors_shown"]:
        print(f"  error shown: {'; '.join(upload['errors_shown'])}")
    print(f"  worker RSS, sampled every {upload['sample_interval_ms']} ms ({upload['samples']} samples):")
    print(f"  {'pid':>8}{'before MB':>11}{'peak MB':>10}{'after MB':>10}{'growth MB':>11}{'VmHWM before -> after MB':>27}")
    for w in upload["workers"]:
        print(f"  {w['pid']:>8}{w['rss_before_mb']:>11.1f}{w['rss_peak_mb']:>10.1f}{w['rss_after_mb']:>10.1f}"
              f"{w['growth_mb']:>11.1f}{w['hwm_before_mb']:>15.1f} -> {w['hwm_after_mb']:.1f}")
    print(f"  largest growth of one worker: {upload['max_growth_mb']:.1f} MB sampled, "
          f"{upload['max_hwm_growth_mb']:.1f} MB by VmHWM, for a {upload['file_mb']} MB file")


def _fmt(value: float | None, places: int = 1, missing: str = "-") -> str:
    return missing if value is None else f"{value:.{places}f}"


def write_json(results: dict) -> None:
    language = results["config"].get("language", "en")
    path = RESULTS if language == "en" else RESULTS.with_name(f"{RESULTS.stem}_{language}{RESULTS.suffix}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nFigures written to {path.relative_to(ROOT)}")


# --- the run ------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--workers", type=int, default=2 * cores + 1,
                        help=f"gunicorn workers (default 2 x CPUs + 1 = {2 * cores + 1}; the README's command: 4)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (the README's command: 4)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class: sync (default) or gthread")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load before measuring, per page")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured per page, over all rounds")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (each with its own warm-up)")
    parser.add_argument("--upload-mb", type=int, default=100, help="size of the uploaded file in MB (0: skip)")
    parser.add_argument("--no-clamd", action="store_true", help="do not start clamd: uploads unscanned")
    parser.add_argument("--pages", default=",".join(s.name for s in SCENARIOS),
                        help="the scenarios to measure, comma-separated (yardstick and bare are always measured)")
    parser.add_argument("--language", choices=("en", "cy"), default="en",
                        help="the pages in English (Welsh not offered, as for a body in England) or in Welsh "
                             "(WELSH_OFFERED on, every client having chosen Cymraeg)")
    return parser.parse_args(argv)


def run_config(args: argparse.Namespace, config: ServerConfig, port: int, var_dir: Path, scanning: str) -> dict:
    return {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "server": config.describe(),
        "gunicorn": dataclasses.asdict(config) | {"effective_class": config.effective_class},
        "cpus": len(os.sched_getaffinity(0)),
        "load_average_at_start": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "port": port,
        "var_dir": str(var_dir),
        "virus_scanning": scanning,
        "clients": args.clients,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "language": args.language,
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    config = ServerConfig(args.workers, args.threads, args.worker_class)
    paths = happy_paths()
    wanted = {"yardstick", "bare", *args.pages.split(",")}
    if unknown := wanted - {s.name for s in SCENARIOS}:
        raise BenchError(f"--pages: no such scenario: {', '.join(sorted(unknown))}")
    scenarios = [s for s in SCENARIOS if s.name in wanted]
    var_dir = Path(tempfile.mkdtemp(prefix="bench-capture-"))
    try:
        with virus_scanner(not args.no_clamd) as (scanner_env, scanning, scanned):
            env = server_env(var_dir, scanner_env, args.language)
            migrate(env)
            with gunicorn(config, env, var_dir / "gunicorn.log") as (port, master), \
                    gunicorn(config, env, var_dir / "yardstick.log", app=YARDSTICK_APP) as (yard_port, yard_master):
                results = {"config": run_config(args, config, port, var_dir, scanning)}
                print_header(results)
                print(f"Filling the FOI form for {args.clients} clients ...", flush=True)
                clients = make_clients(port, args.clients, paths["foi"], args.language)
                yard_clients = [Client(yard_port, f"127.0.1.{n + 1}") for n in range(args.clients)]
                print(f"Measuring {len(scenarios)} pages in {args.rounds} interleaved rounds ...", flush=True)
                results["scenarios"] = measure_pages(
                    {"portal": (clients, master.pid), "yardstick": (yard_clients, yard_master.pid)},
                    args.warmup, args.duration, args.rounds, scenarios)
                results["ratios_to_yardstick"] = ratios(results["scenarios"], "requests_per_second", "yardstick")
                results["cpu_ratios_to_yardstick"] = ratios(results["scenarios"], "requests_per_worker_cpu_second",
                                                            "yardstick")
                results["ratios_to_bare"] = ratios(results["scenarios"], "requests_per_second")
                results["cpu_ratios_to_bare"] = ratios(results["scenarios"], "requests_per_worker_cpu_second")
                if args.upload_mb > 0:
                    print(f"Uploading {args.upload_mb} MB ...", flush=True)
                    results["upload"] = measure_upload(port, master.pid, args.upload_mb, paths["sar"])
                    results["upload"]["virus_scanned"] = scanned
        print()
        print_header(results)
        print_table(results)
        if "upload" in results:
            print_upload(results["upload"], scanned)
        write_json(results)
        return 0
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # for tests.support.clamd
    sys.exit(main(sys.argv[1:]))
