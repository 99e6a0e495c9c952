"""In-memory rate-limit storage that is safe under a threaded server (the development default).

limits' MemoryStorage can start the same expiry timer twice when two threads count at once,
which raised "threads can only be started once" as a 500. It also starts a new timer thread
for the first count after each sweep: close to one thread per request under load. Here the
sweep (which only frees memory: every read checks its own key's expiry) runs in the counting
thread instead, at most once a second, one thread at a time. Production uses Redis.
"""
from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SWEEP_EVERY = 1.0  # seconds between sweeps of expired counters and moving-window entries
_clock = time.monotonic


class ThreadSafeMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = ["portal-memory"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self._timer_lock = threading.Lock()
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # the parent's private method: no thread, no race
        if _clock() < self._next_sweep or not self._timer_lock.acquire(blocking=False):
            return  # swept less than a second ago, or another thread is sweeping now
        try:
            self._next_sweep = _clock() + SWEEP_EVERY
            self._MemoryStorage__expire_events()
        finally:
            self._timer_lock.release()
