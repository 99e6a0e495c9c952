"""Email alerts: "Get emails about new responses that match this search", confirmed from the email (double
opt-in), stopped with one click.

Signing up emails a link; nothing is sent about the search until its GET page's button is pressed (mail scanners
follow links, so the GET changes nothing). An alert not confirmed within PENDING_FOR is deleted with its
address. Unsubscribing deletes the alert and the address at once; the link in every alert email (and its
List-Unsubscribe header, RFC 8058) does it, its token being the only authority.

Limits hold per person, whatever browser or address they come from: at most CONFIRMATIONS_PER_HOUR
confirmation emails an hour to one address, and MAX_ALERTS alerts at one address. An address is counted by a
keyed hash (never the address in a lock's name, a log or the table of confirmations sent), under a lock on that
hash (portal.locks), so parallel requests cannot both take the last one.

Like every service function here, these change the caller's session and never commit.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import secrets

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from itsdangerous import BadSignature
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from disclosure_log import alert_schedule
from disclosure_log.alert_search import AlertSearch, lines_for_email
from disclosure_log.models import Alert, AlertConfirmationSent, AlertSent
from portal import codes, locks, outbox, tokens
from portal.adapters.ports import EmailMessage
from portal.dates import minutes_to_wait
from portal.i18n import LANGUAGES, N_, QUERY, in_language, localised

log = logging.getLogger(__name__)

PATH = "/disclosure-log/email-alerts"
FREQUENCIES = {  # value -> (label, hint), in English for the catalogue (N_): the page shows them translated
    "immediately": (N_("As soon as they're published"), N_("Usually within a few minutes")),
    "daily": (N_("Once a day"), N_("One email at about 7am, on days when there are new responses")),
}
PENDING_FOR = dt.timedelta(days=7)
CONFIRMATIONS_PER_HOUR = 5  # to one address, however many people ask
MAX_ALERTS = 50  # at one address
CONFIRMATIONS_KEPT = dt.timedelta(days=1)  # longer than the hour they are counted over
CONFIRM_SALT = "disclosure-alert-confirm"
UNSUBSCRIBE_SALT = "disclosure-alert-unsubscribe"
UNSUBSCRIBE_FOR = dt.timedelta(days=3650)  # the link in an alert email works for the alert's life
MAX_TOKEN = 300
MAX_EMAIL = 254


class TooManyConfirmations(Exception):
    def __init__(self, wait: dt.timedelta):
        super().__init__(_("You've asked for too many emails to this address. Wait %(wait)s and try again",
                           wait=minutes_to_wait(wait)))


# The form ---------------------------------------------------------------------------------------

def check_form(form) -> tuple[dict[str, str], dict[str, str]]:
    """(typed, errors) for the sign-up form: the address normalised, the frequency one of FREQUENCIES."""
    typed = {"email": str(form.get("email", "")).strip()[:1000], "frequency": str(form.get("frequency", ""))}
    errors = {}
    if not typed["email"]:
        errors["email"] = _("Enter your email address")
    else:
        try:
            typed["email"] = validate_email(typed["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = _("Enter an email address in the correct format, like name@example.com")
        else:
            if len(typed["email"]) > MAX_EMAIL:
                errors["email"] = _("Email address must be %(most)s characters or less", most=MAX_EMAIL)
    if typed["frequency"] not in FREQUENCIES:
        typed["frequency"] = ""
        errors["frequency"] = _("Select how often you want to get emails")
    return typed, errors


# Signing up -------------------------------------------------------------------------------------

def address_hash(secret: str, email: str) -> str:
    return codes.keyed_hash(secret, f"disclosure-alert:{email.lower()}")


def _serialise_address(session: Session, hashed: str, now: dt.datetime) -> None:
    locks.serialise(session, f"disclosure-alert:{hashed}", now)


def _active_count(session: Session, hashed: str) -> int:
    return session.scalar(select(func.count()).select_from(Alert).where(
        Alert.address_hash == hashed, Alert.status == "active"))


def alert_language(alert: Alert | None, settings) -> str:
    """The language an alert's emails and links are in: its subscriber's, while the portal offers Welsh."""
    if not settings.welsh_offered:
        return "en"
    language = alert.language if alert is not None else None
    return language if language in LANGUAGES else "en"


def sign_up(session: Session, *, email: str, frequency: str, wanted: AlertSearch, now: dt.datetime,
            settings, language: str = "en") -> int:
    """Email a link to confirm an alert for this search (or, at MAX_ALERTS, say why not); the outbox email's id.
    `language`: the subscriber's (the page's), which its emails are written in.

    TooManyConfirmations when this address has had its emails for the hour. Asking again for the same search
    before confirming sends a new email for the same alert, with the latest choice of frequency."""
    hashed = address_hash(settings.secret_key, email)
    _serialise_address(session, hashed, now)
    window = dt.timedelta(hours=1)
    this_hour = session.scalars(select(AlertConfirmationSent.sent_at).where(
        AlertConfirmationSent.address_hash == hashed, AlertConfirmationSent.sent_at > now - window)
        .order_by(AlertConfirmationSent.sent_at)).all()
    if len(this_hour) >= CONFIRMATIONS_PER_HOUR:
        raise TooManyConfirmations(this_hour[len(this_hour) - CONFIRMATIONS_PER_HOUR] + window - now)
    session.add(AlertConfirmationSent(address_hash=hashed, sent_at=now))
    if _active_count(session, hashed) >= MAX_ALERTS:  # said in the email, not on the page: only the inbox's owner learns it
        return outbox.add(session, limit_email(email, settings, language), now)
    alert = session.scalar(select(Alert).where(Alert.address_hash == hashed, Alert.search_key == wanted.key,
                                               Alert.status == "pending"))
    if alert is None:
        alert = Alert(address_hash=hashed, search=[list(pair) for pair in wanted.pairs()], search_key=wanted.key,
                      status="pending", nonce=secrets.token_hex(8), created_at=now)
        session.add(alert)
    alert.email, alert.frequency, alert.expires_at = email, frequency, now + PENDING_FOR
    alert.language = language if language in LANGUAGES else "en"
    session.flush()
    log.info("disclosure alert %s asked for (%s)", alert.id, frequency)
    return outbox.add(session, confirmation_email(alert, wanted, settings), now, discard_after=alert.expires_at)


# Links ------------------------------------------------------------------------------------------

def _token(secret: str, salt: str, alert: Alert) -> str:
    return tokens.dumps(secret, salt, [alert.id, alert.nonce])


def link_language(settings, language: str) -> str | None:
    """The `lang` a link in an email in this language says: none in the default language."""
    return language if settings.welsh_offered and language != settings.default_language else None


def language_query(settings, language: str) -> str:
    """"?lang=cy" for a link in an email in another language than the default, so its pages open in it."""
    return f"?{QUERY}={language}" if link_language(settings, language) else ""


def confirm_link(settings, alert: Alert) -> str:
    return (f"{settings.base_url.rstrip('/')}{PATH}/confirm/{_token(settings.secret_key, CONFIRM_SALT, alert)}"
            + language_query(settings, alert_language(alert, settings)))


def unsubscribe_link(settings, alert: Alert) -> str:
    return (f"{settings.base_url.rstrip('/')}{PATH}/unsubscribe/{_token(settings.secret_key, UNSUBSCRIBE_SALT, alert)}"
            + language_query(settings, alert_language(alert, settings)))


def _read(secret: str, salt: str, token: str, max_age: dt.timedelta) -> tuple[int, str] | None:
    if not isinstance(token, str) or len(token) > MAX_TOKEN:
        return None
    try:
        alert_id, nonce = tokens.loads(secret, salt, token, max_age=int(max_age.total_seconds()))
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(alert_id, int) or isinstance(alert_id, bool) or not isinstance(nonce, str):
        return None
    return alert_id, nonce


def _named(session: Session, found: tuple[int, str] | None) -> Alert | None:
    if found is None:
        return None
    alert = session.get(Alert, found[0])
    return alert if alert is not None and secrets.compare_digest(alert.nonce, found[1]) else None


# Confirming -------------------------------------------------------------------------------------

def from_confirm_link(session: Session, secret: str, token: str, now: dt.datetime) -> Alert | None:
    """The alert a confirmation link names, while it can still be confirmed or has been; None otherwise."""
    alert = _named(session, _read(secret, CONFIRM_SALT, token, PENDING_FOR))
    if alert is None or (alert.status == "pending" and now >= alert.expires_at):
        return None
    return alert


@dataclasses.dataclass(frozen=True)
class Confirmed:
    outcome: str  # confirmed | already (the same search was already an alert: it now has this frequency) | too_many
    alert: Alert | None  # None: too_many, or gone (another tab's confirmation found it over the limit)


def _delete(session: Session, alert_id: int) -> None:
    """Deleted by id: doing it again (a second tab, a repeated one-click POST) deletes nothing and fails nothing."""
    session.execute(delete(Alert).where(Alert.id == alert_id))


def confirm(session: Session, alert: Alert, now: dt.datetime) -> Confirmed:
    """The button on the link's page was pressed: the alert starts, from this moment. Pressing it again is fine."""
    if alert.status == "active":
        return Confirmed("confirmed", alert)
    _serialise_address(session, alert.address_hash, now)
    # Read again under the lock: another tab may have confirmed it, or deleted it, since it was read.
    alert = session.scalar(select(Alert).where(Alert.id == alert.id).execution_options(populate_existing=True))
    if alert is None or alert.status == "active":
        return Confirmed("confirmed" if alert else "gone", alert)
    same = session.scalar(select(Alert).where(Alert.address_hash == alert.address_hash, Alert.status == "active",
                                              Alert.search_key == alert.search_key, Alert.id != alert.id))
    if same is not None:
        same.frequency = alert.frequency
        same.next_check_at = alert_schedule.next_check(same.frequency, now)
        _delete(session, alert.id)
        log.info("disclosure alert %s confirmed again as %s (%s)", same.id, alert.id, same.frequency)
        return Confirmed("already", same)
    if _active_count(session, alert.address_hash) >= MAX_ALERTS:
        _delete(session, alert.id)
        return Confirmed("too_many", None)
    alert.status, alert.confirmed_at, alert.expires_at = "active", now, None
    alert.checked_until = alert_schedule.starts(now)
    alert.next_check_at = alert_schedule.next_check(alert.frequency, now)
    log.info("disclosure alert %s confirmed (%s)", alert.id, alert.frequency)
    return Confirmed("confirmed", alert)


