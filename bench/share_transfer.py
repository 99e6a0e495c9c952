"""Secure Share: a 1 GB document up through the API and down as the requester, on the production server
(issue 5, "Speed and size"). Prints figures only.

    .venv/bin/python bench/share_transfer.py            # after `make run` or `make test` has set things up
    .venv/bin/python bench/share_transfer.py --help     # workers, size, --no-clamd, --server
    .venv/bin/python bench/share_transfer.py --size-mb 512 --no-clamd   # issue 16: transfer vs one core's AES-GCM

The server is the production one by default (`gunicorn -c deploy/gunicorn.conf.py`: gthread, 4 threads,
2 x cores + 1 workers); `--server sync` runs the old sync workers instead. One core's AES-256-GCM encryption
and decryption speed of 64 KiB chunks (in this process, just before the transfers) is printed with them,
with each transfer's ratio to it (issue 16: download >= 0.5 of decryption, upload >= 0.5 of encryption).

What it measures, and how:

1. The server. A throwaway PORTAL_VAR_DIR in /tmp (SQLite database migrated with `flask db upgrade`,
   local encrypted file store, mail outbox, and TMPDIR for the server's spool files), gunicorn (production
   config or sync workers, --server) on a free 127.0.0.1 port serving `portal.app:create_app()`, and `flask worker` (Huey on
   SQLite: JOB_BACKEND=immediate does not suit several gunicorn processes) which writes the emails to
   the outbox (MAILER=outbox). SHARE_MAX_DOCUMENT=2GB, RATELIMIT_DEFAULT high enough not to throttle.
   Virus scanning: a private clamd (tests/support/clamd.py, its largest limits); if it cannot start, the
   output says so and the upload is not scanned.
2. Upload. An API key (`flask api-key create --scope shares:write`), POST /api/v1/shares, then
   POST /api/v1/shares/{id}/documents?filename=... with the document as the raw body (Content-Length
   given, application/pdf): 1 GiB generated a MiB at a time, a MiB block that starts with %PDF- repeated,
   so neither the client nor anything else holds it in memory. Timed until the 201 arrives (spool, type
   check, clamd scan, encryption, store). The RSS (VmRSS) of every gunicorn worker (the master's children
   in /proc) is sampled every 50 ms; reported: the largest growth of one worker over its RSS before.
3. Download. `flask share send` prints the link; the requester signs in as a browser does (GET the link,
   POST .../code, the code read from the .eml the worker wrote to the outbox, POST .../sign-in), then
   GET /documents/<token>/files/<id> is read in 1 MiB pieces and each piece compared with what was
   uploaded (memcmp against the repeated block, no hashing to slow the client). Throughput compared with
   `cat FILE > /dev/null` of a plain file of the same size written once to the same disk (the var folder)
   in the same run, just before the download; both figures are reported as they are. Worker RSS as above.
4. A table on stdout and the same figures as JSON in bench/results/share_transfer.json. gunicorn, the
   worker and clamd are stopped and the temporary folder (the stored document and the plain file,
   1 GiB each) removed, whatever happens.

Aims from the issue: download >= 80% of the speed of cat, and memory growth < 50 MB, for the download
and for the upload including the virus scan. Nothing here asserts: the figures are for reading.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import email
import email.policy
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # for bench._server and tests.support.clamd

from bench._server import (  # noqa: E402 - the server plumbing every bench shares
    INHERITED_SETTINGS_DROPPED, BenchError, background, free_port, git_commit, migrate, tail, virus_scanner,
    wait_until_ready, watching, worker_pids,
)

BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "share_transfer.json"
MiB = 1024 * 1024
AIM_RATIO = 0.80
AIM_GROWTH_MB = 50.0
AIM_CIPHER_RATIO = 0.5
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SUBJECT_CODE = re.compile(r"^(\d{6}) is your security code")
FLASK = [str(BIN / "flask"), "--app", "portal.app:create_app"]


# --- the document: one MiB block that starts with %PDF-, repeated -----------------------------------

def make_block() -> bytes:
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    return head + os.urandom(MiB - len(head))


def document_chunks(block: bytes, size: int) -> Iterator[bytes]:
    """`size` bytes, a MiB at a time, never more than one block in memory."""
    remaining = size
    while remaining > 0:
        piece = block if remaining >= MiB else block[:remaining]
        yield piece
        remaining -= len(piece)


class Verifier:
    """Checks received bytes against the repeated block as they arrive (memcmp only).

    bytes against bytes: comparing two memoryviews goes item by item (about 1 GB/s here, which made this
    client the slowest part of the download); a copy to bytes and memcmp run at some 20 GB/s."""

    def __init__(self, block: bytes):
        self.block = block
        self.position = 0
        self.mismatch_at: int | None = None

    def feed(self, data: memoryview) -> None:
        offset = 0
        while offset < len(data):
            start = (self.position + offset) % MiB
            n = min(MiB - start, len(data) - offset)
            if self.mismatch_at is None and bytes(data[offset:offset + n]) != self.block[start:start + n]:
                self.mismatch_at = self.position + offset
            offset += n
        self.position += len(data)


# --- processes ------------------------------------------------------------------------------------

def server_env(var_dir: Path, scanner_env: dict[str, str], port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_SETTINGS_DROPPED}
    (var_dir / "tmp").mkdir()
    env.update({
        "PORTAL_ENV": "development",
        "PORTAL_VAR_DIR": str(var_dir),
        "TMPDIR": str(var_dir / "tmp"),  # the server's spool files go with the rest, and are removed with it
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FILE_STORE_KEK": base64.b64encode(os.urandom(32)).decode(),
        "CASE_SYSTEM_SECRET": secrets.token_urlsafe(32),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "JOB_BACKEND": "sqlite",
        "MAILER": "outbox",
        "RATELIMIT_DEFAULT": "1000000 per minute",
        "SHARE_MAX_DOCUMENT": "2GB",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",  # a JSON line per request, as in production
        "CLAMD_SOCKET": "",  # no automatic pick-up of a system clamd socket
        **scanner_env,
    })
    return env


def run_flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*FLASK, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


# --- HTTP -------------------------------------------------------------------------------------------

class Browser:
    """One requester: cookies kept (path ignored: every request here is under /documents), a new
    connection per request (sync workers close it after each response anyway)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def headers(self, extra: dict | None = None) -> dict:
        headers = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) share-transfer-bench", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def keep(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        connection = self.connection()
        body = urlencode(form) if form is not None else None
        extra = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        connection.request(method, path, body=body, headers=self.headers(extra))
        response = connection.getresponse()
        data = response.read()
        self.keep(response)
        connection.close()
        return response.status, dict(response.headers), data.decode("utf-8", "replace")


