"""The encrypted-at-rest format: round trips, range reads, and every way of damaging an object."""
from __future__ import annotations

import hashlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.adapters.envelope import (
    CHUNK_SIZE,
    HEADER_SIZE,
    MAGIC,
    TAG_SIZE,
    IntegrityError,
    InvalidKey,
    KeyMismatch,
    SEND_SIZE,
    RangeNotSatisfiable,
    SealedStream,
    plaintext_size,
    plan_read,
    resolve_range,
    validate_key,
)
from portal.exceptions import FileStoreError, PortalError

KEK = bytes(range(32))
OTHER_KEK = bytes(range(1, 33))
SMALL_CHUNK = 16  # many chunks from a few bytes keeps the property tests fast


def seal(data: bytes, chunk_size: int = CHUNK_SIZE, kek: bytes = KEK) -> bytes:
    return b"".join(SealedStream(io.BytesIO(data), kek, chunk_size))


def unseal(blob: bytes, start: int = 0, end: int | None = None, kek: bytes = KEK) -> bytes:
    """Read like a store does: the header and object size, then only the bytes the plan asks for."""
    plan = plan_read(kek, blob[:HEADER_SIZE], len(blob), start, end)
    return b"".join(plan.decrypt([blob[plan.offset : plan.offset + plan.fetch_length]]))


def chunk_bounds(blob: bytes, chunk_size: int) -> list[tuple[int, int]]:
    record = chunk_size + TAG_SIZE
    return [(offset, min(offset + record, len(blob))) for offset in range(HEADER_SIZE, len(blob), record)]