# Unsubscribing ----------------------------------------------------------------------------------

def from_unsubscribe_link(session: Session, secret: str, token: str) -> tuple[bool, Alert | None]:
    """(the link is genuine, the alert it names if it still exists): a genuine link to a deleted alert is an
    unsubscribe done already, not an error."""
    found = _read(secret, UNSUBSCRIBE_SALT, token, UNSUBSCRIBE_FOR)
    return found is not None, _named(session, found)


def unsubscribe(session: Session, alert: Alert | None) -> None:
    """Delete the alert, its address and the record of what it sent. Doing it twice does nothing more."""
    if alert is not None:
        _delete(session, alert.id)
        log.info("disclosure alert %s unsubscribed", alert.id)


def delete_expired(session: Session, now: dt.datetime) -> dict[str, int]:
    """Alerts never confirmed (with their addresses), confirmations older than they are counted, and the record of
    entries sent that no check can find again."""
    return {
        "unconfirmed": session.execute(delete(Alert).where(Alert.status == "pending", Alert.expires_at < now)).rowcount,
        "confirmations": session.execute(delete(AlertConfirmationSent).where(
            AlertConfirmationSent.sent_at < now - CONFIRMATIONS_KEPT)).rowcount,
        "sent": session.execute(delete(AlertSent).where(AlertSent.sent_at < now - alert_schedule.SENT_KEPT)).rowcount,
    }


