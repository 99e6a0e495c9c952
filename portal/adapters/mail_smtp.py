"""Mailer that hands messages to an SMTP relay.

Failures are sorted for the retrying job: a 5xx reply about this message (sender, recipient,
content) raises MailRejected; anything about reaching or using the server (refused connection,
timeout, dropped line, 4xx reply, failed STARTTLS or login) raises MailerUnavailable, so the
message goes out once the relay or its configuration is fixed.
"""
from __future__ import annotations

import email.message
import logging
import smtplib
import ssl

from portal.adapters import ports
from portal.adapters.mail_common import (
    MailRejected,
    build_mime,
    envelope_sender,
    log_mail,
    message_id_of,
    sender_domain,
    unavailable,
)

logger = logging.getLogger(__name__)


class SmtpMailer:
    def __init__(
        self,
        host: str,
        port: int,
        username: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10,
        mail_from: str = "",
    ):
        sender_domain(mail_from)  # fail at start-up, not on the first message
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout
        self.mail_from = mail_from

    def send(self, message: ports.EmailMessage) -> None:
        mime = build_mime(message, self.mail_from)
        message_id = message_id_of(mime)
        try:
            self._deliver(mime, message.to)
        except (MailRejected, smtplib.SMTPException, OSError) as error:
            failure = _classify(error)
            log_mail(logger, "email not sent", reference=message.reference, message_id=message_id,
                     level=logging.WARNING, reason=_reason(failure))
            raise failure from None  # the original may quote the recipient's address
        log_mail(logger, "email sent by SMTP", reference=message.reference, message_id=message_id)

    def _deliver(self, mime: email.message.EmailMessage, to: str) -> None:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            self._prepare(smtp)
            try:
                smtp.send_message(mime, from_addr=envelope_sender(self.mail_from), to_addrs=[to])
            except smtplib.SMTPNotSupportedError:  # an address needs SMTPUTF8, which this relay lacks
                raise MailRejected("the relay cannot carry this address (no SMTPUTF8)") from None
        finally:
            _close_quietly(smtp)

    def _prepare(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo()
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()  # the server's capabilities may change once the line is encrypted
        if self.username:
            smtp.login(self.username, self.password)


def _classify(error: BaseException) -> Exception:
    """MailRejected for a permanent refusal of this message, MailerUnavailable for anything else."""
    if isinstance(error, MailRejected):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return _by_code(codes, "recipient refused")
    if isinstance(error, smtplib.SMTPSenderRefused):
        return _by_code([error.smtp_code], "sender refused")
    if isinstance(error, smtplib.SMTPDataError):
        return _by_code([error.smtp_code], "message refused")
    if isinstance(error, smtplib.SMTPResponseException):  # greeting, HELO, STARTTLS, AUTH
        return unavailable(f"SMTP relay replied {error.smtp_code} ({type(error).__name__})")
    if isinstance(error, smtplib.SMTPException):  # dropped line, STARTTLS not offered
        return unavailable(f"SMTP session failed ({type(error).__name__})")
    return unavailable(f"SMTP relay unreachable ({type(error).__name__})")


def _by_code(codes: list[int], what: str) -> Exception:
    """5xx on every attempt is permanent; a 4xx (greylisting, full mailbox, busy relay) is worth a retry."""
    if codes and all(500 <= code < 600 for code in codes):
        return MailRejected(f"{what}: SMTP {', '.join(map(str, codes))}")
    return unavailable(f"{what}: SMTP {', '.join(map(str, codes))}")


def _reason(failure: Exception) -> str:
    notes = getattr(failure, "__notes__", None)
    return repr(notes[-1] if notes else str(failure))


def _close_quietly(smtp: smtplib.SMTP) -> None:
    """Say QUIT but never fail a message the relay has already accepted because of it."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        smtp.close()
