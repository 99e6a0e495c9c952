"""Services: one adapter per port, chosen by settings. The entry point only wires."""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from portal.adapters.ports import (AddressLookup, CaseSystem, Clock, FileStore, Mailer, PostcodeLookup, PublishedResponses,
                                   VirusScanner, WebhookSender)

log = logging.getLogger(__name__)

SCANNER_OFF = ("VIRUS SCANNING IS OFF: no clamd configured (set CLAMD_SOCKET or CLAMD_HOST). "
               "Uploaded files are NOT checked. This is refused in production.")


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)


@dataclasses.dataclass
class Services:
    store: FileStore
    mailer: Mailer
    scanner: VirusScanner
    postcodes: PostcodeLookup
    case_system: CaseSystem
    clock: Clock
    webhooks: WebhookSender
    # Set by create_app when the Disclosure Log is installed; None without it.
    published: PublishedResponses | None = None
    # The premises at a postcode (OS Places) when OS_PLACES_API_KEY is set; None: postcodes gives the town only.
    addresses: AddressLookup | None = None

    @classmethod
    def from_settings(cls, settings) -> "Services":
        return cls(
            store=make_store(settings),
            mailer=make_mailer(settings),
            scanner=make_scanner(settings),
            postcodes=make_postcodes(settings),
            case_system=make_case_system(settings),
            clock=SystemClock(),
            webhooks=make_webhooks(settings),
            addresses=make_addresses(settings),
        )


def make_store(settings) -> FileStore:
    if settings.file_store == "s3":
        from portal.adapters.store_s3 import S3FileStore

        return S3FileStore(bucket=settings.s3_bucket, kek=settings.kek_bytes,
                           endpoint_url=settings.s3_endpoint_url or None, region=settings.s3_region)
    from portal.adapters.store_local import LocalFileStore

    return LocalFileStore(settings.store_path, settings.kek_bytes)


def make_mailer(settings) -> Mailer:
    if settings.mailer == "smtp":
        from portal.adapters.mail_smtp import SmtpMailer

        return SmtpMailer(host=settings.smtp_host, port=settings.smtp_port, username=settings.smtp_username,
                          password=settings.smtp_password, starttls=settings.smtp_starttls,
                          mail_from=settings.mail_from)
    if settings.mailer == "notify":
        from portal.adapters.mail_notify import NotifyMailer

        return NotifyMailer(api_key=settings.notify_api_key, template_id=settings.notify_template_id,
                            base_url=settings.notify_base_url)
    from portal.adapters.mail_outbox import OutboxMailer

    return OutboxMailer(settings.outbox_path, mail_from=settings.mail_from)


def make_scanner(settings) -> VirusScanner:
    from portal.adapters.scan_clamd import ClamdScanner, DevelopmentNoScanner

    if settings.clamd_socket:
        return ClamdScanner(socket_path=settings.clamd_socket, timeout=settings.clamd_timeout)
    if settings.clamd_host:
        return ClamdScanner(host=settings.clamd_host, port=settings.clamd_port, timeout=settings.clamd_timeout)
    if settings.scanner_warning:  # off in make run's processes: portal/run.py says it once for them all
        log.warning(SCANNER_OFF)
    return DevelopmentNoScanner()


def make_postcodes(settings) -> PostcodeLookup:
    from portal.adapters.postcodes_io import PostcodesIoLookup

    return PostcodesIoLookup(settings.postcodes_base_url, timeout=settings.postcodes_timeout)


def make_addresses(settings) -> AddressLookup | None:
    if not settings.os_places_api_key:
        return None
    from portal.adapters.os_places import OsPlacesLookup

    return OsPlacesLookup(settings.os_places_api_key, settings.os_places_base_url, timeout=settings.os_places_timeout)


def make_case_system(settings) -> CaseSystem:
    if settings.case_system_url:
        from portal.adapters.case_system_http import HttpCaseSystem

        return HttpCaseSystem(settings.case_system_url, settings.case_system_secret,
                              timeout=settings.case_system_timeout)
    from portal.adapters.case_system_pull import PullOnlyCaseSystem

    return PullOnlyCaseSystem()


def make_webhooks(settings) -> WebhookSender:
    from portal.adapters.webhook_http import HttpWebhookSender

    # signed with the case system's secret: the webhooks are its
    return HttpWebhookSender(settings.case_system_secret, timeout=settings.case_system_timeout)