# Emails -----------------------------------------------------------------------------------------

def confirmation_email(alert: Alert, wanted: AlertSearch, settings) -> EmailMessage:
    language = alert_language(alert, settings)
    with in_language(language):
        named = localised(settings, language)
        days = PENDING_FOR.days
        lines = [_("Confirm that you want emails from %(body)s about new responses to Freedom of Information and "
                   "Environmental Information requests in its disclosure log.", body=named.public_body_name), "",
                 *lines_for_email(wanted), "",
                 _("We'll email you %(how_often)s.", how_often=alert_schedule.how_often(alert.frequency)), "",
                 _("To confirm, open this link and select the button on the page:"), "", confirm_link(settings, alert),
                 "", _("The link works for %(days)s days.", days=days), "",
                 _("If you did not ask for these emails, you can ignore this one. You will not get any more, and "
                   "we'll delete your email address in %(days)s days.", days=days)]
        return EmailMessage(to=alert.email, subject=_("Confirm your email alert"), body="\n".join(lines))


def limit_email(email: str, settings, language: str = "en") -> EmailMessage:
    with in_language(language if settings.welsh_offered else "en"):
        named = localised(settings, language if settings.welsh_offered else "en")
        lines = [_("Someone asked for another email alert about new responses in the disclosure log of %(body)s to "
                   "be sent to this address.", body=named.public_body_name), "",
                 _("This address already gets %(most)s email alerts, the most we send to one address, so we have "
                   "not set up another.", most=MAX_ALERTS), "",
                 _("To add it, first unsubscribe from an alert you no longer need, using the link at the end of any "
                   "of its emails, then ask again."), "",
                 _("If you did not ask for another alert, you can ignore this email.")]
        return EmailMessage(to=email, subject=_("You already get the most email alerts we send"),
                            body="\n".join(lines))
