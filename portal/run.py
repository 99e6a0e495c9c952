"""`make run`: the web server, the background worker and the reference case system together, each line of
their output headed by its name; the address is printed once the web server answers. Ctrl-C stops them all."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO

from portal.services import SCANNER_OFF
from portal.settings import Settings

BIN = Path(sys.executable).parent
APP = ["--app", "portal.app:create_app"]
COLOURS = {"web": "36", "worker": "35", "case-system": "33", "seed-demo": "32"}  # ANSI: cyan, magenta, ...
STARTUP_SECONDS = 60


class Prefixed:
    """Writes each child's lines as `name | line`, names padded to one width, one line at a time."""

    def __init__(self, names, colour: bool):
        self.width = max(map(len, names))
        self.colour = colour
        self.lock = threading.Lock()

    def line(self, name: str, text: str) -> None:
        label = f"{name:<{self.width}} |"
        if self.colour:
            label = f"\033[{COLOURS.get(name, '0')}m{label}\033[0m"
        with self.lock:
            print(f"{label} {text.rstrip()}", flush=True)

    def follow(self, name: str, stream: IO[str]) -> threading.Thread:
        def copy():
            for text in stream:
                self.line(name, text)

        thread = threading.Thread(target=copy, name=f"output of {name}", daemon=True)
        thread.start()
        return thread


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _listening(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def _started(checks: list, processes: dict[str, subprocess.Popen]) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while checks := [check for check in checks if not check()]:
        if any(p.poll() is not None for p in processes.values()) or time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def main(host: str = "127.0.0.1", port: int = 5000, case_system_port: int = 5001) -> int:
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # each line as it is written, not when a pipe's buffer fills
    commands = {
        "web": [BIN / "flask", *APP, "run", "--host", host, "--port", str(port), "--no-reload"],
        "worker": [BIN / "flask", *APP, "worker"],
    }
    if "CASE_SYSTEM_URL" not in env:
        # Out of the box, submissions go to the reference case system so a new user sees one arrive.
        env["CASE_SYSTEM_URL"] = f"http://{host}:{case_system_port}/cases"
        commands["case-system"] = [BIN / "flask", *APP, "case-system", "serve", "--port", str(case_system_port)]
    scanner_off = not Settings.from_env(env).scanner_configured
    # Every process that builds the services (seed-demo, web, worker, case-system) would warn that virus
    # scanning is off: the children keep quiet and the banner below says it once, where it is seen.
    env["SCANNER_WARNING"] = "false"
    out = Prefixed([*commands, "seed-demo"], colour=sys.stdout.isatty())

    # seed-demo's lines go in the banner; its logs (a line per demo publication and upload) only on error.
    seeded = subprocess.run([BIN / "flask", *APP, "seed-demo"], env={**env, "LOG_LEVEL": "ERROR"},
                            capture_output=True, text=True)
    for text in seeded.stderr.splitlines():
        out.line("seed-demo", text)
    if seeded.returncode:
        for text in seeded.stdout.splitlines():
            out.line("seed-demo", text)
        return seeded.returncode

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped from outside: stop the children too
    processes: dict[str, subprocess.Popen] = {}
    readers = []
    try:
        for name, command in commands.items():
            processes[name] = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                               text=True, bufsize=1)
            readers.append(out.follow(name, processes[name].stdout))
        ready = [lambda: _answers(f"http://{host}:{port}/healthz")]
        if "case-system" in commands:
            ready.append(lambda: _listening(host, case_system_port))
        if _started(ready, processes):
            banner = [f"The portal is running at http://{host}:{port}  (Ctrl-C stops it)"]
            if "case-system" in commands:
                banner.append(f"Submissions arrive at the reference case system: http://{host}:{case_system_port}/")
            banner += seeded.stdout.splitlines()
            if scanner_off:
                banner.append(SCANNER_OFF)
            print("\n" + "\n".join(f"  {text}" for text in banner) + "\n", flush=True)
        elif all(p.poll() is None for p in processes.values()):
            print(f"The portal did not answer http://{host}:{port}/healthz within {STARTUP_SECONDS} s", file=sys.stderr)
        while all(p.poll() is None for p in processes.values()):
            time.sleep(0.5)
        stopped = [name for name, p in processes.items() if p.poll() is not None]
        print(f"{', '.join(stopped)} stopped; stopping the rest", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # stops werkzeug and the Huey consumer cleanly
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        for reader in readers:
            reader.join(timeout=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
