"""Fakes for unit tests only: the shipped adapters are all real."""
from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, BinaryIO, Iterator

from portal.adapters.ports import Address, DeliveryResult, EmailMessage, PostcodeResult, ScanResult, StoredFile
from portal.exceptions import NotFound, ScannerUnavailable


class FakeClock:
    def __init__(self, now: dt.datetime | None = None):
        self.current = now or dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.timezone.utc)

    def now(self) -> dt.datetime:
        return self.current

    def advance(self, **delta) -> None:
        self.current += dt.timedelta(**delta)


class FakeStore:
    def __init__(self):
        self.files: dict[str, bytes] = {}

    def put(self, key: str, stream: BinaryIO) -> StoredFile:
        data = stream.read()
        self.files[key] = data
        return StoredFile(key, len(data), hashlib.sha256(data).hexdigest())

    def open(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        if key not in self.files:
            raise NotFound()
        data = self.files[key]
        yield data[start: (len(data) if end is None else end + 1)]

    def size(self, key: str) -> int:
        return len(self.files[key])

    def exists(self, key: str) -> bool:
        return key in self.files

    def delete(self, key: str) -> None:
        self.files.pop(key, None)

    def ping(self) -> None:
        pass


class FakeMailer:
    def __init__(self):
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


class FakeScanner:
    configured = True

    def __init__(self, verdict: str = "clean"):
        self.verdict = verdict  # clean | virus | down

    def scan(self, stream: BinaryIO) -> ScanResult:
        if self.verdict == "down":
            raise ScannerUnavailable()
        return ScanResult(clean=self.verdict == "clean", signature=None if self.verdict == "clean" else "Eicar-Test")

    def ping(self) -> None:
        if self.verdict == "down":
            raise ScannerUnavailable()


class FakePostcodes:
    def __init__(self, known: dict[str, PostcodeResult] | None = None):
        self.known = known or {"SW1A 2AA": PostcodeResult("SW1A 2AA", "Westminster", "", "England")}

    def lookup(self, postcode: str) -> PostcodeResult | None:
        from portal.postcodes import normalise_postcode

        return self.known.get(normalise_postcode(postcode))


class FakeAddresses:
    """The premises at each postcode it knows ([] for any other); `down` makes it fail like a dead service."""

    def __init__(self, known: dict[str, list[Address]] | None = None):
        self.known = known if known is not None else {"SW1A 2AA": [
            Address("100023336956", "10 Downing Street", "", "London", "SW1A 2AA"),
            Address("10033540874", "Prime Minister's Office, 11 Downing Street", "", "London", "SW1A 2AA"),
            Address("100023336957", "70 Whitehall", "", "London", "SW1A 2AA"),
        ]}
        self.down = False
        self.asked: list[str] = []

    def addresses(self, postcode: str) -> list[Address]:
        from portal.exceptions import PostcodeLookupUnavailable
        from portal.postcodes import normalise_postcode

        self.asked.append(normalise_postcode(postcode))
        if self.down:
            raise PostcodeLookupUnavailable()
        return list(self.known.get(normalise_postcode(postcode), []))


class FakeCaseSystem:
    def __init__(self):
        self.delivered: list[tuple[str, dict]] = []

    def deliver(self, reference: str, payload: dict) -> DeliveryResult:
        self.delivered.append((reference, payload))
        return DeliveryResult(delivered=True, case_id=f"CASE-{len(self.delivered)}")


class FakeWebhooks:
    """Records each event sent; `answer` is the receiver's status, or the WebhookFailed/WebhookRejected to raise."""

    def __init__(self):
        self.sent: list[dict] = []
        self.answer: int | Exception = 204

    def send(self, url: str, event: str, body: dict, idempotency_key: str) -> int:
        self.sent.append({"url": url, "event": event, "body": body, "idempotency_key": idempotency_key})
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


if TYPE_CHECKING:  # `make lint`: mypy checks that every fake still matches its port
    from portal.adapters.ports import (AddressLookup, CaseSystem, Clock, FileStore, Mailer, PostcodeLookup, VirusScanner,
                                       WebhookSender)

    _store: FileStore = FakeStore()
    _mailer: Mailer = FakeMailer()
    _scanner: VirusScanner = FakeScanner()
    _postcodes: PostcodeLookup = FakePostcodes()
    _addresses: AddressLookup = FakeAddresses()
    _case_system: CaseSystem = FakeCaseSystem()
    _clock: Clock = FakeClock()
    _webhooks: WebhookSender = FakeWebhooks()
