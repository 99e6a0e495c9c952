"""Several web servers on one database, each with its own local tantivy copy kept in step from the database.

SEARCH_ENGINE=tantivy-follower. The database is the record and disclosure_index_changes its log: every publish,
update, withdrawal and import writes a row (id, entry id) in the same transaction as the entry
(service.record_changes). Each host's copy remembers, in follower.json beside its index, how far it has got,
and before a search (at most every SEARCH_FOLLOW_SECONDS) applies the rows after that: it reads each changed
entry as the database has it now and adds it, or removes it if it is withdrawn or gone. Applying is idempotent,
so a row applied twice does no harm, and the order does not matter: the copy always takes the entry's current
state, and two changes to one entry commit in the order of their ids (the second waits for the first's row lock).

Ids come from a sequence, which is not in commit order: a transaction may take id 7, a later one id 8 and commit
first. A copy that has seen 8 but not 7 keeps 7 as a gap and looks for it again at every step, for GAP_WAIT
seconds (then it is taken as rolled back): a change that commits late is never skipped. The copy's position is
the highest id below which nothing is awaited; it is written to disclosure_index_copies, and the prune job
deletes rows every copy is past (or older than the retention, whatever the copies say) and records the highest
id pruned: a copy behind that, or one without follower.json (new, or a new schema), rebuilds from the database.

Processes on one host share the copy: one at a time applies changes (an flock on follower.lock, not waited for:
the others keep serving, and their readers reload on the commit). tantivy's own writer lock still guards the
index itself.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path
from typing import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from disclosure_log.index import TANTIVY_SCHEMA, IndexEntry
from disclosure_log.models import PRUNED_ROW, Disclosure, IndexChange, IndexCopy
from disclosure_log.query import SearchRequest, SearchResult

log = logging.getLogger(__name__)

STATE_FILE = "follower.json"
LOCK_FILE = "follower.lock"
GAP_WAIT = 300.0  # seconds a missing id is looked for before it is taken as a rolled-back transaction
BATCH = 5000  # changes read and applied at a time
REBUILD_TRAIL = 10_000  # after a rebuild, missing ids this far below the top are awaited as gaps
RETENTION = dt.timedelta(days=7)  # changes are kept this long at most: a copy down longer rebuilds
COPY_STALE = dt.timedelta(days=1)  # a copy not seen for this long no longer holds back the prune


def default_name(index_path: Path) -> str:
    """This host and index folder: processes sharing the folder share the name."""
    return f"{socket.gethostname()}:{index_path}"[:200]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class FollowerIndex:
    """A TantivyIndex that follows the database's change log (the SearchIndex port, for views and the API).

    add/remove/clear go to the local copy (the API brings this host's copy in step at once after a commit);
    search and count first apply whatever other hosts have committed."""

    fresh = False  # the copy fills itself from the database (rebuild); never marks every entry pending

    def __init__(self, local, engine, name: str | None = None, check_every: float = 1.0,
                 gap_wait: float = GAP_WAIT, background_rebuild: bool = True):
        self.local = local
        self.engine = engine
        self.name = name or default_name(local.path)
        self.check_every = check_every
        self.gap_wait = gap_wait
        self.background_rebuild = background_rebuild
        self._checked = float("-inf")
        self._step_lock = threading.Lock()
        self._rebuilding: threading.Thread | None = None
        self.rebuild_progress: int | None = None
        self.last_error: str = ""
        self._needs_rebuild = bool(getattr(local, "fresh", False))
        local.fresh = False

    # --- the SearchIndex port -------------------------------------------------------------------

    def add(self, entries: Iterable[IndexEntry], replace: bool = True, threads: int | None = None) -> None:
        self.local.add(entries, replace=replace, threads=threads)

    def remove(self, ids: Iterable[int]) -> None:
        self.local.remove(ids)

    def clear(self) -> None:
        self.local.clear()

    def count(self) -> int:
        self.follow()
        return self.local.count()

    def ping(self) -> None:
        self.local.ping()

    def search(self, request: SearchRequest) -> SearchResult:
        self.follow()
        return self.local.search(request)

    # --- following ------------------------------------------------------------------------------

    @property
    def state_path(self) -> Path:
        return self.local.path / STATE_FILE

    def read_state(self) -> dict | None:
        try:
            state = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return None
        if state.get("schema") != TANTIVY_SCHEMA or not isinstance(state.get("position"), int):
            return None
        return state

    def _write_state(self, state: dict) -> None:
        partial = self.state_path.with_suffix(".partial")
        partial.write_text(json.dumps(state))
        os.replace(partial, self.state_path)  # whole or not at all

    @contextlib.contextmanager
    def _host_lock(self, wait: bool):
        """One process per host applies changes; the others go on serving from the copy."""
        with open(self.local.path / LOCK_FILE, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def follow(self, force: bool = False) -> None:
        """Before serving: catch up if the last check is older than check_every. Never raises for the
        database: a search answers from the copy as it is, and readiness reports the lag."""
        now = time.monotonic()
        if not force and now - self._checked < self.check_every:
            return
        if not self._step_lock.acquire(blocking=force):
            return  # another thread of this process is at it
        try:
            self._checked = now
            if self._rebuilding is not None and self._rebuilding.is_alive():
                return
            self.step(wait=force)
            self.last_error = ""
        except NeedsRebuild:
            if self.background_rebuild and not force:
                self._rebuilding = threading.Thread(target=self._rebuild_quietly, args=(time.time(),),
                                                    name="search-copy-rebuild", daemon=True)
                self._rebuilding.start()
            else:
                self.rebuild()
        except Exception as exc:  # the database is down, the index busy: try again at the next check
            self.last_error = f"{type(exc).__name__}: {exc}"[:300]
            log.warning("search copy %s could not follow the database: %s", self.name, self.last_error)
        finally:
            self._step_lock.release()

    def _rebuild_quietly(self, requested_at: float) -> None:
        try:
            self.rebuild(requested_at=requested_at)
        except Exception as exc:
            self.last_error = f"{type(exc).__name__}: {exc}"[:300]
            log.exception("search copy %s could not be rebuilt", self.name)

    def step(self, wait: bool = False) -> int:
        """Apply the changes committed since the last step; returns how many changes were read.
        Raises NeedsRebuild when the copy is missing, of another schema, or behind the pruned changes."""
        with self._host_lock(wait) as held:
            if not held:
                return 0
            state = self.read_state()
            if state is None or self._needs_rebuild:
                raise NeedsRebuild()
            return self._catch_up(state)

    def _catch_up(self, state: dict) -> int:
        table = IndexChange.__table__
        read = 0
        with self.engine.connect() as connection:
            pruned = connection.scalar(select(IndexCopy.position).where(IndexCopy.name == PRUNED_ROW)) or 0
            if state["position"] < pruned:
                raise NeedsRebuild()
            gaps = {int(k): v for k, v in state["gaps"].items()}
            if gaps:  # late commits: ids taken before others that committed first
                found = connection.execute(select(table.c.id, table.c.entry_id).where(
                    table.c.id.in_(list(gaps)))).all()
                if found:
                    self._apply(connection, {entry_id for _id, entry_id in found})
                    read += len(found)
                    for change_id, _entry in found:
                        gaps.pop(change_id, None)
            while True:
                rows = connection.execute(select(table.c.id, table.c.entry_id).where(table.c.id > state["seen"])
                                          .order_by(table.c.id).limit(BATCH)).all()
                if not rows:
                    break
                self._apply(connection, {entry_id for _id, entry_id in rows})
                read += len(rows)
                now = time.time()
                expected = state["seen"] + 1
                for change_id, _entry in rows:
                    gaps.update((missing, now) for missing in range(expected, change_id))
                    expected = change_id + 1
                state["seen"] = rows[-1][0]
                if len(rows) < BATCH:
                    break
            now = time.time()
            gaps = {k: v for k, v in gaps.items() if now - v < self.gap_wait}
            position = min(gaps) - 1 if gaps else state["seen"]
            changed = read or position != state["position"] or len(gaps) != len(state["gaps"])
            state.update(position=position, gaps={str(k): v for k, v in gaps.items()}, checked=now)
            self._write_state(state)
            if changed:
                self._report(position)
        return read

    def _apply(self, connection, entry_ids: set[int]) -> None:
        from sqlalchemy.orm import Session

        from disclosure_log import service

        table = Disclosure.__table__
        with Session(bind=connection) as session:
            rows = session.execute(select(*[table.c[name] for name in service.INDEX_COLUMNS], table.c.status)
                                   .where(table.c.id.in_(list(entry_ids)))).all()
            published = [row for row in rows if row.status == "published"]
            entries = service.entries_from_rows(session, published) if published else []
        self.local.add(entries, replace=True)
        self.local.remove(entry_ids - {entry.id for entry in entries})  # withdrawn, or no longer there

    def _report(self, position: int) -> None:
        """How far this copy has got, for the prune (and for anyone looking)."""
        with self.engine.begin() as connection:
            upsert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
            statement = upsert(IndexCopy.__table__).values(name=self.name, position=position, seen_at=_utcnow())
            connection.execute(statement.on_conflict_do_update(
                index_elements=["name"], set_={"position": statement.excluded.position,
                                               "seen_at": statement.excluded.seen_at}))

    def rebuild(self, progress=None, requested_at: float | None = None, force: bool = False) -> int:
        """Empty the copy and fill it from the database, then follow from where the database was when it began.

        Unless forced, not again if another process sharing the copy rebuilt it since it was asked for (every
        gunicorn worker finds a new copy empty at its first search)."""
        from sqlalchemy.orm import Session

        from disclosure_log import service

        requested_at = time.time() if requested_at is None else requested_at
        with self._host_lock(wait=True):
            state = self.read_state()
            if not force and state is not None and state.get("rebuilt_at", 0) >= requested_at:
                self._needs_rebuild = False
                self.local.index.reload()  # serve the other process's rebuild at once
                return self.local.count()
            table = IndexChange.__table__
            with self.engine.connect() as connection:
                top = connection.scalar(select(func.max(table.c.id))) or 0
                present = set(connection.scalars(select(table.c.id).where(table.c.id > top - REBUILD_TRAIL)))
            now = time.time()
            # Ids below the top not committed yet may belong to transactions still open: awaited as gaps.
            gaps = {str(i): now for i in range(max(1, top - REBUILD_TRAIL + 1), top + 1) if i not in present}
            self.rebuild_progress = 0
            with contextlib.suppress(FileNotFoundError):
                self.state_path.unlink()  # cut short, the copy rebuilds again
            self.local.clear()
            total = 0
            with Session(self.engine) as session:
                for entries in service.published_batches(session):
                    self.local.add(entries, replace=False, threads=2)
                    total += len(entries)
                    self.rebuild_progress = total
                    if progress:
                        progress(total)
            position = min(int(k) for k in gaps) - 1 if gaps else top
            self._write_state({"schema": TANTIVY_SCHEMA, "position": position, "seen": top, "gaps": gaps,
                               "checked": time.time(), "rebuilt_at": time.time()})
            self._needs_rebuild = False
            self.rebuild_progress = None
        self._report(position)
        log.info("search copy %s rebuilt from the database: %s entries", self.name, total)
        return total

    def lag(self) -> tuple[int, int, float] | None:
        """(changes committed that this copy has not applied, ids awaited as gaps, seconds since it last checked),
        or None without a copy."""
        state = self.read_state()
        if state is None:
            return None
        table = IndexChange.__table__
        with self.engine.connect() as connection:
            behind = connection.scalar(select(func.count()).select_from(table).where(table.c.id > state["seen"]))
            if state["gaps"]:  # late commits not applied yet (the next step takes them)
                behind += connection.scalar(select(func.count()).select_from(table).where(
                    table.c.id.in_([int(k) for k in state["gaps"]])))
        return behind, len(state["gaps"]), time.time() - state.get("checked", 0)

    def readiness(self) -> tuple[str, str]:
        self.follow()
        if self.rebuild_progress is not None or self._rebuilding is not None and self._rebuilding.is_alive():
            return "fail", f"local search copy rebuilding from the database: {self.rebuild_progress or 0:,} entries so far"
        lag = self.lag()
        if lag is None:
            return "fail", "no local search copy yet"
        behind, awaited, age = lag
        detail = (f"{self.local.count():,} entries searchable in the local copy, {behind:,} changes behind, "
                  f"checked {age:.0f} s ago" + (f", {awaited:,} ids awaited" if awaited else ""))
        if self.last_error:
            return "warn", f"{detail}; last attempt to follow failed: {self.last_error}"
        if behind > 0 and age > max(10 * self.check_every, 30):
            return "warn", detail
        return "ok", detail


class NeedsRebuild(Exception):
    """The copy cannot catch up from the change log: it must be filled from the database."""


def prune(session, now: dt.datetime, retention: dt.timedelta = RETENTION, copy_stale: dt.timedelta = COPY_STALE) -> int:
    """Delete the changes every live copy is past, and any older than the retention. Returns how many.

    A copy not seen for copy_stale does not hold the prune back; when it returns behind the pruned id, it rebuilds."""
    table = IndexChange.__table__
    top = session.scalar(select(func.max(table.c.id)))
    if top is None:
        return 0
    positions = list(session.scalars(select(IndexCopy.position).where(
        IndexCopy.name != PRUNED_ROW, IndexCopy.seen_at >= now - copy_stale)))
    through = min(positions) if positions else 0
    too_old = session.scalar(select(func.max(table.c.id)).where(table.c.at < now - retention)) or 0
    through = min(max(through, too_old), top - 1)  # the newest row stays: the ids never go back
    if through <= 0:
        return 0
    deleted = session.execute(delete(table).where(table.c.id <= through)).rowcount
    row = session.get(IndexCopy, PRUNED_ROW)
    if row is None:
        session.add(IndexCopy(name=PRUNED_ROW, position=through, seen_at=now))
    elif row.position < through:
        row.position, row.seen_at = through, now
    return deleted
