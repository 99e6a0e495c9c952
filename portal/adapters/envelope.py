"""The encrypted-at-rest format both file stores write, and what they share about keys and ranges.

An object is a fixed-size header followed by sealed chunks:

    header  = magic "PFSE" | version 1 | KEK id (4) | chunk size (u32) | wrapped DEK (40) | nonce prefix (8)
    chunk i = AES-256-GCM(DEK, nonce = prefix || u32 i, aad = header || u32 i || final flag) -> ciphertext || tag

Every chunk but the last holds exactly `chunk size` plaintext bytes; the last holds 0..chunk size and
is the only one sealed with the final flag, so truncation, reordering and swapping fail the tag check.
The layout is fixed, so the plaintext size follows from the object size and any plaintext range maps
to a run of whole chunks: a range read fetches and decrypts only those.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import re
import struct
from typing import BinaryIO, Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from portal.exceptions import FileStoreError, NotFound, PortalError

MAGIC = b"PFSE"
VERSION = 1
CHUNK_SIZE = 64 * 1024
MIN_CHUNK_SIZE = 16
MAX_CHUNK_SIZE = 1024 * 1024  # bounds what a damaged header can make a reader allocate
# A read hands on plaintext in pieces of about this much: a quarter of the writes to the client of 64 KiB
# chunks. Not 1 MiB: gathering into a fresh 1 MiB bytes per piece made decryption alone about three times
# slower here than 64 KiB pieces (likely glibc mapping and unmapping each one); 256 KiB was not (issue 16).
SEND_SIZE = 256 * 1024
TAG_SIZE = 16
KEK_SIZE = 32
MAX_CHUNKS = 2**32  # the counter is 32 bits: a nonce is never reused under one DEK

_HEADER = struct.Struct(">4sB4sI40s8s")
HEADER_SIZE = _HEADER.size
_CHUNK_AAD = struct.Struct(">IB")

_KEY_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
MAX_KEY_LENGTH = 512


class IntegrityError(FileStoreError):
    """The stored object is damaged or was altered: nothing of it is returned as plaintext."""

    detail = "The stored file failed its integrity check and cannot be read."


class KeyMismatch(IntegrityError):
    """The object was sealed under a different key-encryption key (or its header was altered)."""

    detail = "The stored file was encrypted with a different key and cannot be read."


class StoredFileNotFound(NotFound):
    detail = "The file could not be found. It may have been removed."


class InvalidKey(ValueError):
    """A store key that could escape the store or that a store cannot hold: a programming error."""


class RangeNotSatisfiable(PortalError, ValueError):
    status_code = 416
    title = "Requested range not satisfiable"
    detail = "The requested part of the file does not exist."


def validate_key(key: str) -> str:
    """Accept keys like 'shares/0f3a/report.pdf': no traversal, no absolute paths, no odd characters."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidKey("a store key must be a non-empty string of at most 512 characters")
    # a leading dot also rules out '.', '..' and the stores' own hidden temporary files
    if not all(_KEY_SEGMENT.fullmatch(segment) for segment in key.split("/")):
        raise InvalidKey("a store key is '/'-separated segments of [A-Za-z0-9_.-], none starting with '.'")
    return key


def check_kek(kek: bytes) -> bytes:
    if not isinstance(kek, bytes) or len(kek) != KEK_SIZE:
        raise ValueError("the key-encryption key must be 32 bytes")
    return kek


def kek_id(kek: bytes) -> bytes:
    """A short fingerprint that tells 'wrong KEK' apart from 'damaged file' without revealing the KEK."""
    return hmac.new(kek, b"portal file store key id", hashlib.sha256).digest()[:4]


@dataclasses.dataclass(frozen=True)
class Header:
    kek_id: bytes
    chunk_size: int
    wrapped_dek: bytes
    nonce_prefix: bytes
    raw: bytes  # the bytes as stored: bound into every chunk's AAD

    @classmethod
    def new(cls, kek: bytes, dek: bytes, chunk_size: int) -> "Header":
        _check_chunk_size(chunk_size)
        fields = (MAGIC, VERSION, kek_id(kek), chunk_size, aes_key_wrap(kek, dek), os.urandom(8))
        return cls(*fields[2:], raw=_HEADER.pack(*fields))

    @classmethod
    def parse(cls, raw: bytes) -> "Header":
        if len(raw) < HEADER_SIZE:
            raise IntegrityError("The stored file is too short to hold a header.")
        raw = bytes(raw[:HEADER_SIZE])
        magic, version, key_id, chunk_size, wrapped, prefix = _HEADER.unpack(raw)
        if magic != MAGIC:
            raise IntegrityError("The stored file is not in the encrypted file store format.")
        if version != VERSION:
            raise IntegrityError(f"The stored file uses format version {version}, which this portal cannot read.")
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise IntegrityError("The stored file's header is damaged.")
        return cls(key_id, chunk_size, wrapped, prefix, raw)

    def unwrap(self, kek: bytes) -> AESGCM:
        if not hmac.compare_digest(self.kek_id, kek_id(kek)):
            raise KeyMismatch()
        try:
            return AESGCM(aes_key_unwrap(kek, self.wrapped_dek))
        except InvalidUnwrap:
            raise IntegrityError("The stored file's key is damaged.") from None

    def nonce(self, index: int) -> bytes:
        return self.nonce_prefix + index.to_bytes(4, "big")

    def aad(self, index: int, final: bool) -> bytes:
        return self.raw + _CHUNK_AAD.pack(index, final)

    @property
    def record_size(self) -> int:
        """Bytes a full chunk takes at rest."""
        return self.chunk_size + TAG_SIZE


