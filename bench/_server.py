"""What the benches share: the production server in a throwaway var folder, and its processes read from /proc.

Used by bench/capture_pages.py, bench/share_transfer.py and bench/disclosure_search.py (run as scripts
from the project root: each puts the root on sys.path and imports `bench._server`).

- The server: settings a bench must not inherit from the shell (INHERITED_SETTINGS_DROPPED),
  `flask db upgrade` (migrate), gunicorn on a free 127.0.0.1 port (ServerConfig, gunicorn(), or any
  command with background()), waiting for /healthz and every worker (wait_until_ready), stopping
  gracefully (stop), the last lines of a log (tail), and an optional private clamd (virus_scanner).
- Processes, from /proc: gunicorn's workers (the master's children), their CPU time, the machine's
  busy time, VmRSS / VmHWM / RssAnon / RssFile (memory_mb) and Pss (pss_mb), an RSS sampler thread and
  a context manager that reports each worker's memory growth over a step (watching).
"""
from __future__ import annotations

import contextlib
import dataclasses
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Variables that would point the bench at someone's real database, files, mail or scanner.
INHERITED_SETTINGS_DROPPED = (
    "DATABASE_URL", "FILE_STORE", "FILE_STORE_PATH", "S3_BUCKET", "S3_ENDPOINT_URL", "MAILER", "REDIS_URL",
    "RATELIMIT_STORAGE_URI", "CLAMD_HOST", "CLAMD_PORT", "CLAMD_SOCKET", "SECRET_KEY", "FILE_STORE_KEK",
    "CASE_SYSTEM_URL", "CASE_SYSTEM_SECRET", "BASE_URL", "SESSION_COOKIE_SECURE",
)


class BenchError(RuntimeError):
    """The bench could not do what it measures (not a slow figure: a broken set-up)."""


# --- the server --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ServerConfig:
    workers: int
    threads: int
    worker_class: str
    timeout: int = 120  # a 100 MB upload on a sync worker must not be killed as a hung worker

    @property
    def effective_class(self) -> str:
        # gunicorn switches a sync worker with more than one thread to gthread by itself
        return "gthread" if self.worker_class == "sync" and self.threads > 1 else self.worker_class

    def describe(self) -> str:
        threads = f"{self.threads} thread{'s' if self.threads > 1 else ''}"
        return f"gunicorn {self.effective_class}, {self.workers} workers x {threads}, timeout {self.timeout} s"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "portal.app:create_app", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def gunicorn(config: ServerConfig, env: dict[str, str], log_path: Path,
             app: str = "bench.bare_app:app", ready_limit: float = 60) -> Iterator[tuple[int, subprocess.Popen]]:
    """Start gunicorn serving `app` on a free port; yield (port, master process); stop it on exit."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(config.workers),
               "--threads", str(config.threads), "--worker-class", config.worker_class,
               "--timeout", str(config.timeout), "--chdir", str(ROOT), app]
    with open(log_path, "wb") as log:
        master = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_ready(port, master, config.workers, log_path, ready_limit)
        yield port, master
    finally:
        stop(master)


@contextlib.contextmanager
def background(command: list[str], env: dict[str, str], log_path: Path, stop_signal=signal.SIGTERM):
    """Any long-running command, its output to `log_path`; stopped with `stop_signal` on exit."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop(process, stop_signal)


