"""The ports: what the portal needs from each outside system, and what one feature offers another.

Shipped adapters implement these for real (local disk, SMTP, clamd...); fakes live in tests/. A port
between features (PublishedResponses) is implemented by the feature that has the answer and set on
Services by the composition root, so no feature imports another.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import BinaryIO, Iterator, Protocol, runtime_checkable


@dataclasses.dataclass(frozen=True)
class StoredFile:
    key: str
    size: int  # plaintext bytes
    sha256: str  # of the plaintext, hex


@runtime_checkable
class FileStore(Protocol):
    """Encrypted file storage. Streams both ways: nothing is held whole in memory."""

    def put(self, key: str, stream: BinaryIO) -> StoredFile: ...

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Plaintext bytes from start up to and including end (HTTP Range semantics)."""
        ...

    def size(self, key: str) -> int: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def ping(self) -> None:
        """Raise FileStoreError when the store cannot be used."""
        ...


@dataclasses.dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    body: str  # plain text; links on their own line
    reference: str | None = None  # a case or share reference for logs, never personal data
    # One-click unsubscribe (RFC 8058) for emails people asked for, like Disclosure Log alerts: the mailers send it
    # as List-Unsubscribe and List-Unsubscribe-Post headers, or as Notify's one_click_unsubscribe_url.
    unsubscribe_url: str | None = None


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Send now or raise MailerUnavailable (the job queue retries)."""
        ...


@dataclasses.dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str | None = None
    scanned: bool = True  # False only for the development no-scanner adapter


class VirusScanner(Protocol):
    configured: bool

    def scan(self, stream: BinaryIO) -> ScanResult:
        """Scan a stream; raise ScannerUnavailable when the scanner is down or gives no verdict."""
        ...

    def ping(self) -> None: ...


@dataclasses.dataclass(frozen=True)
class PostcodeResult:
    postcode: str  # normalised, e.g. "SW1A 2AA"
    town: str  # postcodes.io admin_district
    county: str  # postcodes.io admin_county (two-tier England only), else "": never a region or a country
    country: str


class PostcodeLookup(Protocol):
    def lookup(self, postcode: str) -> PostcodeResult | None:
        """None when the postcode does not exist; PostcodeLookupUnavailable when the service fails."""
        ...


@dataclasses.dataclass(frozen=True)
class Address:
    """One premises at a postcode, as an address finder offers it to choose."""

    uprn: str  # the Unique Property Reference Number
    line1: str  # the building and street
    line2: str  # the locality, or ""
    town: str  # the post town
    postcode: str  # normalised, e.g. "SW1A 2AA"
    county: str = ""  # Royal Mail addresses have none

    @property
    def label(self) -> str:
        """The address on one line, as the list to choose from shows it."""
        return ", ".join(part for part in (self.line1, self.line2, self.town, self.postcode) if part)


class AddressLookup(Protocol):
    def addresses(self, postcode: str) -> list[Address]:
        """The premises at a postcode ([] when it has none); PostcodeLookupUnavailable when the service fails."""
        ...


@dataclasses.dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    case_id: str | None = None
    detail: str = ""


class CaseSystem(Protocol):
    def deliver(self, reference: str, payload: dict) -> DeliveryResult: ...


class WebhookSender(Protocol):
    def send(self, url: str, event: str, body: dict, idempotency_key: str) -> int:
        """POST `body` to `url` as signed JSON naming `event`; the status when the receiver took it (a 2xx, or
        409: it had it already). WebhookFailed when a later try may work, WebhookRejected when none will."""
        ...


@dataclasses.dataclass(frozen=True)
class PublishedResponse:
    title: str
    reference: str
    url: str  # its page on this site
    published: dt.date


class PublishedResponses(Protocol):
    """The published responses to FOI and EIR requests (the Disclosure Log's)."""

    def like(self, text: str, now: dt.datetime, limit: int) -> list[PublishedResponse]:
        """The published responses closest to `text` (a request being written), best first; at most `limit`."""
        ...


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware UTC."""
        ...
