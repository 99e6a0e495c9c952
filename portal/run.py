"""`make run`: the web server and the background worker together; Ctrl-C stops both."""
from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
APP = ["--app", "portal.app:create_app"]


def main(host: str = "127.0.0.1", port: int = 5000) -> int:
    subprocess.run([BIN / "flask", *APP, "seed-demo"], check=True)
    commands = {
        "web": [BIN / "flask", *APP, "run", "--host", host, "--port", str(port), "--no-reload"],
        "worker": [BIN / "flask", *APP, "worker"],
    }
    processes = {name: subprocess.Popen(command) for name, command in commands.items()}
    print(f"\n  The portal is running at http://{host}:{port}  (Ctrl-C stops it)\n", flush=True)
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
                process.send_signal(signal.SIGINT)
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
