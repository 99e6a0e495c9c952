"""Domain errors that carry their HTTP meaning; portal/errors.py turns them into pages or problem+json."""
from __future__ import annotations


class PortalError(Exception):
    status_code = 500
    title = "Sorry, there is a problem with the service"
    detail = "Try again later."

    def __init__(self, detail: str | None = None):
        super().__init__(detail or self.detail)
        if detail:
            self.detail = detail


class NotFound(PortalError):
    status_code = 404
    title = "Page not found"
    detail = "If you typed the web address, check it is correct."


class Gone(PortalError):
    status_code = 410
    title = "This page is no longer available"
    detail = "The page or document you were looking for has been removed."


class ServiceUnavailable(PortalError):
    status_code = 503
    title = "Sorry, the service is unavailable"
    detail = "Try again later."


class ScannerUnavailable(ServiceUnavailable):
    """The virus scanner could not be reached or did not answer: never a silent pass."""

    detail = "The selected file could not be checked for viruses. Try again later."


class MailerUnavailable(ServiceUnavailable):
    detail = "We could not send the email. Try again later."


class PostcodeLookupUnavailable(ServiceUnavailable):
    detail = "The address finder is not working at the moment. Enter the address manually."


class FileStoreError(ServiceUnavailable):
    detail = "We could not store or read the file. Try again later."


class CaseSystemUnavailable(ServiceUnavailable):
    detail = "The case system could not be reached."


# What an outside system answered, for the job that called it to decide whether to retry. Never shown to the public.

class PayloadRejected(Exception):
    """The case system says the payload itself is wrong (a 4xx other than 408/409/429): retrying won't help."""


class WebhookFailed(Exception):
    """Not delivered this time (unreachable, timeout, 5xx, 408, 429, 401/403): retried with backoff."""


class WebhookRejected(Exception):
    """The case system refused the event itself (another 4xx): retrying would not help."""
