"""The email alert pages and states for the browser checks (axe, CSP, no-JS, styles): signing up (with and without
a search, with errors, after too many emails), "Check your email", the confirmation link's page, set up, too many
alerts, a link that does not work, unsubscribing and unsubscribed. tests/browser/test_disclosure_alerts.py says
what a person sees in each and drives the whole journey.

Each state uses an address of its own: the limits per address would otherwise stop the checks run after it."""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from accessibility.pages import PageCheck, register

NEW = "/disclosure-log/email-alerts/new"
SEARCH = {"q": "allotment", "outcome": "Refused"}
TOO_MANY_ERROR = "You've asked for too many emails to this address"


def new_path(**search) -> str:
    return NEW + ("?" + urlencode(search) if search else "")


def fresh_email() -> str:
    return f"alerts.{uuid.uuid4().hex[:12]}@example.com"


def _in_app(server, work):
    """`work(session, services, settings)` in the live server's app, committed."""
    app = server.app
    with app.app_context(), app.extensions["portal.db"].transaction() as session:
        return work(session, app.extensions["portal.services"], app.config["PORTAL_SETTINGS"])


def _asked(server, email: str, **search) -> None:
    """An alert asked for a search (its URL parameters), as the sign-up form does it; its email goes to the test
    mailer."""
    from werkzeug.datastructures import MultiDict

    from disclosure_log import alerts
    from disclosure_log.alert_search import AlertSearch

    def work(session, services, settings):
        alerts.sign_up(session, email=email, frequency="daily", wanted=AlertSearch.from_args(MultiDict(search)),
                       now=services.clock.now(), settings=settings)

    _in_app(server, work)


def _link(server, email: str, kind: str) -> str:
    """The confirm or unsubscribe link of the latest alert for this address, as a path."""
    from sqlalchemy import select

    from disclosure_log import alerts
    from disclosure_log.models import Alert

    def work(session, _services, settings):
        alert = session.scalar(select(Alert).where(Alert.email == email).order_by(Alert.id.desc()))
        url = (alerts.confirm_link if kind == "confirm" else alerts.unsubscribe_link)(settings, alert)
        return url.removeprefix(settings.base_url.rstrip("/"))

    return _in_app(server, work)


def _confirmed(server, email: str) -> None:
    from sqlalchemy import select

    from disclosure_log import alerts
    from disclosure_log.models import Alert

    def work(session, services, _settings):
        for alert in session.scalars(select(Alert).where(Alert.email == email, Alert.status == "pending")):
            alerts.confirm(session, alert, services.clock.now())

    _in_app(server, work)


def _press(page, name: str):
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=name).click()
    return navigation.value


def _goto(path: str):
    return lambda page, server: page.goto(server.url(path))


def _errors(page, server):
    page.goto(server.url(new_path(**SEARCH)))
    return _press(page, "Continue")


def _fill(page, email: str, frequency: str = "Once a day") -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label(frequency).check()


def _too_many_emails(page, server):
    email = fresh_email()
    for n in range(5):
        _asked(server, email, q=f"subject{n}")
    page.goto(server.url(new_path(**SEARCH)))
    _fill(page, email)
    return _press(page, "Continue")


def _check_email(page, server):
    page.goto(server.url(new_path(**SEARCH)))
    _fill(page, fresh_email())
    return _press(page, "Continue")


def _confirm_page(page, server):
    email = fresh_email()
    _asked(server, email, q="allotment")
    return page.goto(server.url(_link(server, email, "confirm")))


def _set_up(page, server):
    _confirm_page(page, server)
    return _press(page, "Confirm")


def _active(server, email: str, count: int) -> None:
    """`count` alerts already set up at this address (made directly: five confirmation emails an hour is the limit)."""
    from disclosure_log import alert_schedule, alerts
    from disclosure_log.alert_search import AlertSearch
    from disclosure_log.models import Alert

    def work(session, services, settings):
        now = services.clock.now()
        for n in range(count):
            wanted = AlertSearch(q=f"subject{n}")
            session.add(Alert(email=email, address_hash=alerts.address_hash(settings.secret_key, email),
                              search=[list(pair) for pair in wanted.pairs()], search_key=wanted.key,
                              frequency="daily", status="active", nonce=uuid.uuid4().hex[:16], created_at=now,
                              confirmed_at=now, checked_until=alert_schedule.starts(now),
                              next_check_at=alert_schedule.next_daily(now)))

    _in_app(server, work)


def _too_many_alerts(page, server):
    from disclosure_log import alerts

    email = fresh_email()
    _asked(server, email, q="allotment")
    page.goto(server.url(_link(server, email, "confirm")))
    _active(server, email, alerts.MAX_ALERTS)  # meanwhile, the most there can be were set up
    return _press(page, "Confirm")


def _unsubscribe_page(page, server):
    email = fresh_email()
    _asked(server, email, **SEARCH)
    _confirmed(server, email)
    return page.goto(server.url(_link(server, email, "unsubscribe")))


def _unsubscribed(page, server):
    _unsubscribe_page(page, server)
    return _press(page, "Unsubscribe")


CHECKS = [
    PageCheck("disclosure log alert sign-up", None, setup=_goto(new_path(**SEARCH))),
    PageCheck("disclosure log alert sign-up for every response", None, setup=_goto(NEW)),
    PageCheck("disclosure log alert sign-up errors", None, 400, setup=_errors),
    PageCheck("disclosure log alert sign-up too many emails", None, 400, setup=_too_many_emails),
    PageCheck("disclosure log alert check your email", None, setup=_check_email),
    PageCheck("disclosure log alert confirm", None, setup=_confirm_page),
    PageCheck("disclosure log alert set up", None, setup=_set_up),
    PageCheck("disclosure log alert too many alerts", None, setup=_too_many_alerts),
    PageCheck("disclosure log alert link does not work", None, 404,
              setup=_goto("/disclosure-log/email-alerts/confirm/not-a-link")),
    PageCheck("disclosure log alert unsubscribe", None, setup=_unsubscribe_page),
    PageCheck("disclosure log alert unsubscribed", None, setup=_unsubscribed),
]

register(*CHECKS)
