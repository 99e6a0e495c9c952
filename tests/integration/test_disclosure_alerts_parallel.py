"""Email alerts' limits per address, attacked with requests released together against a real threaded server, on
SQLite and PostgreSQL: each must hold exactly (disclosure_log/alerts.py)."""
from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from disclosure_log import alerts
from disclosure_log.models import Alert, AlertConfirmationSent
from tests.integration.test_code_limits_parallel import _session, csrf, live, together
from tests.unit.test_disclosure_alerts import _active_alerts, link

pytestmark = pytest.mark.integration
__all__ = ["live"]  # the fixture, shared

NEW = "/disclosure-log/email-alerts/new"


def _signing_up(base: str, email: str, search=lambda i: f"subject{i}"):
    """Each browser on its own sign-up page (a search of its own), ready to send the form."""
    def prepare(i):
        browser = requests.Session()
        url = f"{base}{NEW}?q={search(i)}"
        return browser, url, csrf(browser.get(url))

    def fire(prepared):
        browser, url, token = prepared
        return browser.post(url, data={"csrf_token": token, "email": email, "frequency": "daily"}, allow_redirects=False)

    return prepare, fire


def test_twenty_sign_ups_for_one_address_at_once_send_five_emails(live):
    app, services, base = live
    responses = together(*_signing_up(base, "pat@example.com"), 20)
    assert sum(r.status_code == 302 for r in responses) == alerts.CONFIRMATIONS_PER_HOUR
    assert sum(r.status_code == 400 and "too many emails to this address" in r.text for r in responses) == 15
    assert len(services.mailer.sent) == alerts.CONFIRMATIONS_PER_HOUR
    with _session(app) as session:
        assert session.scalar(select(func.count()).select_from(AlertConfirmationSent)) == 5
        assert session.scalar(select(func.count()).select_from(Alert)) == 5


def test_the_same_address_typed_differently_is_one_address(live):
    app, services, base = live
    spellings = ["pat@example.com", "PAT@example.com", "Pat@Example.com", "pat@EXAMPLE.COM"]

    def prepare(i):
        browser = requests.Session()
        url = f"{base}{NEW}?q=subject{i}"
        return browser, url, csrf(browser.get(url)), spellings[i % len(spellings)]

    def fire(prepared):
        browser, url, token, email = prepared
        return browser.post(url, data={"csrf_token": token, "email": email, "frequency": "daily"}, allow_redirects=False)

    together(prepare, fire, 12)
    assert len(services.mailer.sent) == alerts.CONFIRMATIONS_PER_HOUR


def test_twenty_confirmations_at_once_with_one_alert_left_start_one(live):
    """49 alerts and 5 waiting to be confirmed, each confirmed from 4 browsers at once: one more, never 51."""
    app, services, base = live
    _active_alerts(app, "pat@example.com", alerts.MAX_ALERTS - 1)
    together(*_signing_up(base, "pat@example.com", search=lambda i: f"another{i}"), 5)
    paths = [link(message, "confirm") for message in services.mailer.sent]
    assert len(set(paths)) == 5

    def prepare(i):
        browser = requests.Session()
        url = base + paths[i % 5]
        return browser, url, csrf(browser.get(url))

    def fire(prepared):
        browser, url, token = prepared
        return browser.post(url, data={"csrf_token": token}, allow_redirects=False)

    responses = together(prepare, fire, 20)
    set_up = [r for r in responses if r.status_code == 302]
    told = [r for r in responses if r.status_code == 200 and "You already have 50 email alerts" in r.text]
    assert set_up and told and len(set_up) + len(told) + sum(r.status_code == 404 for r in responses) == 20
    with _session(app) as session:
        assert session.scalar(select(func.count()).select_from(Alert).where(Alert.status == "active")) == 50
        assert session.scalar(select(func.count()).select_from(Alert).where(Alert.status == "pending")) == 0


def test_twenty_one_click_unsubscribes_at_once_all_succeed(live):
    app, services, base = live
    _active_alerts(app, "pat@example.com", 1)
    with _session(app) as session:
        alert = session.scalar(select(Alert))
        url = alerts.unsubscribe_link(app.config["PORTAL_SETTINGS"], alert)
    path = re.sub(r"^https?://[^/]+", "", url)
    responses = together(lambda i: None, lambda _p: requests.post(base + path, data={"List-Unsubscribe": "One-Click"}),
                         20)
    assert [r.status_code for r in responses] == [200] * 20
    with _session(app) as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 0
