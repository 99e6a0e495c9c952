"""Mailer that sends through GOV.UK Notify, using one template whose content is ((subject)) and ((body)).

Failures are sorted for the retrying job: Notify refusing the request (400 bad request, 403 bad key)
raises MailRejected; rate limiting, Notify errors and network failures raise MailerUnavailable.
"""
from __future__ import annotations

import logging
import re
from contextlib import closing

from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import APIError, HTTPError

from portal.adapters import ports
from portal.adapters.mail_common import MailRejected, log_mail, unavailable

logger = logging.getLogger(__name__)

# A Notify key is "{key name}-{service id}-{secret}"; the client slices the two uuids off its end.
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_API_KEY = re.compile(rf".+-{_UUID}-{_UUID}", re.IGNORECASE)
_RETRYABLE = {408, 429}  # timeouts and rate limiting clear up by themselves


class NotifyMailer:
    def __init__(self, api_key: str, template_id: str, base_url: str, timeout: float = 10):
        if not _API_KEY.fullmatch(api_key):  # never echo the key: it is a secret
            raise ValueError("NOTIFY_API_KEY is not a GOV.UK Notify API key (name-serviceid-secret)")
        if not template_id:
            raise ValueError("NOTIFY_TEMPLATE_ID must be set")
        self.api_key = api_key
        self.template_id = template_id
        self.base_url = base_url
        self.timeout = timeout

    def send(self, message: ports.EmailMessage) -> None:
        try:
            response = self._post(message)
        except APIError as error:
            failure = _classify(error)
            log_mail(logger, "email not sent", reference=message.reference, message_id=None,
                     level=logging.WARNING, reason=repr(_reason(error)))
            raise failure from None  # Notify's error text may quote the recipient's address
        log_mail(logger, "email sent by Notify", reference=message.reference, message_id=response.get("id"))

    def _post(self, message: ports.EmailMessage) -> dict:
        # A client per message: the client is not thread-safe, and closing its session frees the socket.
        client = NotificationsAPIClient(self.api_key, base_url=self.base_url, timeout=self.timeout)
        with closing(client.request_session):
            return client.send_email_notification(
                email_address=message.to,
                template_id=self.template_id,
                personalisation={"subject": message.subject, "body": message.body},
                reference=message.reference,
                one_click_unsubscribe_url=message.unsubscribe_url,  # Notify sets the List-Unsubscribe headers
            )


def _classify(error: APIError) -> Exception:
    """Retry what may clear up by itself; stop on a request Notify will always refuse."""
    status = error.status_code
    if isinstance(error, HTTPError) and 400 <= status < 500 and status not in _RETRYABLE:
        return MailRejected(f"Notify refused the email: HTTP {status}")
    return unavailable(_reason(error))  # 5xx, 429, no connection (the client reports 503), or an unreadable reply


def _reason(error: APIError) -> str:
    if error.response is None:
        return "Notify unreachable"
    return f"Notify replied HTTP {error.status_code} ({_error_kind(error)})"


def _error_kind(error: APIError) -> str:
    """Notify's error class, like RateLimitError; its message is not logged as it may quote an address."""
    try:
        return str(error.response.json()["errors"][0]["error"])
    except (ValueError, KeyError, IndexError, TypeError):
        return type(error).__name__
