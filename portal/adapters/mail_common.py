"""What the mail adapters share: the MIME message, the permanent-failure error and the log line.

No personal data in logs: the helpers here log a reference and a message id, never an address
or a body. The one exception is `links_in`, which only the development outbox adapter logs.
"""
from __future__ import annotations

import datetime as dt
import email.message
import email.policy
import email.utils
import logging

from portal.adapters import ports
from portal.exceptions import MailerUnavailable

LINK_PREFIXES = ("http://", "https://")
UNFOLDED = {"list-unsubscribe"}  # a URL in <>: RFC 2369 has no encoded words, and a URL has nowhere to fold
MAX_UNFOLDED = 900  # inside SMTP's 998-character line, with the header's name


class _Policy(email.policy.EmailPolicy):
    """The standard policy, but List-Unsubscribe is written as it is. The standard one turns a header line longer
    than 78 characters with no space to fold at into RFC 2047 encoded words, which no mail client reads as a link."""

    def fold(self, name, value):
        if name.lower() in UNFOLDED:
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if name.lower() in UNFOLDED:
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


POLICY = _Policy()


class MailRejected(Exception):
    """The mail service refused this message for good: sending it again would fail again."""


def unavailable(reason: str) -> MailerUnavailable:
    """A MailerUnavailable that keeps its public wording and carries the reason for the logs."""
    error = MailerUnavailable()
    error.add_note(reason)  # a note shows in tracebacks, never on a page
    return error


def sender_domain(mail_from: str) -> str:
    """The domain of the From address, used for Message-ID; refuse a From without one."""
    _, address = email.utils.parseaddr(mail_from)
    local, at, domain = address.rpartition("@")
    if not (local and at and domain):
        raise ValueError("MAIL_FROM must be an email address, like no-reply@example.gov.uk")
    return domain


def envelope_sender(mail_from: str) -> str:
    """The bare address of the From header, for SMTP MAIL FROM."""
    return email.utils.parseaddr(mail_from)[1]


def build_mime(
    message: ports.EmailMessage, mail_from: str, now: dt.datetime | None = None
) -> email.message.EmailMessage:
    """A plain text UTF-8 message, encoded 7-bit safe so any relay can carry it."""
    try:
        mime = email.message.EmailMessage(policy=POLICY)  # smtplib sends it with CRLF
        mime["From"] = mail_from
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = email.utils.format_datetime(now or dt.datetime.now(dt.timezone.utc))
        mime["Message-ID"] = email.utils.make_msgid(domain=sender_domain(mail_from))
        if message.unsubscribe_url:  # RFC 8058: a mail client's own "Unsubscribe" button POSTs to it
            mime["List-Unsubscribe"] = f"<{_plain_url(message.unsubscribe_url)}>"
            mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        mime.set_content(message.body, subtype="plain", charset="utf-8", cte="quoted-printable")
    except ValueError as error:  # e.g. a line break in the subject: the same message always fails
        raise MailRejected(f"message cannot be built: {type(error).__name__}") from None
    return mime


def _plain_url(url: str) -> str:
    """A URL that can go in a header as it is: ASCII, no spaces or controls, not too long."""
    if not (url.isascii() and url.isprintable() and " " not in url and len(url) <= MAX_UNFOLDED
            and url.startswith(LINK_PREFIXES) and "<" not in url and ">" not in url):
        raise ValueError("unsubscribe URL cannot be a header")
    return url


def message_id_of(mime: email.message.EmailMessage) -> str:
    """The Message-ID without its angle brackets, safe to log."""
    return str(mime["Message-ID"]).strip().strip("<>")


def links_in(body: str) -> list[str]:
    """Lines of the body that are links (the house style puts each link on its own line)."""
    lines = (line.strip() for line in body.splitlines())
    return [line for line in lines if line.startswith(LINK_PREFIXES)]


def log_mail(
    logger: logging.Logger,
    event: str,
    *,
    reference: str | None,
    message_id: str | None,
    level: int = logging.INFO,
    **details: object,
) -> None:
    """One line per mail event with the reference and message id and only the details given."""
    extra = "".join(f" {key}={value}" for key, value in details.items())
    logger.log(level, "%s reference=%s message_id=%s%s", event, reference or "-", message_id or "-", extra)