def pattern(size: int) -> bytes:
    """Distinct content in every chunk, so a swapped chunk could not pass by accident."""
    return b"".join(i.to_bytes(4, "big") for i in range(size // 4 + 1))[:size]


# --- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 5 * CHUNK_SIZE + 123]
)
def test_round_trip_at_the_real_chunk_size(size):
    data = pattern(size)
    sealed = SealedStream(io.BytesIO(data), KEK)
    blob = b"".join(sealed)

    assert unseal(blob) == data
    assert (sealed.size, sealed.sha256) == (size, hashlib.sha256(data).hexdigest())
    assert plaintext_size(blob[:HEADER_SIZE], len(blob)) == size
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(blob) == HEADER_SIZE + size + chunks * TAG_SIZE
    assert blob.startswith(MAGIC)


@settings(max_examples=200)
@given(data=st.binary(max_size=12 * SMALL_CHUNK), chunk_size=st.sampled_from([16, 17, 32, 64]), choice=st.data())
def test_any_range_reads_exactly_those_bytes(data, chunk_size, choice):
    blob = seal(data, chunk_size)
    assert unseal(blob) == data
    if data:
        start = choice.draw(st.integers(0, len(data) - 1), label="start")
        end = choice.draw(st.integers(start, len(data) + 5), label="end")  # past the end is clamped
        assert unseal(blob, start, end) == data[start : end + 1]


@given(data=st.binary(min_size=1, max_size=10 * SMALL_CHUNK), choice=st.data())
def test_a_range_fetches_only_the_chunks_that_hold_it(data, choice):
    blob = seal(data, SMALL_CHUNK)
    start = choice.draw(st.integers(0, len(data) - 1))
    end = choice.draw(st.integers(start, len(data) - 1))
    plan = plan_read(KEK, blob[:HEADER_SIZE], len(blob), start, end)

    chunks_needed = end // SMALL_CHUNK - start // SMALL_CHUNK + 1
    assert plan.offset == HEADER_SIZE + (start // SMALL_CHUNK) * (SMALL_CHUNK + TAG_SIZE)
    assert plan.fetch_length <= chunks_needed * (SMALL_CHUNK + TAG_SIZE)


@given(data=st.binary(max_size=8 * SMALL_CHUNK), cuts=st.lists(st.integers(1, 40), max_size=30))
def test_stored_bytes_may_arrive_in_pieces_of_any_size(data, cuts):
    blob = seal(data, SMALL_CHUNK)
    plan = plan_read(KEK, blob[:HEADER_SIZE], len(blob))
    stored, pieces = blob[plan.offset :], []
    for cut in cuts:
        pieces.append(stored[:cut])
        stored = stored[cut:]
    pieces.append(stored)

    assert b"".join(plan.decrypt(pieces)) == data


class Trickle(io.RawIOBase):
    """A stream that returns at most 7 bytes a read, as sockets and pipes may."""

    def __init__(self, data: bytes):
        self._data = memoryview(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = min(7, len(buffer), len(self._data))
        buffer[:count] = self._data[:count]
        self._data = self._data[count:]
        return count


def test_short_reads_from_the_input_still_make_full_chunks():
    data = pattern(5 * SMALL_CHUNK + 3)
    with Trickle(data) as stream:
        blob = b"".join(SealedStream(stream, KEK, SMALL_CHUNK))

    assert blob[HEADER_SIZE:] != seal(data, SMALL_CHUNK)[HEADER_SIZE:]  # fresh key each time
    assert len(blob) == len(seal(data, SMALL_CHUNK))
    assert unseal(blob, SMALL_CHUNK - 1, SMALL_CHUNK) == data[SMALL_CHUNK - 1 : SMALL_CHUNK + 1]


def test_each_object_has_its_own_key_and_nonces():
    data = pattern(3 * SMALL_CHUNK)
    first, second = seal(data, SMALL_CHUNK), seal(data, SMALL_CHUNK)

    assert first[:9] == second[:9]  # magic, version, KEK id
    assert first[9:] != second[9:]
    assert data[:SMALL_CHUNK] not in first


def test_sha256_is_only_known_once_the_stream_is_read():
    sealed = SealedStream(io.BytesIO(b"abc"), KEK)
    with pytest.raises(RuntimeError):
        sealed.sha256  # noqa: B018


# --- ranges -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "start", "end", "expected"),
    [
        (10, 0, None, (0, 9)),
        (10, 3, 3, (3, 3)),
        (10, 9, None, (9, 9)),
        (10, 5, 1000, (5, 9)),
        (0, 0, None, (0, -1)),
        (0, 0, 100, (0, -1)),
    ],
)
def test_ranges_follow_http_semantics(size, start, end, expected):
    assert resolve_range(size, start, end) == expected


@pytest.mark.parametrize(
    ("size", "start", "end"), [(10, 10, None), (10, 11, 20), (10, -1, None), (10, 5, 4), (0, 1, None)]
)
def test_a_range_outside_the_file_is_not_satisfiable(size, start, end):
    with pytest.raises(RangeNotSatisfiable) as raised:
        resolve_range(size, start, end)
    assert raised.value.status_code == 416
    assert isinstance(raised.value, PortalError)


def test_an_empty_file_reads_as_nothing():
    blob = seal(b"")
    assert unseal(blob) == b""
    with pytest.raises(RangeNotSatisfiable):
        unseal(blob, 1)


# --- damage -------------------------------------------------------------------------------------


@settings(max_examples=300)
@given(data=st.binary(max_size=5 * SMALL_CHUNK), choice=st.data())
def test_changing_any_byte_is_detected(data, choice):
    blob = bytearray(seal(data, SMALL_CHUNK))
    position = choice.draw(st.integers(0, len(blob) - 1), label="position")
    blob[position] ^= choice.draw(st.integers(1, 255), label="flip")

    with pytest.raises(IntegrityError):
        unseal(bytes(blob))


@given(data=st.binary(max_size=5 * SMALL_CHUNK), choice=st.data())
def test_truncating_anywhere_is_detected(data, choice):
    blob = seal(data, SMALL_CHUNK)
    length = choice.draw(st.integers(0, len(blob) - 1))

    with pytest.raises(IntegrityError):
        unseal(blob[:length])


@given(data=st.binary(max_size=3 * SMALL_CHUNK), extra=st.binary(min_size=1, max_size=2 * SMALL_CHUNK + TAG_SIZE))
def test_appending_anything_is_detected(data, extra):
    with pytest.raises(IntegrityError):
        unseal(seal(data, SMALL_CHUNK) + extra)


def test_dropping_whole_final_chunks_is_detected():
    data = pattern(4 * SMALL_CHUNK)  # four full chunks: the last is as long as the others
    blob = seal(data, SMALL_CHUNK)
    bounds = chunk_bounds(blob, SMALL_CHUNK)
    for _, end in bounds[:-1]:
        with pytest.raises(IntegrityError):
            unseal(blob[:end])


def test_swapping_chunks_is_detected():
    data = pattern(4 * SMALL_CHUNK)
    blob = seal(data, SMALL_CHUNK)
    (a0, a1), (b0, b1) = chunk_bounds(blob, SMALL_CHUNK)[1:3]
    swapped = blob[:a0] + blob[b0:b1] + blob[a0:a1] + blob[b1:]

    with pytest.raises(IntegrityError):
        unseal(swapped)
    with pytest.raises(IntegrityError):  # a range read of a moved chunk fails too
        unseal(swapped, SMALL_CHUNK, 2 * SMALL_CHUNK - 1)


def test_replaying_a_chunk_in_place_of_another_is_detected():
    blob = seal(pattern(3 * SMALL_CHUNK), SMALL_CHUNK)
    (a0, a1), (b0, b1) = chunk_bounds(blob, SMALL_CHUNK)[:2]

    with pytest.raises(IntegrityError):
        unseal(blob[:b0] + blob[a0:a1] + blob[b1:])


def test_a_chunk_from_another_object_under_the_same_kek_is_detected():
    first, second = seal(pattern(3 * SMALL_CHUNK), SMALL_CHUNK), seal(pattern(3 * SMALL_CHUNK), SMALL_CHUNK)
    start, end = chunk_bounds(first, SMALL_CHUNK)[1]

    with pytest.raises(IntegrityError):
        unseal(first[:start] + second[start:end] + first[end:])


def test_a_header_from_another_object_is_detected():
    first, second = seal(pattern(40), SMALL_CHUNK), seal(pattern(40), SMALL_CHUNK)

    with pytest.raises(IntegrityError):
        unseal(second[:HEADER_SIZE] + first[HEADER_SIZE:])


def test_the_wrong_kek_is_reported_as_such():
    blob = seal(b"a response to a request for information")

    with pytest.raises(KeyMismatch) as raised:
        unseal(blob, kek=OTHER_KEK)
    assert isinstance(raised.value, IntegrityError)
    assert isinstance(raised.value, FileStoreError)


def test_a_damaged_wrapped_key_is_detected():
    blob = bytearray(seal(b"a response"))
    blob[20] ^= 0x01  # inside the wrapped DEK

    with pytest.raises(IntegrityError, match="key is damaged"):
        unseal(bytes(blob))


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "too short"),
        (b"PFSE", "too short"),
        (b"%PDF-1.7" + bytes(100), "not in the encrypted file store format"),
    ],
)
def test_objects_not_in_the_format_are_refused(blob, message):
    with pytest.raises(IntegrityError, match=message):
        unseal(blob)


