"""`make run`: the web server and the background worker together; Ctrl-C stops both."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
APP = ["--app", "portal.app:create_app"]


def main(host: str = "127.0.0.1", port: int = 5000, case_system_port: int = 5001) -> int:
    env = dict(os.environ)
    commands = {
        "web": [BIN / "flask", *APP, "run", "--host", host, "--port", str(port), "--no-reload"],
        "worker": [BIN / "flask", *APP, "worker"],
    }
    if "CASE_SYSTEM_URL" not in env:
        # Out of the box, submissions go to the reference case system so a new user sees one arrive.
        env["CASE_SYSTEM_URL"] = f"http://{host}:{case_system_port}/cases"
        commands["case system"] = [BIN / "flask", *APP, "case-system", "serve", "--port", str(case_system_port)]
    subprocess.run([BIN / "flask", *APP, "seed-demo"], check=True, env=env)
    processes = {name: subprocess.Popen(command, env=env) for name, command in commands.items()}
    print(f"\n  The portal is running at http://{host}:{port}  (Ctrl-C stops it)", flush=True)
    if "case system" in commands:
        print(f"  Submissions arrive at the reference case system: http://{host}:{case_system_port}/\n", flush=True)
    try:
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
