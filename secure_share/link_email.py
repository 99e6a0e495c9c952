"""The emails that carry a share's link: the first one, a resend, the reminder before expiry, and the lock.

Plain text, the link on its own line, times the GOV.UK way in Europe/London. Nothing about the
documents themselves: anyone who sees the email still needs the code sent to this address.

Each is written in the share's language (service.share_language, which the caller passes): the requester's,
whatever the language of the request or job that sends it.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _, ngettext

from portal.adapters.ports import EmailMessage
from portal.dates import govuk_datetime
from portal.i18n import in_language, localised
from secure_share.models import Share


def _subject(share: Share, settings) -> str:
    return _("Your documents from %(body)s: reference %(reference)s", body=settings.public_body_name,
             reference=share.case_reference)


def _how_to_sign_in(share: Share, settings) -> list[str]:
    return [
        _("When you open the link, you'll be asked for a security code. We'll send the code to this email "
          "address (%(address)s), so only someone who can read your email can see the documents.",
          address=share.recipient_email),
        "",
        _("Do not forward this email or share the link."),
        "",
        _("If you were not expecting this email, or you have a question, contact %(body)s at %(email)s and quote "
          "your reference %(reference)s. Do not reply to this email.", body=settings.public_body_name,
          email=settings.contact_email, reference=share.case_reference),
    ]


def link_email(share: Share, link: str, settings, language: str = "en", *, resend: bool = False) -> EmailMessage:
    with in_language(language):
        settings = localised(settings, language)
        lines = [_("Dear %(name)s,", name=share.recipient_name), ""]
        if resend:
            lines += [_("This is a new link to your documents. The link we sent you before no longer works."), ""]
        lines += [_("%(body)s has sent you documents about your case, reference %(reference)s.",
                    body=settings.public_body_name, reference=share.case_reference), ""]
        if share.message:
            lines += [_("Message from %(body)s:", body=settings.public_body_name), "", share.message, ""]
        lines += [
            _("To see and download the documents, open this link:"),
            "",
            link,
            "",
            _("You can use the link until %(moment)s. After that the documents will be removed. Any documents "
              "you've downloaded will stay on your device.", moment=govuk_datetime(share.expires_at)),
            "",
            *_how_to_sign_in(share, settings),
        ]
        return EmailMessage(to=share.recipient_email, subject=_subject(share, settings), body="\n".join(lines),
                            reference=share.case_reference)


def locked_email(share: Share, settings, language: str = "en") -> EmailMessage:
    """To the requester, once, when too many wrong codes lock the share (signing_in.py)."""
    with in_language(language):
        settings = localised(settings, language)
        body_name = settings.public_body_name
        lines = [
            _("Dear %(name)s,", name=share.recipient_name), "",
            _("Someone entered the wrong security code too many times for the link to your documents from %(body)s "
              "(reference %(reference)s). For your security, the link no longer works.", body=body_name,
              reference=share.case_reference), "",
            _("Your documents are safe: nobody can see them without the right code."), "",
            _("%(body)s has been told. To get a new link, contact %(body)s at %(email)s and quote your reference "
              "%(reference)s. If it was not you who tried to sign in, tell them: someone else may have your link.",
              body=body_name, email=settings.contact_email, reference=share.case_reference), "",
            _("Do not reply to this email."),
        ]
        return EmailMessage(to=share.recipient_email,
                            subject=_("The link to your documents from %(body)s has been locked", body=body_name),
                            body="\n".join(lines), reference=share.case_reference)


def days_left(expires_at: dt.datetime, now: dt.datetime) -> str:
    days = (expires_at - now).days
    if days >= 1:
        return ngettext("%(num)d day", "%(num)d days", days)
    return _("less than a day")


def reminder_email(share: Share, link: str, settings, now: dt.datetime, language: str = "en") -> EmailMessage:
    with in_language(language):
        settings = localised(settings, language)
        lines = [
            _("Dear %(name)s,", name=share.recipient_name),
            "",
            _("You have not downloaded the documents %(body)s sent you about your case, reference %(reference)s.",
              body=settings.public_body_name, reference=share.case_reference),
            "",
            _("You have %(left)s left to download them. The documents will be removed on %(moment)s.",
              left=days_left(share.expires_at, now), moment=govuk_datetime(share.expires_at)),
            "",
            _("To see and download the documents, open this link:"),
            "",
            link,
            "",
            *_how_to_sign_in(share, settings),
        ]
        return EmailMessage(to=share.recipient_email,
                            subject=_("Reminder: download your documents from %(body)s by %(moment)s",
                                      body=settings.public_body_name, moment=govuk_datetime(share.expires_at)),
                            body="\n".join(lines), reference=share.case_reference)
