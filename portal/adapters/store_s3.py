"""FileStore on S3 (or any S3 API) through boto3. Encrypted before upload (see envelope.py).

Uploads stream in multipart parts, so memory stays near one part whatever the file size; reads ask
S3 only for the byte range of the chunks that hold the wanted plaintext.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Any, BinaryIO, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from portal.adapters.envelope import (
    CHUNK_SIZE,
    HEADER_SIZE,
    IntegrityError,
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

log = logging.getLogger(__name__)

PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024  # S3's floor for every part but the last
READ_BLOCK = 1024 * 1024  # about this much is read at once, in whole chunks, so none is copied to be decrypted
_NOT_FOUND = {"NoSuchKey", "404", "NotFound"}


class S3FileStore:
    def __init__(
        self,
        bucket: str,
        kek: bytes,
        endpoint_url: str | None = None,
        region: str = "eu-west-2",
        client: Any = None,
        part_size: int = PART_SIZE,
        chunk_size: int = CHUNK_SIZE,
    ):
        if part_size < MIN_PART_SIZE:
            raise ValueError("part_size must be at least 5 MiB (the S3 minimum)")
        self.bucket = bucket
        self._kek = check_kek(kek)
        self._client = client or _make_client(endpoint_url, region)
        self._part_size = part_size
        self._chunk_size = chunk_size

    def put(self, key: str, stream: BinaryIO) -> StoredFile:
        validate_key(key)
        sealed = SealedStream(stream, self._kek, self._chunk_size)
        with _translate("put"):
            self._upload(key, sealed)
        return StoredFile(key=key, size=sealed.size, sha256=sealed.sha256)

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        validate_key(key)
        header_bytes, object_size, etag = self._read_header(key)
        plan = plan_read(self._kek, header_bytes, object_size, start, end)
        return self._read(key, etag, plan)

    def size(self, key: str) -> int:
        validate_key(key)
        header_bytes, object_size, _ = self._read_header(key)
        return plaintext_size(header_bytes, object_size)

    def exists(self, key: str) -> bool:
        validate_key(key)
        try:
            with _translate("exists"):
                self._client.head_object(Bucket=self.bucket, Key=key)
        except StoredFileNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        """Idempotent: S3 does not complain about a missing key."""
        validate_key(key)
        with _translate("delete"):
            self._client.delete_object(Bucket=self.bucket, Key=key)

    def ping(self) -> None:
        with _translate("ping"):
            self._client.head_bucket(Bucket=self.bucket)

    def _upload(self, key: str, sealed: SealedStream) -> None:
        parts = _parts(sealed, self._part_size)
        first = next(parts)
        if sealed.finished:  # small files: one request, not three
            self._client.put_object(Bucket=self.bucket, Key=key, Body=first)
            return
        upload_id = self._client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
        try:
            done = [self._upload_part(key, upload_id, 1, first)]
            # each part is let go before the next is read, so memory stays near one part
            # (enumerate() would keep the previous part alive while the next is built)
            del first
            for body in parts:
                done.append(self._upload_part(key, upload_id, len(done) + 1, body))
                del body
            self._client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": done}
            )
        except BaseException:
            # an abandoned upload keeps its parts (and their cost) until aborted
            with contextlib.suppress(BotoCoreError, ClientError):
                self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise

    def _upload_part(self, key: str, upload_id: str, number: int, body: bytes) -> dict:
        response = self._client.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )
        part = {"PartNumber": number, "ETag": response["ETag"]}
        # boto3 sends a checksum with each part by default; S3 then wants it back on completion
        for name in ("ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256"):
            if name in response:
                part[name] = response[name]
        return part

    def _read_header(self, key: str) -> tuple[bytes, int, str]:
        """The header, the object's size (from Content-Range) and its ETag, in one request."""
        with _translate("open"):
            response = self._client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{HEADER_SIZE - 1}")
            with contextlib.closing(response["Body"]) as body:
                if "ContentRange" not in response:  # the range was ignored: never read a whole object here
                    log.error("S3 file store open failed: the service ignored a Range request")
                    raise FileStoreError()
                header_bytes = body.read(HEADER_SIZE)
        object_size = int(response["ContentRange"].rpartition("/")[2])
        return header_bytes, object_size, response["ETag"]

    def _read(self, key: str, etag: str, plan: ReadPlan) -> Iterator[bytes]:
        # the request is made on first iteration, so an iterator never started holds no connection
        last = plan.offset + plan.fetch_length - 1
        with _translate("open"):
            # If-Match: a file replaced since its header was read fails cleanly, not as tampering
            response = self._client.get_object(
                Bucket=self.bucket, Key=key, Range=f"bytes={plan.offset}-{last}", IfMatch=etag
            )
            with contextlib.closing(response["Body"]) as body:
                record = plan.layout.header.record_size
                yield from plan.decrypt(body.iter_chunks(max(1, READ_BLOCK // record) * record))


def _make_client(endpoint_url: str | None, region: str) -> Any:
    config = Config(
        connect_timeout=5,
        read_timeout=60,
        retries={"mode": "standard", "max_attempts": 5},
        # S3-compatible services on a custom endpoint seldom serve bucket subdomains
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    # a session of its own: boto3's default session is not safe to share between threads
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url or None, region_name=region, config=config)


def _parts(sealed: SealedStream, part_size: int) -> Iterator[bytes]:
    """The sealed object in parts of at least part_size bytes (the last may be smaller)."""
    pieces: list[bytes] = []
    buffered = 0
    for piece in sealed:
        pieces.append(piece)
        buffered += len(piece)
        if buffered >= part_size:
            part = b"".join(pieces)
            pieces.clear()
            buffered = 0
            yield part
            del part  # not kept alive while the next part fills
    if pieces:
        yield b"".join(pieces)


@contextlib.contextmanager
def _translate(operation: str) -> Iterator[None]:
    """botocore errors become the portal's: not found, damaged, or the store is unavailable."""
    about_a_key = operation != "ping"  # a 404 from head_bucket means the bucket is missing
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if about_a_key and code in _NOT_FOUND:
            raise StoredFileNotFound() from None
        # the key is left out of the log: keys can be derived from what the public submitted
        log.error("S3 file store %s failed: %s", operation, code or "unknown error")
        if code == "InvalidRange":  # shorter than a header: not an object this store wrote
            raise IntegrityError() from exc
        raise FileStoreError() from exc
    except BotoCoreError as exc:
        log.error("S3 file store %s failed: %s", operation, type(exc).__name__)
        raise FileStoreError() from exc
