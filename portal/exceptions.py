"""Domain errors that carry their HTTP meaning; portal/errors.py turns them into pages or problem+json.

Titles and details are English (the API's problem+json and the logs keep them so), marked N_ for the
catalogue: the page that shows one translates it (portal/errors.py). Mark a detail given at a raise with N_ too.
"""
from __future__ import annotations

from portal.i18n import N_


class PortalError(Exception):
    status_code = 500
    title = N_("Sorry, there is a problem with the service")
    detail = N_("Try again later.")

    def __init__(self, detail: str | None = None):
        super().__init__(detail or self.detail)
        if detail:
            self.detail = detail


class NotFound(PortalError):
    status_code = 404
    title = N_("Page not found")
    detail = N_("If you typed the web address, check it is correct.")


class Gone(PortalError):
    status_code = 410
    title = N_("This page is no longer available")
    detail = N_("The page or document you were looking for has been removed.")


class ServiceUnavailable(PortalError):
    status_code = 503
    title = N_("Sorry, the service is unavailable")
    detail = N_("Try again later.")


class ScannerUnavailable(ServiceUnavailable):
    """The virus scanner could not be reached or did not answer: never a silent pass."""

    detail = N_("The selected file could not be checked for viruses. Try again later.")


class MailerUnavailable(ServiceUnavailable):
    detail = N_("We could not send the email. Try again later.")


class PostcodeLookupUnavailable(ServiceUnavailable):
    detail = N_("The address finder is not working at the moment. Enter the address manually.")


class FileStoreError(ServiceUnavailable):
    detail = N_("We could not store or read the file. Try again later.")


class CaseSystemUnavailable(ServiceUnavailable):
    detail = N_("The case system could not be reached.")


# What an outside system answered, for the job that called it to decide whether to retry. Never shown to the public.

class PayloadRejected(Exception):
    """The case system says the payload itself is wrong (a 4xx other than 408/409/429): retrying won't help."""


class WebhookFailed(Exception):
    """Not delivered this time (unreachable, timeout, 5xx, 408, 429, 401/403): retried with backoff."""


class WebhookRejected(Exception):
    """The case system refused the event itself (another 4xx): retrying would not help."""
