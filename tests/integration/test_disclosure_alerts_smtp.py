"""Email alerts end to end through a real SMTP server and a real threaded web server, on SQLite and PostgreSQL:
sign up, the confirmation email, confirm, an entry published, the alerts job, the alert email with its
List-Unsubscribe headers (RFC 8058), and the one-click POST a mail service sends to the header's link."""
from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from disclosure_log.jobs import send_alerts
from disclosure_log.models import Alert
from portal.adapters.mail_smtp import SmtpMailer
from portal.services import Services
from tests.conftest import migrated_app
from tests.disclosure_helpers import DisclosureApi
from tests.fakes import FakeCaseSystem, FakeClock, FakePostcodes, FakeScanner, FakeStore, FakeWebhooks
from tests.integration.test_code_limits_parallel import csrf
from tests.support.serving import serving
from tests.support.smtp import smtp_server  # noqa: F401 - fixture

pytestmark = pytest.mark.integration

PERSON = "reader@example.com"


@pytest.fixture
def live(tmp_path, migrated_database_url, smtp_server):
    clock = FakeClock()
    services = Services(store=FakeStore(), mailer=SmtpMailer(smtp_server.host, smtp_server.port,
                                                             mail_from="no-reply@example.gov.uk", timeout=5),
                        scanner=FakeScanner(), postcodes=FakePostcodes(), case_system=FakeCaseSystem(), clock=clock,
                        webhooks=FakeWebhooks())
    app = migrated_app(tmp_path, services, database_url=migrated_database_url)
    with serving(app) as base:
        yield app, clock, base
    app.extensions["portal.db"].dispose()


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _link(message, kind: str) -> str:
    return _path(re.search(rf"^(https?://\S+/email-alerts/{kind}/\S+)$", message.parsed.get_content(), re.M).group(1))


def test_an_alert_arrives_by_smtp_with_one_click_unsubscribe_that_works(live, smtp_server):
    app, clock, base = live
    browser = requests.Session()
    url = f"{base}/disclosure-log/email-alerts/new?q=potholes"
    signed_up = browser.post(url, data={"csrf_token": csrf(browser.get(url)), "email": PERSON,
                                        "frequency": "immediately"})
    assert signed_up.ok and signed_up.url.endswith("/check-your-email")
    [confirmation] = smtp_server.messages
    assert confirmation.rcpt_tos == [PERSON] and "List-Unsubscribe" not in confirmation.parsed
    page = browser.get(base + _link(confirmation, "confirm"))
    assert browser.post(page.url, data={"csrf_token": csrf(page)}).url.endswith("/email-alerts/confirmed")

    clock.advance(minutes=1)
    DisclosureApi(app).publish("FOI-2026-0501", title="Potholes repaired in May", request="Potholes?",
                               response="We repaired 120 potholes.")
    clock.advance(minutes=2)
    with app.app_context():
        assert send_alerts.call_local() == {"sent": 1}

    alert = smtp_server.messages[-1]
    assert alert.rcpt_tos == [PERSON] and alert.raw.isascii()
    header = alert.parsed["List-Unsubscribe"]
    assert re.fullmatch(r"<https?://\S+/disclosure-log/email-alerts/unsubscribe/[\w.-]+>", header)
    assert alert.parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = alert.parsed.get_content()
    assert "Potholes repaired in May\nFOI-2026-0501, published 1 June 2026\n" in body
    assert _link(alert, "unsubscribe") == _path(header.strip("<>"))

    # What a mail service does when its "Unsubscribe" button is pressed: a bare POST, no cookie, no token.
    mail_service = requests.post(base + _path(header.strip("<>")), data={"List-Unsubscribe": "One-Click"},
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert mail_service.status_code == 200
    with app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 0
    assert requests.get(base + _path(header.strip("<>"))).text.count("unsubscribed") >= 1
