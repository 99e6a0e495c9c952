"""A Flask app on a real threaded HTTP server on loopback, for tests that need real connections in parallel."""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

from werkzeug.serving import make_server


@contextlib.contextmanager
def serving(app, name: str = "live-server") -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@contextlib.contextmanager
def rate_limits_off() -> Iterator[None]:
    """The per-address limits off, for tests that are not about them (they have their own)."""
    from portal.security import limiter

    limiter.enabled = False
    try:
        yield
    finally:
        limiter.enabled = True