def test_an_unknown_format_version_is_refused_by_name():
    blob = bytearray(seal(b"x"))
    blob[4] = 9

    with pytest.raises(IntegrityError, match="version 9"):
        unseal(bytes(blob))


@pytest.mark.parametrize(("piece", "before_damage"), [(SMALL_CHUNK, 1), (SEND_SIZE, 0)])
def test_a_damaged_chunk_yields_no_plaintext_from_that_chunk(piece, before_damage):
    data = pattern(3 * SMALL_CHUNK)
    blob = bytearray(seal(data, SMALL_CHUNK))
    start, _ = chunk_bounds(bytes(blob), SMALL_CHUNK)[1]
    blob[start] ^= 0xFF
    plan = plan_read(KEK, bytes(blob[:HEADER_SIZE]), len(blob))
    received = []

    with pytest.raises(IntegrityError):
        for part in plan.decrypt([bytes(blob[plan.offset :])], piece):
            received.append(part)
    # a piece of one chunk: the verified first chunk only; a larger piece: nothing, the first chunk was
    # still being gathered when the second failed
    assert received == [data[:SMALL_CHUNK]] * before_damage


def test_plaintext_is_handed_on_in_pieces_of_whole_chunks():
    data = pattern(10 * SMALL_CHUNK + 7)
    blob = seal(data, SMALL_CHUNK)
    plan = plan_read(KEK, blob[:HEADER_SIZE], len(blob), SMALL_CHUNK // 2, len(data) - 2)

    pieces = list(plan.decrypt([blob[plan.offset :]], 4 * SMALL_CHUNK))

    assert b"".join(pieces) == data[SMALL_CHUNK // 2 : len(data) - 1]
    assert all(isinstance(part, bytes) for part in pieces)
    assert [len(part) for part in pieces] == [4 * SMALL_CHUNK - SMALL_CHUNK // 2, 4 * SMALL_CHUNK, 2 * SMALL_CHUNK + 6]


@pytest.mark.parametrize("kek", [b"", bytes(16), bytes(33), "x" * 32])
def test_a_kek_must_be_32_bytes(kek):
    with pytest.raises(ValueError, match="32 bytes"):
        SealedStream(io.BytesIO(b""), kek)


# --- keys ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["a", "shares/0f3a9c/report.pdf", "UPPER_lower-1.2.txt", "a/b/c/d", "x..y"])
def test_ordinary_keys_are_accepted(key):
    assert validate_key(key) == key


@pytest.mark.parametrize(
    "key",
    [
        "", "..", ".", "../etc/passwd", "a/../b", "a/..", "/etc/passwd", "a//b", "a/", "a\\b",
        "..\\x", "a\x00b", ".hidden", "a/.b.tmp", "a b", "café", "a:b", "~/x", "x" * 513,
    ],
)
def test_keys_that_could_escape_or_confuse_the_store_are_refused(key):
    with pytest.raises(InvalidKey):
        validate_key(key)
