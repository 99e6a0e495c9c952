"""In-memory rate-limit storage that is safe under a threaded server (the development default).

limits' MemoryStorage can start the same expiry timer twice when two threads count at once,
which raised "threads can only be started once" as a 500. Production uses Redis.
"""
from __future__ import annotations

import threading

from limits.storage import MemoryStorage


class ThreadSafeMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["portal-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self._timer_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # the parent's private method, made atomic
        with self._timer_lock:
            super()._MemoryStorage__schedule_expiry()
