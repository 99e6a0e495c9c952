"""Folders 0700 and files 0600 for everything the portal writes, whatever the process's umask.

The portal's files hold personal data (the databases, the job store, the file store, the mail outbox, the
upload spool) or the keys to it (local secrets). Each place that creates one asks here for the mode,
rather than the process setting os.umask(0o077) at start: a umask belongs to the whole process (a test
run, a host that embeds the app, gunicorn's master), an entry point that forgets it (a `flask` command, a
script) would write 0644 files again, and a mode given at creation holds under any umask (a umask only
takes bits away). systemd's UMask=0077 in deploy/ stays as a second line.

SQLite gives a database's -wal, -shm and -journal files the mode of the database file, so creating the
database file 0600 before SQLite opens it covers them; files an older portal made 0644 are tightened.
"""
from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

FOLDER = 0o700
FILE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def _tighten(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) != mode:
        os.chmod(path, mode)


def make_folders(path: Path | str) -> Path:
    """The folder and any missing parents, each made 0700; folders already there are left as they are."""
    path = Path(path)
    missing, folder = [], path
    while not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir(mode=FOLDER, exist_ok=True)
    return path


def private_folder(path: Path | str) -> Path:
    """One of the portal's own folders: made 0700 with any missing parents, and made 0700 if it was not."""
    path = Path(path)
    make_folders(path)
    _tighten(path, FOLDER)
    return path


def create_private(path: Path | str) -> int:
    """A new file, 0600 from its first byte (O_EXCL: never someone else's), opened for writing; its descriptor."""
    make_folders(Path(path).parent)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE)


def private_sqlite(path: Path | str) -> Path:
    """A SQLite database file made (or made again) 0600, with its WAL, shared memory and journal, before SQLite
    opens it. Its folder is made 0700 if missing; a folder already there is the operator's choice."""
    path = Path(path)
    make_folders(path.parent)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE))  # an empty file is a new database to SQLite
    for each in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)):
        with contextlib.suppress(FileNotFoundError):
            _tighten(each, FILE)
    return path
