"""FileStore on a local folder: the embedded default. Encrypted at rest (see envelope.py)."""
from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from portal.adapters.envelope import (
    CHUNK_SIZE,
    HEADER_SIZE,
    ReadPlan,
    SealedStream,
    StoredFileNotFound,
    check_kek,
    plaintext_size,
    plan_read,
    validate_key,
)
from portal.adapters.ports import StoredFile
from portal.exceptions import FileStoreError
from portal.private_files import make_folders, private_folder

log = logging.getLogger(__name__)

READ_BLOCK = 1024 * 1024  # about this much is read at once, in whole chunks, so none is copied to be decrypted


class LocalFileStore:
    """Files under `root`, one per key; folders 0700, files 0600, every write atomic and fsynced."""

    def __init__(self, root: Path, kek: bytes, chunk_size: int = CHUNK_SIZE):
        self.root = Path(root)
        self._kek = check_kek(kek)
        self._chunk_size = chunk_size
        private_folder(self.root)

    def put(self, key: str, stream: BinaryIO) -> StoredFile:
        path = self._path(key)
        sealed = SealedStream(stream, self._kek, self._chunk_size)
        with _translate_os_errors("put"):
            self._make_folders(path.parent)
        self._write_atomically(path, sealed)
        return StoredFile(key=key, size=sealed.size, sha256=sealed.sha256)

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._path(key)
        with _translate_os_errors("open"):
            header_bytes, object_size = _read_header(path)
        plan = plan_read(self._kek, header_bytes, object_size, start, end)
        return self._read(path, header_bytes, plan)

    def size(self, key: str) -> int:
        path = self._path(key)
        with _translate_os_errors("size"):
            header_bytes, object_size = _read_header(path)
        return plaintext_size(header_bytes, object_size)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Idempotent: deleting a missing key is not an error (as in S3)."""
        path = self._path(key)
        with _translate_os_errors("delete"), contextlib.suppress(FileNotFoundError):
            path.unlink()

    def ping(self) -> None:
        if not (self.root.is_dir() and os.access(self.root, os.W_OK | os.X_OK)):
            log.error("file store folder is missing or not writable")
            raise FileStoreError()

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def _make_folders(self, folder: Path) -> None:
        make_folders(folder)  # the root is there: only the key's own folders are made, each 0700

    @staticmethod
    def _write_atomically(path: Path, sealed: SealedStream) -> None:
        # a temporary file in the same folder, so os.replace is atomic; mkstemp creates it 0600
        with _translate_os_errors("put"):
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                # only our own writes are translated: an error reading the caller's stream is theirs
                for piece in sealed:
                    with _translate_os_errors("put"):
                        handle.write(piece)
                with _translate_os_errors("put"):
                    handle.flush()
                    os.fsync(handle.fileno())
            with _translate_os_errors("put"):
                os.replace(temporary, path)
                _fsync_folder(path.parent)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    @staticmethod
    def _read(path: Path, header_bytes: bytes, plan: ReadPlan) -> Iterator[bytes]:
        # opened here, not in open(), so an iterator that is never started holds no file
        with _translate_os_errors("open"), path.open("rb") as handle:
            if handle.read(HEADER_SIZE) != header_bytes:
                log.warning("stored file was replaced while being read")
                raise FileStoreError()
            handle.seek(plan.offset)
            block = max(1, READ_BLOCK // plan.layout.header.record_size) * plan.layout.header.record_size
            yield from plan.decrypt(_blocks(handle, plan.fetch_length, block))


def _read_header(path: Path) -> tuple[bytes, int]:
    with path.open("rb") as handle:
        return handle.read(HEADER_SIZE), os.fstat(handle.fileno()).st_size


def _blocks(handle: BinaryIO, length: int, size: int = READ_BLOCK) -> Iterator[bytes]:
    while length > 0:
        block = handle.read(min(size, length))
        if not block:
            return
        length -= len(block)
        yield block


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _translate_os_errors(operation: str) -> Iterator[None]:
    try:
        yield
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        if operation == "put":
            raise _store_error(operation, exc) from exc
        raise StoredFileNotFound() from None
    except OSError as exc:
        raise _store_error(operation, exc) from exc


def _store_error(operation: str, exc: OSError) -> FileStoreError:
    # the key is left out of the log: keys can be derived from what the public submitted
    log.error("local file store %s failed: %s (errno %s)", operation, type(exc).__name__, exc.errno)
    return FileStoreError()