def _check_chunk_size(chunk_size: int) -> None:
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk size must be between {MIN_CHUNK_SIZE} and {MAX_CHUNK_SIZE} bytes")


# --- writing ------------------------------------------------------------------------------------


class SealedStream:
    """Iterate to get the object (header, then one sealed chunk at a time) for a plaintext stream.

    After iteration `size` and `sha256` describe the plaintext. At most two chunks are held at once.
    """

    def __init__(self, stream: BinaryIO, kek: bytes, chunk_size: int = CHUNK_SIZE):
        _check_chunk_size(chunk_size)
        self._stream = stream
        self._kek = check_kek(kek)
        self._chunk_size = chunk_size
        self._digest = hashlib.sha256()
        self.size = 0
        self.finished = False

    @property
    def sha256(self) -> str:
        if not self.finished:
            raise RuntimeError("the stream has not been read to the end")
        return self._digest.hexdigest()

    def __iter__(self) -> Iterator[bytes]:
        dek = AESGCM.generate_key(bit_length=256)
        header = Header.new(self._kek, dek, self._chunk_size)
        aead = AESGCM(dek)
        yield header.raw
        current = self._read_chunk()
        index = 0
        # read one chunk ahead: a chunk is final only when nothing follows it
        while True:
            following = self._read_chunk() if current else b""
            final = not following
            if index >= MAX_CHUNKS:
                raise FileStoreError("The file is too large to store.")
            yield aead.encrypt(header.nonce(index), current, header.aad(index, final))
            if final:
                break
            current, index = following, index + 1
        self.finished = True

    def _read_chunk(self) -> bytes:
        """Exactly chunk_size bytes unless the stream ends: a short read must not make a short chunk."""
        parts, wanted = [], self._chunk_size
        while wanted:
            data = self._stream.read(wanted)
            if not data:
                break
            parts.append(data)
            wanted -= len(data)
        chunk = b"".join(parts)
        self._digest.update(chunk)
        self.size += len(chunk)
        return chunk


