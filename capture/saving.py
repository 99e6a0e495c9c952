"""Save and come back later: a draft kept for SAVE_DAYS (28 by default), resumed in any browser with
the emailed link and a code emailed to the same address (the one-time code rules of portal/codes.py).

The link alone opens nothing: it is in an inbox, and may be forwarded; the code proves the inbox is the
person's now. A saved draft outlives the browser's idle time (its answers stay on the server), but the
browser that saved it still loses it after that time, as any other: on a shared computer the next
person cannot carry on. The sweep erases a saved draft, with its files, when its time is up; the page
and the email that saved it said when.

Like every service function here, these change the caller's session and never commit.
"""
from __future__ import annotations

import datetime as dt
import secrets

from flask_babel import gettext as _
from itsdangerous import BadSignature
from sqlalchemy.orm import Session

from capture.definitions import FormDefinition
from capture.models import Draft
from portal import tokens
from portal.adapters.ports import EmailMessage
from portal.dates import govuk_datetime
from portal.i18n import in_language, localised

RESUME_SALT = "capture-resume-link"


def save_for_later(draft: Draft, email: str, now: dt.datetime, days: int) -> dt.datetime:
    """Keep the draft for `days`, for `email` to resume; an earlier save's time starts again."""
    draft.saved_until = now + dt.timedelta(days=days)
    draft.flags = {**draft.flags, "resume_email": email}
    draft.touched_at = now
    return draft.saved_until


def resume_token(secret: str, draft: Draft) -> str:
    return tokens.dumps(secret, RESUME_SALT, {"d": draft.id})


def draft_from_link(session: Session, secret: str, token: str, now: dt.datetime, days: int) -> Draft | None:
    """The saved draft a resume link names, while it is kept; None otherwise (fail closed)."""
    try:
        data = tokens.loads(secret, RESUME_SALT, token, max_age=days * 86400)
        draft = session.get(Draft, str(data["d"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if draft is None or draft.saved_until is None or now >= draft.saved_until or not draft.flags.get("resume_email"):
        return None
    return draft


def resume(draft: Draft, now: dt.datetime) -> str:
    """The code was right: the draft carries on in this browser, its idle clock started again, under a
    new key (returned, for the browser's cookie) that every other browser holding the draft lacks."""
    draft.touched_at = now
    draft.flags = {**draft.flags, "key": secrets.token_hex(16)}
    return draft.flags["key"]


def resume_email(form: FormDefinition, draft: Draft, link: str, settings) -> EmailMessage:
    """The saved request's link, in the draft's language."""
    language = draft.language or "en"
    with in_language(language):
        body_name = localised(settings, language).public_body_name
        lines = [
            _("You've saved your %(form)s to %(body)s so you can come back to it later.", form=form.sentence_name,
              body=body_name),
            "",
            _("To carry on, open this link:"),
            "",
            link,
            "",
            _("We'll email you a security code when you open it, to check it's you."),
            "",
            _("We'll keep your answers until %(moment)s. After that we'll delete them and you'll need to start again.",
              moment=govuk_datetime(draft.saved_until)),
            "",
            _("Your request has not been sent. We only send it when you finish it and confirm your email address."),
            "",
            _("If you did not ask to save a request, you can ignore this email. Nobody can open your answers without "
              "the security code we send to this address."),
        ]
        return EmailMessage(to=draft.flags["resume_email"], subject=_("Your saved %(form)s", form=form.sentence_name),
                            body="\n".join(lines))