def api(port: int, key: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    try:
        return response.status, json.loads(data)
    except ValueError:
        return response.status, {"raw": data[:500].decode("utf-8", "replace")}


# --- the steps ----------------------------------------------------------------------------------------

def upload(port: int, master_pid: int, key: str, share_id: str, block: bytes, size: int) -> dict:
    path = f"/api/v1/shares/{share_id}/documents?{urlencode({'filename': 'bench-document.pdf'})}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    with watching(master_pid) as memory:
        started = time.perf_counter()
        connection.request("POST", path, body=document_chunks(block, size),
                           headers={"Authorization": f"Bearer {key}", "Content-Type": "application/pdf",
                                    "Content-Length": str(size)})
        response = connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - started
    connection.close()
    try:
        body = json.loads(data)
    except ValueError:
        body = {"raw": data[:500].decode("utf-8", "replace")}
    return {"request": f"POST {path} (raw body, Content-Length {size}, application/pdf)", "status": response.status,
            "accepted": response.status == 201, "document": {k: body.get(k) for k in ("id", "content_type", "size")
                                                               if k in body} or body,
            "seconds": round(seconds, 2), "mb_per_s": round(size / 1e6 / seconds, 1), **memory}


def read_code(outbox: Path, seen: set[str], limit: float = 60) -> str:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
            if path.name in seen:
                continue
            seen.add(path.name)
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            match = SUBJECT_CODE.match(str(message["Subject"] or ""))
            if match:
                return match.group(1)
        time.sleep(0.2)
    raise BenchError(f"no security code email in {outbox} within {limit:.0f} s (is `flask worker` running?)")


def sign_in(port: int, link_path: str, outbox: Path) -> Browser:
    browser = Browser(port)
    seen = {p.name for p in outbox.glob("*.eml")} if outbox.exists() else set()
    status, _headers, page = browser.request("GET", link_path)
    token = CSRF.search(page)
    if status != 200 or not token:
        raise BenchError(f"GET {link_path}: {status}, no sign-in form")
    status, _headers, _page = browser.request("POST", f"{link_path}/code", {"csrf_token": token.group(1)})
    if status != 302:
        raise BenchError(f"POST {link_path}/code: {status}")
    code = read_code(outbox, seen)
    status, headers, _page = browser.request("POST", f"{link_path}/sign-in", {"csrf_token": token.group(1), "code": code})
    if status != 302 or not headers.get("Location", "").endswith("/files") or "share_session" not in browser.cookies:
        raise BenchError(f"POST {link_path}/sign-in: {status} -> {headers.get('Location')}, not signed in")
    return browser


def cipher_speed(seconds: float = 0.2, rounds: int = 5, chunk: int = 64 * 1024) -> dict:
    """One core's AES-256-GCM encryption and decryption of `chunk`-byte chunks, MB/s, the best of `rounds`
    (the machine is shared: the best round is the nearest to one whole core); as the store does it, a fresh
    output buffer per chunk, 12-byte nonce, 16-byte AAD."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead, nonce, aad, data = AESGCM(AESGCM.generate_key(256)), os.urandom(12), os.urandom(16), os.urandom(chunk)
    sealed = aead.encrypt(nonce, data, aad)
    figures = {"chunk_bytes": chunk}
    for name, work in (("encrypt", lambda: aead.encrypt(nonce, data, aad)), ("decrypt", lambda: aead.decrypt(nonce, sealed, aad))):
        best = 0.0
        for _ in range(rounds):
            count, started = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - started) < seconds:
                for _ in range(64):
                    work()
                count += 64
            best = max(best, count * chunk / 1e6 / elapsed)
        figures[f"{name}_mb_per_s"] = round(best, 1)
    return figures


def cat_speed(path: Path, block: bytes, size: int) -> dict:
    with open(path, "wb") as out:
        for piece in document_chunks(block, size):
            out.write(piece)
        out.flush()
        os.fsync(out.fileno())
    started = time.perf_counter()
    with open(path, "rb") as source, open(os.devnull, "wb") as sink:
        subprocess.run(["cat"], stdin=source, stdout=sink, check=True)
    seconds = time.perf_counter() - started
    return {"command": f"cat {path.name} > /dev/null (written once with fsync just before)", "bytes": size,
            "seconds": round(seconds, 3), "mb_per_s": round(size / 1e6 / seconds, 1)}


def workers_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of every gunicorn worker so far: what serving cost, whatever else ran."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in worker_pids(master_pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def download(browser: Browser, master_pid: int, path: str, block: bytes, size: int) -> dict:
    verifier = Verifier(block)
    cpu_before, client_before = workers_cpu_seconds(master_pid), os.times()
    buffer = bytearray(MiB)
    view = memoryview(buffer)
    connection = browser.connection()
    with watching(master_pid) as memory:
        started = time.perf_counter()
        connection.request("GET", path, headers=browser.headers())
        response = connection.getresponse()
        first_byte = time.perf_counter() - started
        while True:
            n = response.readinto(view)
            if not n:
                break
            verifier.feed(view[:n])
        seconds = time.perf_counter() - started
    cpu, client_after = workers_cpu_seconds(master_pid) - cpu_before, os.times()
    client_cpu = client_after.user + client_after.system - client_before.user - client_before.system
    headers = dict(response.headers)
    connection.close()
    received = verifier.position
    return {"request": f"GET {path}", "status": response.status, "content_type": headers.get("Content-Type"),
            "content_length": headers.get("Content-Length"), "bytes": received,
            "complete_and_identical": response.status == 200 and received == size and verifier.mismatch_at is None,
            "first_mismatch_at": verifier.mismatch_at, "first_byte_s": round(first_byte, 3),
            "seconds": round(seconds, 3), "mb_per_s": round(received / 1e6 / seconds, 1),
            "server_cpu_s": round(cpu, 2), "client_cpu_s": round(client_cpu, 2), "server_cpu_mb_per_s": round(received / 1e6 / cpu, 1) if cpu else None,
            **memory}


# --- output -------------------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "meets aim" if ok else "MISSES aim"


def print_report(results: dict) -> None:
    c, up, down, cat = results["config"], results.get("upload"), results.get("download"), results.get("cat")
    aes = results.get("cipher")
    print(f"\nSecure Share transfer on the production server: {c['server']}, {c['cpus']} CPUs, "
          f"http://127.0.0.1:{c['port']}")
    print(f"  load average at start {c['load_average_at_start']}; at end {c.get('load_average_at_end', '-')}")
    print(f"  var folder {c['var_dir']} (SQLite, encrypted local file store, outbox); jobs on SQLite with `flask worker`")
    print(f"  virus scanning: {c['virus_scanning']}")
    print(f"  document: {c['size_bytes']} bytes ({c['size_bytes'] / MiB:.0f} MiB), a MiB starting with %PDF- repeated; "
          "MB = 10^6 bytes, RSS in MiB\n")
    if aes:
        print(f"  one core's AES-256-GCM, {aes['chunk_bytes'] // 1024} KiB chunks, this run: encrypt {aes['encrypt_mb_per_s']:.1f} MB/s,"
              f" decrypt {aes['decrypt_mb_per_s']:.1f} MB/s (load average then {aes['load_average']})")
        if up:
            print(f"  upload / encrypt = {up['mb_per_s'] / aes['encrypt_mb_per_s']:.2f}", end="")
        if down:
            print(f"{';' if up else ' '} download / decrypt = {down['mb_per_s'] / aes['decrypt_mb_per_s']:.2f}"
                  f" (aim >= {AIM_CIPHER_RATIO})", end="")
        print("\n")
    print(f"{'transfer':<44}{'status':>7}{'seconds':>9}{'MB/s':>8}{'vs cat':>8}{'RSS growth':>12}{'VmHWM growth':>14}")
    if up:
        print(f"{'upload, API, ' + ('clamd scanned' if up['virus_scanned'] else 'NOT scanned'):<44}{up['status']:>7}"
              f"{up['seconds']:>9.2f}{up['mb_per_s']:>8.1f}{'':>8}{up['max_growth_mb']:>12.1f}{up['max_hwm_growth_mb']:>14.1f}")
    if cat:
        print(f"{'cat plain file > /dev/null (same disk)':<44}{'':>7}{cat['seconds']:>9.2f}{cat['mb_per_s']:>8.1f}"
              f"{1:>8.2f}{'':>12}{'':>14}")
    if down:
        print(f"{'download, signed-in requester':<44}{down['status']:>7}{down['seconds']:>9.2f}{down['mb_per_s']:>8.1f}"
              f"{results['download_ratio_to_cat'] or 0:>8.2f}{down['max_growth_mb']:>12.1f}{down['max_hwm_growth_mb']:>14.1f}")
    if down:
        print(f"  download: the workers used {down['server_cpu_s']:.2f} CPU s (user + system): "
              f"{down['server_cpu_mb_per_s'] or 0:.1f} MB per CPU second"
              + (f" ({down['server_cpu_mb_per_s'] / aes['decrypt_mb_per_s']:.2f} of decryption alone)" if aes and down['server_cpu_mb_per_s'] else "")
              + f"; this client (read + compare) {down['client_cpu_s']:.2f} CPU s")
    print("  RSS growth: the largest of one gunicorn worker, peak (VmRSS sampled every 50 ms) minus before")
    for name, row in (("upload", up), ("download", down)):
        if not row:
            continue
        print(f"  {name} workers: " + "; ".join(f"pid {w['pid']} {w['rss_before_mb']:.1f} -> peak {w['rss_peak_mb']:.1f}"
                                              f" -> {w['rss_after_mb']:.1f}" for w in row["workers"])
              + f" ({row['samples']} samples)")
    if up:
        print(f"  upload: {'ACCEPTED' if up['accepted'] else 'NOT accepted'} {json.dumps(up['document'])}")
    if down:
        print(f"  download: {down['bytes']} bytes, {'complete and identical to the upload' if down['complete_and_identical'] else 'NOT complete/identical (first mismatch at ' + str(down['first_mismatch_at']) + ')'}"
              f", Content-Type {down['content_type']}, first byte after {down['first_byte_s']:.3f} s")
    aims = results.get("aims", {})
    if aims:
        print(f"  aims (>= {AIM_RATIO:.0%} of cat, growth < {AIM_GROWTH_MB:.0f} MB):"
              + "".join(f"  {k}: {verdict(v)};" for k, v in aims.items()))
    if cat:
        print("  NOTE: the plain file was written just before cat, so cat most likely read it from the page cache"
              " (memory), as the server most likely read the just-stored document; neither figure is a cold disk read")
    load = c.get("load_average_at_end")
    if load and float(load.split()[0]) >= c["cpus"] * 0.5:
        print(f"  NOTE: the machine was loaded (load average {load} on {c['cpus']} CPUs): throughput figures are lower than idle")


def write_json(results: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nFigures written to {RESULTS.relative_to(ROOT)}")


# --- the run ------------------------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--server", choices=("production", "sync"), default="production",
                        help="production: gunicorn -c deploy/gunicorn.conf.py (gthread; the default); "
                             "sync: --worker-class sync, the bench's old server")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers (default: the config's 2 x cores + 1 for production, 2 for sync)")
    parser.add_argument("--size-mb", type=int, default=1024, help="document size in MiB (default 1024: 1 GiB)")
    parser.add_argument("--no-clamd", action="store_true", help="do not start clamd: the upload is not scanned")
    return parser.parse_args(argv)


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)  # so every `finally` below stops the processes and removes the files


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    size = args.size_mb * MiB
    block = make_block()
    load_start = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"load average at start: {load_start} ({len(os.sched_getaffinity(0))} CPUs)", flush=True)
    var_dir = Path(tempfile.mkdtemp(prefix="bench-share-"))
    timeout = 1800
    results: dict = {}
    try:
        with virus_scanner(not args.no_clamd) as (scanner_env, scanning, scanned):
            print(f"virus scanning: {scanning}", flush=True)
            port = free_port()
            env = server_env(var_dir, scanner_env, port)
            migrate(env)
            key = run_flask(env, "api-key", "create", "share transfer bench", "--scope", "shares:write").strip().splitlines()[-1]
            if args.server == "production":
                workers = args.workers or os.cpu_count() * 2 + 1  # the config's own default
                command = [str(BIN / "gunicorn"), "-c", str(CONFIG), "--bind", f"127.0.0.1:{port}",
                           "--workers", str(workers), "--chdir", str(ROOT), "portal.app:create_app()"]
                server = (f"gunicorn -c deploy/gunicorn.conf.py (gthread, {env.get('PORTAL_THREADS', '4')} threads),"
                          f" {workers} workers")
            else:
                workers = args.workers or 2
                command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                           "--worker-class", "sync", "--timeout", str(timeout), "--chdir", str(ROOT),
                           "portal.app:create_app()"]
                server = f"gunicorn sync, {workers} workers x 1 thread, timeout {timeout} s"
            print(f"server: {server}", flush=True)
            with background([*FLASK, "worker", "--workers", "1"], env, var_dir / "worker.log", signal.SIGINT), \
                    background(command, env, var_dir / "gunicorn.log") as master:
                wait_until_ready(port, master, workers, var_dir / "gunicorn.log")
                results["config"] = {
                    "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "commit": git_commit(),
                    "server": server,
                    "cpus": len(os.sched_getaffinity(0)), "load_average_at_start": load_start, "port": port,
                    "var_dir": str(var_dir), "virus_scanning": scanning, "size_bytes": size,
                }
                status, share = api(port, key, "POST", "/api/v1/shares", {
                    "case_reference": "SAR-BENCH-0001", "recipient_name": "Bench Requester",
                    "recipient_email": "requester@example.com", "expires_in_days": 7})
                if status != 201:
                    raise BenchError(f"POST /api/v1/shares: {status} {share}")
                print("Timing one core's AES-256-GCM ...", flush=True)
                results["cipher"] = cipher_speed() | {"load_average": " ".join(f"{v:.2f}" for v in os.getloadavg())}
                print(f"Uploading {size / MiB:.0f} MiB through the API ...", flush=True)
                results["upload"] = upload(port, master.pid, key, share["id"], block, size) | {"virus_scanned": scanned}
                if not results["upload"]["accepted"]:
                    print(f"upload refused: {results['upload']['status']} {results['upload']['document']}\n"
                          f"{tail(var_dir / 'gunicorn.log')}", flush=True)
                else:
                    link = run_flask(env, "share", "send", share["id"]).strip().splitlines()[-1]
                    link_path = urlsplit(link).path
                    print("Signing in as the requester (code from the outbox) ...", flush=True)
                    browser = sign_in(port, link_path, var_dir / "outbox")
                    print("Writing the plain file and timing cat ...", flush=True)
                    results["cat"] = cat_speed(var_dir / "plain-file.bin", block, size)
                    (var_dir / "plain-file.bin").unlink()
                    print("Downloading ...", flush=True)
                    document_id = results["upload"]["document"]["id"]
                    results["download"] = download(browser, master.pid, f"{link_path}/files/{document_id}", block, size)
                    results["download_ratio_to_cat"] = round(results["download"]["mb_per_s"] / results["cat"]["mb_per_s"], 2)
        up, down = results.get("upload"), results.get("download")
        results["aims"] = {}
        if up and up["accepted"]:
            results["aims"]["upload memory"] = up["max_growth_mb"] < AIM_GROWTH_MB
        if down:
            results["aims"]["download speed"] = (results["download_ratio_to_cat"] or 0) >= AIM_RATIO
            results["aims"]["download memory"] = down["max_growth_mb"] < AIM_GROWTH_MB
            results["aims"]["download vs decrypt"] = down["mb_per_s"] >= AIM_CIPHER_RATIO * results["cipher"]["decrypt_mb_per_s"]
        if up and up["accepted"] and not up["virus_scanned"]:
            results["aims"]["upload vs encrypt (scanner off)"] = up["mb_per_s"] >= AIM_CIPHER_RATIO * results["cipher"]["encrypt_mb_per_s"]
        results["config"]["load_average_at_end"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
        print_report(results)
        write_json(results)
        return 0
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
