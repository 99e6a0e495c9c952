"""The emails that carry a share's link: the first one, a resend, and the reminder before expiry.

Plain text, the link on its own line, times the GOV.UK way in Europe/London. Nothing about the
documents themselves: anyone who sees the email still needs the code sent to this address.
"""
from __future__ import annotations

import datetime as dt

from portal.adapters.ports import EmailMessage
from portal.dates import govuk_datetime
from secure_share.models import Share


def _subject(share: Share, settings) -> str:
    return f"Your documents from {settings.public_body_name}: reference {share.case_reference}"


def _how_to_sign_in(share: Share, settings) -> list[str]:
    return [
        "When you open the link, you'll be asked for a security code. We'll send the code to this email "
        f"address ({share.recipient_email}), so only someone who can read your email can see the documents.",
        "",
        "Do not forward this email or share the link.",
        "",
        f"If you were not expecting this email, or you have a question, contact {settings.public_body_name} "
        f"at {settings.contact_email} and quote your reference {share.case_reference}. Do not reply to this email.",
    ]


def link_email(share: Share, link: str, settings, *, resend: bool = False) -> EmailMessage:
    lines = [f"Dear {share.recipient_name},", ""]
    if resend:
        lines += ["This is a new link to your documents. The link we sent you before no longer works.", ""]
    lines += [f"{settings.public_body_name} has sent you documents about your case, reference {share.case_reference}.",
              ""]
    if share.message:
        lines += [f"Message from {settings.public_body_name}:", "", share.message, ""]
    lines += [
        "To see and download the documents, open this link:",
        "",
        link,
        "",
        f"You can use the link until {govuk_datetime(share.expires_at)}. "
        "After that the documents will be removed. Any documents you've downloaded will stay on your device.",
        "",
        *_how_to_sign_in(share, settings),
    ]
    return EmailMessage(to=share.recipient_email, subject=_subject(share, settings), body="\n".join(lines),
                        reference=share.case_reference)


def locked_email(share: Share, settings) -> EmailMessage:
    """To the requester, once, when too many wrong codes lock the share (signing_in.py)."""
    body_name = settings.public_body_name
    lines = [
        f"Dear {share.recipient_name},", "",
        f"Someone entered the wrong security code too many times for the link to your documents from {body_name} "
        f"(reference {share.case_reference}). For your security, the link no longer works.", "",
        "Your documents are safe: nobody can see them without the right code.", "",
        f"{body_name} has been told. To get a new link, contact {body_name} at {settings.contact_email} and quote "
        f"your reference {share.case_reference}. If it was not you who tried to sign in, tell them: someone else "
        "may have your link.", "",
        "Do not reply to this email.",
    ]
    return EmailMessage(to=share.recipient_email, subject=f"The link to your documents from {body_name} has been locked",
                        body="\n".join(lines), reference=share.case_reference)


def days_left(expires_at: dt.datetime, now: dt.datetime) -> str:
    days = (expires_at - now).days
    if days >= 2:
        return f"{days} days"
    return "1 day" if days == 1 else "less than a day"


def reminder_email(share: Share, link: str, settings, now: dt.datetime) -> EmailMessage:
    lines = [
        f"Dear {share.recipient_name},",
        "",
        f"You have not downloaded the documents {settings.public_body_name} sent you about your case, "
        f"reference {share.case_reference}.",
        "",
        f"You have {days_left(share.expires_at, now)} left to download them. The documents will be removed "
        f"on {govuk_datetime(share.expires_at)}.",
        "",
        "To see and download the documents, open this link:",
        "",
        link,
        "",
        *_how_to_sign_in(share, settings),
    ]
    return EmailMessage(to=share.recipient_email,
                        subject=f"Reminder: download your documents from {settings.public_body_name} "
                                f"by {govuk_datetime(share.expires_at)}",
                        body="\n".join(lines), reference=share.case_reference)