def wait_until_ready(port: int, master: subprocess.Popen, workers: int, log_path: Path, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if master.poll() is not None:
            raise BenchError(f"gunicorn exited ({master.returncode}):\n{tail(log_path)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200 and len(worker_pids(master.pid)) == workers:
                return
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /healthz within {limit:.0f} s:\n{tail(log_path)}")


def stop(process: subprocess.Popen, stop_signal=signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(stop_signal)  # gunicorn: SIGTERM is a graceful shutdown of master and workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def tail(path: Path, lines: int = 20) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no log)"


def git_commit() -> str:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    return ""


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


@contextlib.contextmanager
def virus_scanner(wanted: bool) -> Iterator[tuple[dict[str, str], str, bool]]:
    """Yield (settings for the server, what the output says about scanning, whether files are scanned)."""
    if not wanted:
        yield {}, "OFF (--no-clamd): uploads are NOT virus scanned", False
        return
    try:
        import pytest
        from tests.support.clamd import CLAMD, running_clamd
    except ImportError as exc:
        yield {}, f"OFF ({exc.name} is not installed: run `make test` once): uploads are NOT virus scanned", False
        return
    if not CLAMD.exists():
        yield {}, f"OFF ({CLAMD} is not installed): uploads are NOT virus scanned", False
        return
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(running_clamd())
        except (Exception, pytest.fail.Exception) as exc:
            yield {}, f"OFF (clamd did not start: {str(exc).splitlines()[0]}): uploads are NOT virus scanned", False
            return
        yield ({"CLAMD_SOCKET": server.socket_path},
               "clamd (private instance, the project's signature DB, tests/support/clamd.py)", True)


# --- processes, from /proc ----------------------------------------------------------------------------


def worker_pids(master_pid: int) -> list[int]:
    """The master's children: gunicorn's workers."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(_stat_fields(int(entry))[1]) == master_pid:
                    pids.append(int(entry))
    return sorted(pids)


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: [state, ppid, ...]; utime and stime are [11] and [12]."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes (every thread of each), in seconds."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = _stat_fields(pid)
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used (the first line of /proc/stat, idle and iowait left out)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now), VmHWM (peak RSS since the process started) and the RSS split into RssAnon (the
    process's own memory) and RssFile (pages of mapped files, shared with other processes), in MB."""
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                values[key] = int(rest.split()[0]) / 1024  # kB -> MB
    return values


def pss_mb(pid: int) -> float | None:
    """Proportional set size: the RSS with each shared page divided among the processes mapping it, so
    the sum over a master and its workers counts shared (copy-on-write, mmapped) pages once."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    return None


class RssSampler(threading.Thread):
    """Samples the RSS of the given processes every `interval` seconds, keeping each one's peak."""

    def __init__(self, pids: list[int], interval: float = 0.05):
        super().__init__(daemon=True)
        self.pids, self.interval = pids, interval
        self.peak = {pid: 0.0 for pid in pids}
        self.samples = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], memory_mb(pid).get("VmRSS", 0.0))
            self.samples += 1
            self._done.wait(self.interval)

    def finish(self) -> dict[int, float]:
        self._done.set()
        self.join()
        return self.peak


def rss_report(pids: list[int], before: dict, peak: dict, after: dict) -> list[dict]:
    rows = []
    for pid in pids:
        top = max(peak[pid], after[pid].get("VmRSS", 0.0))
        rows.append({"pid": pid, "rss_before_mb": round(before[pid].get("VmRSS", 0), 1),
                     "rss_peak_mb": round(top, 1), "rss_after_mb": round(after[pid].get("VmRSS", 0), 1),
                     "growth_mb": round(top - before[pid].get("VmRSS", 0), 1),
                     "hwm_before_mb": round(before[pid].get("VmHWM", 0), 1),
                     "hwm_after_mb": round(after[pid].get("VmHWM", 0), 1)})
    return rows


@contextlib.contextmanager
def watching(master_pid: int) -> Iterator[dict]:
    """Each gunicorn worker's RSS before, sampled peak during and after the block, into the yielded dict."""
    pids = worker_pids(master_pid)
    before = {pid: memory_mb(pid) for pid in pids}
    sampler = RssSampler(pids)
    result: dict = {}
    sampler.start()
    try:
        yield result
    finally:
        time.sleep(0.5)  # memory freed after the response shows in "after"
        peak = sampler.finish()
        after = {pid: memory_mb(pid) for pid in pids}
        result["workers"] = rss_report(pids, before, peak, after)
        result["samples"] = sampler.samples
        result["max_growth_mb"] = max(w["growth_mb"] for w in result["workers"])
        result["max_hwm_growth_mb"] = round(max(w["hwm_after_mb"] - w["hwm_before_mb"] for w in result["workers"]), 1)