# --- reading ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where the chunks of an object of `object_size` bytes lie, from its header."""

    header: Header
    object_size: int

    def __post_init__(self) -> None:
        body = self.object_size - HEADER_SIZE
        last = body - (self.chunk_count - 1) * self.header.record_size
        # every chunk holds a tag; only an empty file has a tag-only chunk, and then it is the only one
        if last < TAG_SIZE or (last == TAG_SIZE and self.chunk_count > 1):
            raise IntegrityError("The stored file has been truncated.")

    @property
    def chunk_count(self) -> int:
        body = self.object_size - HEADER_SIZE
        return max(1, -(-body // self.header.record_size))

    @property
    def plaintext_size(self) -> int:
        return self.object_size - HEADER_SIZE - self.chunk_count * TAG_SIZE

    def offset(self, index: int) -> int:
        return HEADER_SIZE + index * self.header.record_size

    def record_length(self, index: int) -> int:
        if index < self.chunk_count - 1:
            return self.header.record_size
        return self.object_size - self.offset(index)


def plaintext_size(header_bytes: bytes, object_size: int) -> int:
    """The plaintext size of a stored object, from its first HEADER_SIZE bytes and its size."""
    return Layout(Header.parse(header_bytes), object_size).plaintext_size


def resolve_range(size: int, start: int = 0, end: int | None = None) -> tuple[int, int]:
    """HTTP Range semantics: `end` is inclusive and clamped to the last byte; (0, -1) for an empty file."""
    if start < 0 or (end is not None and end < start):
        raise RangeNotSatisfiable()
    if size == 0 and start == 0:
        return 0, -1
    if start >= size:
        raise RangeNotSatisfiable()
    return start, size - 1 if end is None else min(end, size - 1)


@dataclasses.dataclass(frozen=True)
class ReadPlan:
    """Which stored bytes to fetch for a plaintext range, and how to turn them back into plaintext."""

    layout: Layout
    aead: AESGCM
    first: int  # first chunk index to fetch
    last: int  # last chunk index to fetch
    skip: int  # plaintext bytes to drop from the first chunk
    length: int  # plaintext bytes to return

    @property
    def offset(self) -> int:
        """Where the stored bytes to fetch start."""
        return self.layout.offset(self.first)

    @property
    def fetch_length(self) -> int:
        return self.layout.offset(self.last) + self.layout.record_length(self.last) - self.offset

    def decrypt(self, stored: Iterable[bytes], piece: int = SEND_SIZE) -> Iterator[bytes]:
        """Plaintext of the range from the fetched bytes (in any piece sizes), handed on in pieces of about
        `piece` bytes (whole chunks gathered, so a server makes few large writes); each chunk is verified
        before any of it is returned, so a damaged chunk raises instead of yielding.

        A chunk that lies inside one fetched piece is decrypted where it lies (a view, no copy); only one
        that straddles two pieces is gathered first. Whole chunks are decrypted straight into the piece
        being gathered, which is copied once into the bytes handed on (a WSGI server wants bytes)."""
        skip, remaining = self.skip, self.length
        chunk = self.layout.header.chunk_size
        buffer = bytearray(max(piece, chunk))
        view, filled = memoryview(buffer), 0
        lengths = (self.layout.record_length(index) for index in range(self.first, self.last + 1))
        for index, record in enumerate(_records(stored, lengths), start=self.first):
            if filled + chunk > len(buffer):
                yield bytes(view[:filled])
                filled = 0
            if skip or remaining < chunk:  # the range starts or ends inside this chunk (or it is the last)
                plaintext = self._open_chunk(index, record)
                plaintext = plaintext[skip : skip + remaining]
                view[filled : filled + len(plaintext)] = plaintext
                got = len(plaintext)
            else:
                got = self._open_chunk_into(index, record, view[filled : filled + chunk])
            filled += got
            skip, remaining = 0, remaining - got
        if filled:
            yield bytes(view[:filled])

    def _open_chunk_into(self, index: int, record: bytes | bytearray | memoryview, out: memoryview) -> int:
        """Decrypt a whole chunk into `out`; what `out` holds after an IntegrityError is not plaintext to use."""
        header = self.layout.header
        final = index == self.layout.chunk_count - 1
        try:
            return self.aead.decrypt_into(header.nonce(index), record, header.aad(index, final), out)
        except InvalidTag:
            raise IntegrityError() from None

    def _open_chunk(self, index: int, record: bytes | bytearray | memoryview) -> bytes:
        header = self.layout.header
        final = index == self.layout.chunk_count - 1
        try:
            return self.aead.decrypt(header.nonce(index), record, header.aad(index, final))
        except InvalidTag:
            raise IntegrityError() from None


def _records(pieces: Iterable[bytes], lengths: Iterable[int]) -> Iterator[bytes | bytearray | memoryview]:
    """Each stored chunk, `lengths` long in turn, out of pieces of any size: a view into the piece that holds
    all of it, or a copy gathered from the pieces it straddles. A view is valid until the next is taken."""
    pieces = iter(pieces)
    view = memoryview(b"")
    for need in lengths:
        if len(view) < need:
            record = bytearray(view)
            while len(record) < need:
                piece = next(pieces, None)
                if piece is None:
                    raise IntegrityError("The stored file ended before its last chunk.")
                if not record and len(piece) >= need:  # it begins a piece: read it there
                    view = memoryview(piece)
                    break
                take = need - len(record)
                record += piece[:take]
                view = memoryview(piece)[take:]
            else:
                yield record
                continue
        yield view[:need]
        view = view[need:]


def plan_read(kek: bytes, header_bytes: bytes, object_size: int, start: int = 0, end: int | None = None) -> ReadPlan:
    """Check the header and key, resolve the range, and say which stored bytes to fetch.

    Raises IntegrityError / KeyMismatch for a damaged or foreign object and RangeNotSatisfiable for a
    range outside the file. An empty file still fetches its one chunk so that truncation is caught.
    """
    header = Header.parse(header_bytes)
    layout = Layout(header, object_size)
    aead = header.unwrap(kek)
    start, end = resolve_range(layout.plaintext_size, start, end)
    chunk = header.chunk_size
    return ReadPlan(layout, aead, start // chunk, max(start, end) // chunk, start % chunk, end - start + 1)
