"""Disclosure Log email alerts: sign up for a search, confirm from the email, get new entries (as they are published
or in a daily summary), never the same one twice and never a withdrawn one, unsubscribe in one click."""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select

from disclosure_log import alert_schedule, alert_sending, alerts
from disclosure_log.alert_search import AlertSearch
from disclosure_log.current import get_index
from disclosure_log.models import PENDING, Alert, AlertConfirmationSent, AlertSent, Disclosure
from disclosure_log.jobs import delete_expired_alerts, send_alerts
from portal.outbox import OutboxEmail
from tests.disclosure_helpers import DisclosureApi, search
from tests.disclosure_helpers import api, corpus  # noqa: F401 - fixtures
from tests.pages import PageClient, check_page, text_of

NEW = "/disclosure-log/email-alerts/new"
LINK = re.compile(r"^https?://[^/\s]+(/disclosure-log/email-alerts/(confirm|unsubscribe)/[A-Za-z0-9_.-]+)$", re.M)
PERSON = "Zoe.Reader@example.com"


# Helpers --------------------------------------------------------------------------------------

def sign_up(client: PageClient, email: str = PERSON, frequency: str = "immediately", status: int = 302, **search_args):
    query = "&".join(f"{name}={value}" for name, values in search_args.items()
                     for value in (values if isinstance(values, list) else [values]))
    url = NEW + ("?" + query if query else "")
    token = client.csrf_token(url)
    response = client.raw.post(url, data={"csrf_token": token, "email": email, "frequency": frequency})
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response


def said(response) -> str:
    return text_of(check_page(response.get_data(as_text=True)))


def link(message, kind: str) -> str:
    """The path of the confirm or unsubscribe link in an email."""
    return next(m.group(1) for m in LINK.finditer(message.body) if m.group(2) == kind)


def confirm(client: PageClient, services, message=None) -> None:
    path = link(message or services.mailer.sent[-1], "confirm")
    page = client.get_page(path)
    assert page.find("button", string=re.compile("Confirm"))
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    response = client.raw.post(path, data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/disclosure-log/email-alerts/confirmed")


def subscribed(client, services, clock, frequency="immediately", email=PERSON, **search_args) -> None:
    """An alert signed up and confirmed; the clock then a minute on, so what is published next is new."""
    sign_up(client, email=email, frequency=frequency, **search_args)
    confirm(client, services)
    clock.advance(minutes=1)


def run_alerts(app) -> dict:
    with app.app_context():
        return send_alerts.call_local()


def alert_emails(services) -> list:
    return [m for m in services.mailer.sent if m.unsubscribe_url]


def references_in(message) -> list[str]:
    return re.findall(r"^([A-Z]+-[\w-]+), published ", message.body, re.M)


def alerts_in_db(app) -> list[Alert]:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def publish(api: DisclosureApi, reference: str, **fields) -> None:
    """An entry published now, whose only words are the ones given (the helpers' default request is about potholes)."""
    api.publish(reference, **{"request": fields.get("title", ""), **fields})


# The search page's link -----------------------------------------------------------------------

def test_the_search_page_links_to_alerts_for_its_words_and_filters_but_not_its_sort_or_page(client, corpus):
    soup = search(client, q="potholes", category="Highways", sort="oldest", page="1")
    found = soup.find("a", string="Get emails about new responses that match this search")
    assert found is not None
    url = urlsplit(found["href"])
    assert url.path == NEW and parse_qsl(url.query) == [("q", "potholes"), ("category", "Highways")]


def test_the_search_page_without_words_offers_every_new_response(client, corpus):
    found = search(client).find("a", string="Get emails about all new responses")
    assert found is not None and found["href"] == NEW


def test_no_alert_link_while_a_date_in_the_search_is_not_real(client, corpus):
    soup = search(client, **{"from-day": "31", "from-month": "2", "from-year": "2024"})
    assert not soup.find("a", string=re.compile("Get emails about"))


# Signing up -----------------------------------------------------------------------------------

def test_the_sign_up_page_says_in_words_what_the_alert_matches(client):
    page = client.get_page(NEW + "?q=care+homes&category=Housing&category=Adult+social+care&outcome=Refused"
                                 "&from-day=1&from-month=1&from-year=2024")
    assert page.h1.get_text() == "Get emails about new responses"
    items = [text_of(li) for li in page.select("main ul.govuk-list--bullet li")]
    assert items == ["Search words: care homes", "Category: Adult social care or Housing", "Outcome: Refused",
                     "Published from: 1 January 2024"]
    assert page.find("input", attrs={"name": "email"})["type"] == "email"
    assert [i["value"] for i in page.select("input[name=frequency]")] == ["immediately", "daily"]
    assert page.find("a", string="Back to your search")["href"] == (
        "/disclosure-log?q=care+homes&category=Adult+social+care&category=Housing&outcome=Refused"
        "&from-day=1&from-month=1&from-year=2024")


def test_the_sign_up_page_for_every_response(client):
    page = client.get_page(NEW)
    assert "We'll email you when" in text_of(page) and "publishes a new response to a Freedom of Information" in text_of(page)
    assert not page.select("main ul.govuk-list--bullet")


def test_a_search_that_ended_in_the_past_is_warned_about(client):
    page = client.get_page(NEW + "?q=parking&to-day=31&to-month=12&to-year=2023")
    assert "only finds responses published up to 31 December 2023" in text_of(page.select_one(".govuk-warning-text"))
    assert "only finds responses published in 2022" in text_of(client.get_page(NEW + "?year=2022"))


@pytest.mark.parametrize(("email", "frequency", "errors"), [
    ("", "immediately", {"email": "Enter your email address"}),
    ("not an address", "daily", {"email": "Enter an email address in the correct format, like name@example.com"}),
    ("a@" + "b" * 250 + ".com", "daily", {"email": "Enter an email address in the correct format, like name@example.com"}),
    (PERSON, "", {"frequency": "Select how often you want to get emails"}),
    (PERSON, "hourly", {"frequency": "Select how often you want to get emails"}),
    ("", "", {"email": "Enter your email address", "frequency": "Select how often you want to get emails"}),
])
def test_sign_up_errors_are_said_on_the_fields_and_nothing_is_sent(app, client, services, email, frequency, errors):
    response = sign_up(client, email=email, frequency=frequency, status=400, q="potholes")
    page = check_page(response.get_data(as_text=True))
    assert page.title.get_text().startswith("Error: Get emails about new responses")
    summary = [(a["href"], a.get_text(strip=True)) for a in page.select(".govuk-error-summary a")]
    assert summary == [(f"#{field}", message) for field, message in errors.items()]
    for field, message in errors.items():
        assert message in text_of(page.find(id=f"{field}-error"))
    assert page.find(id="email").get("value", "") == email.strip()
    assert services.mailer.sent == [] and alerts_in_db(app) == []


def test_signing_up_sends_a_confirmation_and_nothing_until_it_is_confirmed(app, client, services):
    response = sign_up(client, frequency="daily", q="potholes", category="Highways")
    assert response.location.endswith("/disclosure-log/email-alerts/check-your-email")
    page = client.get_page("/disclosure-log/email-alerts/check-your-email")
    assert page.h1.get_text() == "Check your email" and "Z***@example.com" in text_of(page)
    [message] = services.mailer.sent
    assert message.to == PERSON and message.subject == "Confirm your email alert" and message.unsubscribe_url is None
    assert "- Search words: potholes" in message.body and "- Category: Highways" in message.body
    assert "once a day" in message.body and "The link works for 7 days." in message.body
    [alert] = alerts_in_db(app)
    assert (alert.status, alert.frequency, alert.email) == ("pending", "daily", PERSON)
    assert alert.search == [["q", "potholes"], ["category", "Highways"]]

    path = link(message, "confirm")
    for _ in range(3):  # a mail scanner, then the person, opening the link: nothing happens
        assert client.get_page(path).h1.get_text() == "Confirm your email alert"
    assert alerts_in_db(app)[0].status == "pending"

    confirm(client, services, message)
    page = client.get_page("/disclosure-log/email-alerts/confirmed")
    assert page.h1.get_text(strip=True) == "Your email alert is set up"
    assert "once a day" in text_of(page) and "Search words: potholes" in text_of(page)
    assert alerts_in_db(app)[0].status == "active"
    assert client.get_page(path).h1.get_text(strip=True) == "Your email alert is set up"  # the link again: already done


def test_asking_again_before_confirming_is_the_same_alert_with_the_latest_frequency(app, client, services):
    sign_up(client, frequency="daily", q="potholes")
    sign_up(client, email=PERSON.upper(), frequency="immediately", q="potholes")
    [alert] = alerts_in_db(app)
    assert alert.frequency == "immediately" and len(services.mailer.sent) == 2
    confirm(client, services, services.mailer.sent[0])  # the first email's link works too
    assert alerts_in_db(app)[0].status == "active"


def test_confirming_a_search_already_alerted_keeps_one_alert_with_the_new_frequency(app, client, services):
    sign_up(client, frequency="immediately", q="potholes")
    confirm(client, services)
    sign_up(client, frequency="daily", q="potholes")
    confirm(client, services)
    assert client.get_page("/disclosure-log/email-alerts/confirmed").h1.get_text(strip=True) == "You already had this email alert"
    [alert] = alerts_in_db(app)
    assert (alert.status, alert.frequency) == ("active", "daily")


@pytest.mark.parametrize("path", [
    "/disclosure-log/email-alerts/confirm/not-a-token",
    "/disclosure-log/email-alerts/unsubscribe/not-a-token",
    "/disclosure-log/email-alerts/confirm/" + "a" * 400,
])
def test_a_link_that_is_not_genuine_is_a_page_saying_so(client, path):
    page = client.get_page(path, status=404)
    assert page.h1.get_text() == "This link does not work"


def test_altered_and_padded_links_do_not_work(client, services):
    sign_up(client, q="potholes")
    path = link(services.mailer.sent[-1], "confirm")
    token = path.rsplit("/", 1)[1]
    last = token[-1]
    for altered in (token + "=", token + "==", token[:-1] + ("A" if last != "A" else "B"), token.replace(".", "..", 1)):
        assert client.raw.get(path.replace(token, altered)).status_code == 404
    other = path.replace("/confirm/", "/unsubscribe/")  # a confirm token is not an unsubscribe token
    assert client.raw.get(other).status_code == 404


def test_an_alert_not_confirmed_in_seven_days_stops_working_and_is_deleted_with_its_address(app, client, services,
                                                                                           clock):
    sign_up(client, q="potholes")
    path = link(services.mailer.sent[-1], "confirm")
    clock.advance(days=7, seconds=1)
    assert client.get_page(path, status=404).h1.get_text() == "This link does not work"
    with app.app_context():
        assert delete_expired_alerts.call_local()["unconfirmed"] == 1
    assert alerts_in_db(app) == []


# The limits, per address ----------------------------------------------------------------------

def test_at_most_five_confirmation_emails_an_hour_go_to_one_address(app, client, services, clock, no_rate_limits):
    for n in range(5):
        sign_up(client, email=PERSON if n % 2 else PERSON.upper(), q=f"topic{n}")
    response = sign_up(client, q="another", status=400)
    assert "You've asked for too many emails to this address. Wait 1 hour and try again" in said(response)
    assert len(services.mailer.sent) == 5
    sign_up(client, email="someone.else@example.com", q="another")  # another address is not held up
    clock.advance(minutes=59, seconds=30)
    assert "Wait 1 minute" in said(sign_up(client, q="another", status=400))
    clock.advance(minutes=1)
    sign_up(client, q="another")
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        hashes = session.scalars(select(AlertConfirmationSent.address_hash)).all()
    assert all(PERSON.lower() not in h and re.fullmatch("[0-9a-f]{64}", h) for h in hashes)


def _active_alerts(app, email: str, count: int) -> None:
    settings, now = app.config["PORTAL_SETTINGS"], app.extensions["portal.services"].clock.now()
    with app.app_context(), app.extensions["portal.db"].transaction() as session:
        for n in range(count):
            wanted = AlertSearch(q=f"subject{n}")
            session.add(Alert(email=email, address_hash=alerts.address_hash(settings.secret_key, email),
                              search=[list(p) for p in wanted.pairs()], search_key=wanted.key, frequency="daily",
                              status="active", nonce=f"{n:016x}", created_at=now, confirmed_at=now,
                              checked_until=now, next_check_at=alert_schedule.next_daily(now)))


def test_an_address_with_fifty_alerts_is_told_by_email_not_on_the_page(app, client, services):
    _active_alerts(app, PERSON, alerts.MAX_ALERTS)
    sign_up(client, q="potholes")
    [message] = services.mailer.sent
    assert message.subject == "You already get the most email alerts we send" and "/confirm/" not in message.body
    assert len(alerts_in_db(app)) == alerts.MAX_ALERTS


def test_confirming_when_fifty_alerts_were_confirmed_meanwhile_says_so(app, client, services):
    sign_up(client, q="potholes")
    _active_alerts(app, PERSON, alerts.MAX_ALERTS)
    path = link(services.mailer.sent[-1], "confirm")
    token = client.get_page(path).find("input", attrs={"name": "csrf_token"})["value"]
    page = check_page(client.raw.post(path, data={"csrf_token": token}).get_data(as_text=True))
    assert page.h1.get_text() == "You already have 50 email alerts"
    assert len(alerts_in_db(app)) == alerts.MAX_ALERTS


def test_two_tabs_confirming_one_after_the_other_keep_the_alert(db_app, services, clock):
    """The second tab read the alert before the first confirmed it: under the lock it reads it again, so it neither
    counts the alert against itself nor deletes it."""
    app, client = db_app, PageClient(db_app)
    sign_up(client, q="potholes")
    _active_alerts(app, PERSON, alerts.MAX_ALERTS - 1)
    token = link(services.mailer.sent[-1], "confirm").rsplit("/", 1)[1]
    secret, now = app.config["PORTAL_SETTINGS"].secret_key, clock.now()
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as first:
        with app.extensions["portal.db"].sessionmaker() as second:
            late = alerts.from_confirm_link(first, secret, token, now)
            early = alerts.from_confirm_link(second, secret, token, now)
            assert alerts.confirm(second, early, now).outcome == "confirmed"
            second.commit()
        assert late.status == "pending" and alerts.confirm(first, late, now).outcome == "confirmed"
        first.commit()
    assert [a.status for a in alerts_in_db(app)] == ["active"] * alerts.MAX_ALERTS


# Matching -------------------------------------------------------------------------------------

def test_new_matching_entries_are_emailed_once_with_title_reference_date_and_link(app, client, services, clock, api):
    subscribed(client, services, clock, q="potholes")
    publish(api, "FOI-201", title="Potholes on the A414", response="We filled 40 potholes.")
    publish(api, "FOI-202", title="Parking permits", request="How many permits?", response="2,000 permits.")
    publish(api, "FOI-203", title="Pothole claims", response="12 claims about potholes.")
    clock.advance(seconds=30)
    assert run_alerts(app) == {"sent": 1}
    [message] = alert_emails(services)
    assert message.to == PERSON and message.subject == "2 new responses matching ‘potholes’"
    assert references_in(message) == ["FOI-203", "FOI-201"]  # newest first; the parking one does not match
    base = app.config["PORTAL_SETTINGS"].base_url
    assert f"Potholes on the A414\nFOI-201, published 1 June 2026\n{base}/disclosure-log/FOI-201" in message.body
    assert "- Search words: potholes" in message.body
    path = link(message, "unsubscribe")
    assert message.unsubscribe_url.endswith(path) and message.body.rstrip().endswith(message.unsubscribe_url)

    clock.advance(minutes=3)
    assert run_alerts(app) == {"nothing": 1}  # the same entries are in the look-back: not sent again
    publish(api, "FOI-204", title="More potholes", response="Potholes again.")
    clock.advance(minutes=3)
    assert run_alerts(app) == {"sent": 1}
    assert references_in(alert_emails(services)[-1]) == ["FOI-204"]


def test_entries_published_before_the_alert_are_not_new(app, client, services, clock, api):
    publish(api, "FOI-200", title="Old potholes", response="Potholes.")
    clock.advance(minutes=1)
    subscribed(client, services, clock, q="potholes")
    clock.advance(minutes=2)
    assert run_alerts(app) == {"nothing": 1} and alert_emails(services) == []


def test_an_entry_published_in_the_minute_the_alert_was_confirmed_is_new(app, client, services, clock, api):
    clock.advance(seconds=20)
    sign_up(client, q="potholes")
    confirm(client, services)
    clock.advance(seconds=15)
    publish(api, "FOI-205", title="Potholes", response="Potholes.")  # public from the start of this minute
    clock.advance(minutes=2)
    assert run_alerts(app) == {"sent": 1}


def test_a_withdrawn_entry_is_never_sent(app, client, services, clock, api):
    subscribed(client, services, clock, q="potholes")
    publish(api, "FOI-206", title="Potholes in Ware", response="Potholes.")
    publish(api, "FOI-207", title="Potholes in Hertford", response="Potholes.")
    assert api.withdraw("FOI-206").status_code == 200
    clock.advance(minutes=2)
    run_alerts(app)
    [message] = alert_emails(services)
    assert references_in(message) == ["FOI-207"]


def test_a_withdrawal_the_index_has_not_caught_up_with_is_still_not_sent(app, client, services, clock, api):
    subscribed(client, services, clock, q="potholes")
    publish(api, "FOI-208", title="Potholes in Ware", response="Potholes.")
    publish(api, "FOI-218", title="Potholes in Hertford", response="Potholes.")
    with app.app_context(), app.extensions["portal.db"].transaction() as session:  # withdrawn, index not told yet
        entry = session.scalar(select(Disclosure).where(Disclosure.reference == "FOI-208"))
        entry.status, entry.index_state = "withdrawn", "done"
    clock.advance(minutes=2)
    assert run_alerts(app) == {"sent": 1}
    assert references_in(alert_emails(services)[0]) == ["FOI-218"]


def test_alerts_wait_for_an_entry_the_index_has_not_caught_up_with(app, client, services, clock, api):
    subscribed(client, services, clock, q="potholes")
    publish(api, "FOI-209", title="Potholes", response="Potholes.")
    with app.app_context(), app.extensions["portal.db"].transaction() as session:
        session.scalar(select(Disclosure).where(Disclosure.reference == "FOI-209")).index_state = PENDING
    get_index_remove(app, "FOI-209")
    clock.advance(minutes=2)
    assert run_alerts(app) == {"nothing": 1}  # up to the second before the entry the index does not have
    clock.advance(hours=2)  # longer than a check looks back
    assert run_alerts(app) == {}  # nothing checked past it, however long the index takes
    with app.app_context():
        from disclosure_log.jobs import sweep_index

        sweep_index.call_local()
    clock.advance(minutes=2)
    assert run_alerts(app) == {"sent": 1} and references_in(alert_emails(services)[0]) == ["FOI-209"]


def get_index_remove(app, reference: str) -> None:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        entry_id = session.scalar(select(Disclosure.id).where(Disclosure.reference == reference))
        get_index().remove([entry_id])


def test_filters_and_every_response_alerts(app, client, services, clock, api):
    sign_up(client, email="all@example.com")
    confirm(client, services)
    sign_up(client, email="eir@example.com", case_type="EIR")
    confirm(client, services)
    clock.advance(minutes=1)
    publish(api, "FOI-210", title="School transport", response="Buses.")
    publish(api, "EIR-211", title="Air quality", response="Readings.", case_type="EIR")
    clock.advance(minutes=2)
    assert run_alerts(app) == {"sent": 2}
    sent = {m.to: (m.subject, references_in(m)) for m in alert_emails(services)}
    assert sent["all@example.com"][1] == ["EIR-211", "FOI-210"]
    assert sent["all@example.com"][0].startswith("2 new responses from ")
    assert sent["eir@example.com"] == ("1 new response matching Type of request: EIR", ["EIR-211"])


def test_a_long_list_names_twenty_and_links_to_the_rest(app, client, services, clock, api):
    subscribed(client, services, clock, q="potholes")
    for n in range(25):
        publish(api, f"FOI-3{n:02d}", title=f"Potholes in ward {n}", response="Potholes.")
    clock.advance(minutes=2)
    run_alerts(app)
    [message] = alert_emails(services)
    assert len(references_in(message)) == alert_sending.LISTED and message.subject.startswith("25 new responses")
    base = app.config["PORTAL_SETTINGS"].base_url
    assert f"And 5 more. See them all:\n\n{base}/disclosure-log?q=potholes&sort=newest" in message.body
    clock.advance(minutes=3)
    assert run_alerts(app) == {"nothing": 1}  # the 5 not named were sent too (counted): not again


def test_a_daily_alert_sends_one_summary_at_7am_london_time(app, client, services, clock, api):
    subscribed(client, services, clock, frequency="daily", q="potholes")  # 1 June 2026, 10am in London
    publish(api, "FOI-220", title="Potholes in the morning", response="Potholes.")
    clock.advance(hours=5)
    publish(api, "FOI-221", title="Potholes in the afternoon", response="Potholes.")
    assert run_alerts(app) == {} and alert_emails(services) == []  # not due yet
    clock.current = dt.datetime(2026, 6, 2, 6, 0, 30, tzinfo=dt.timezone.utc)  # 7:00:30am British Summer Time
    assert run_alerts(app) == {"sent": 1}
    [message] = alert_emails(services)
    assert message.subject == "Daily summary: 2 new responses matching ‘potholes’"
    assert references_in(message) == ["FOI-221", "FOI-220"]
    clock.advance(hours=1)
    assert run_alerts(app) == {}  # next due tomorrow at 7am
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalar(select(Alert.next_check_at)) == dt.datetime(2026, 6, 3, 6, 0, tzinfo=dt.timezone.utc)


def test_a_daily_alert_with_nothing_new_sends_nothing(app, client, services, clock, api):
    subscribed(client, services, clock, frequency="daily", q="potholes")
    clock.current = dt.datetime(2026, 6, 2, 6, 1, tzinfo=dt.timezone.utc)
    assert run_alerts(app) == {"nothing": 1} and alert_emails(services) == []


@pytest.mark.parametrize(("now", "expected"), [
    (dt.datetime(2026, 6, 1, 5, 59, tzinfo=dt.timezone.utc), dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.timezone.utc)),
    (dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.timezone.utc), dt.datetime(2026, 6, 2, 6, 0, tzinfo=dt.timezone.utc)),
    (dt.datetime(2026, 1, 10, 6, 30, tzinfo=dt.timezone.utc), dt.datetime(2026, 1, 10, 7, 0, tzinfo=dt.timezone.utc)),
    (dt.datetime(2026, 3, 28, 8, 0, tzinfo=dt.timezone.utc), dt.datetime(2026, 3, 29, 6, 0, tzinfo=dt.timezone.utc)),
    (dt.datetime(2026, 10, 24, 7, 0, tzinfo=dt.timezone.utc), dt.datetime(2026, 10, 25, 7, 0, tzinfo=dt.timezone.utc)),
])
def test_the_daily_time_is_7am_in_london_whatever_the_clocks_do(now, expected):
    assert alert_schedule.next_daily(now) == expected


# Never twice ----------------------------------------------------------------------------------

def test_a_worker_whose_lease_lapsed_sends_nothing_after_another_took_over(app, client, services, clock, api):
    subscribed(client, services, clock, q="potholes")
    publish(api, "FOI-230", title="Potholes", response="Potholes.")
    clock.advance(minutes=2)
    db, settings, now = app.extensions["portal.db"], app.config["PORTAL_SETTINGS"], clock.now()
    later = now + alert_sending.LEASE + dt.timedelta(minutes=1)
    [alert_id] = [a.id for a in alerts_in_db(app)]
    results = []
    with app.app_context():
        index = get_index()
        search_now = index.search

        def stalls_then_searches(request):  # worker A's search outlasts its lease: worker B takes the alert
            index.search = search_now
            clock.current = later
            results.append(alert_sending.check(db, index, settings, later, later.replace(microsecond=0), alert_id,
                                               "worker-b"))
            return search_now(request)

        index.search = stalls_then_searches
        try:
            results.append(alert_sending.check(db, index, settings, now, now.replace(microsecond=0), alert_id,
                                               "worker-a"))
        finally:
            index.search = search_now
            del index.search
    assert results == ["sent", "busy"]  # B's, then A's
    assert [references_in(m) for m in alert_emails(services)] == [["FOI-230"]]


def test_an_alert_unsubscribed_while_a_worker_has_it_is_left_alone(app, client, services, clock, api):
    subscribed(client, services, clock, q="potholes")
    publish(api, "FOI-231", title="Potholes", response="Potholes.")
    clock.advance(minutes=2)
    db, settings, now = app.extensions["portal.db"], app.config["PORTAL_SETTINGS"], clock.now()
    [alert_id] = [a.id for a in alerts_in_db(app)]
    with app.app_context():
        index = get_index()
        search_now = index.search

        def unsubscribed_meanwhile(request):
            with db.transaction() as session:
                alerts.unsubscribe(session, session.get(Alert, alert_id))
            return search_now(request)

        index.search = unsubscribed_meanwhile
        try:
            assert alert_sending.check(db, index, settings, now, now.replace(microsecond=0), alert_id, "w") == "busy"
        finally:
            del index.search
    assert alert_emails(services) == [] and alerts_in_db(app) == []


def test_two_runs_at_once_send_each_entry_once_to_each_alert(db_app, services, clock):
    app, client = db_app, PageClient(db_app)
    api = DisclosureApi(app)
    for n in range(6):
        sign_up(client, email=f"reader{n}@example.com", q="potholes" if n % 2 else "")
        confirm(client, services)
    clock.advance(minutes=1)
    for n in range(8):
        publish(api, f"FOI-4{n:02d}", title=f"Potholes {n}" if n % 2 else f"Libraries {n}", response="Text.")
    clock.advance(minutes=2)
    barrier, outcomes = threading.Barrier(2), []

    def one_run():
        barrier.wait(timeout=30)
        outcomes.append(run_alerts(app))

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(counts.get("sent", 0) for counts in outcomes) == 6
    by_address = {}
    for message in alert_emails(services):
        assert message.to not in by_address, "two emails to one alert"
        by_address[message.to] = references_in(message)
    assert all(len(refs) == (4 if int(to[6]) % 2 else 8) for to, refs in by_address.items())
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(AlertSent)) == 3 * 4 + 3 * 8
    clock.advance(minutes=3)
    assert run_alerts(app) == {"nothing": 6}


# Unsubscribing --------------------------------------------------------------------------------

def _alert_email(app, client, services, clock, api) -> object:
    subscribed(client, services, clock, q="potholes")
    publish(api, "FOI-240", title="Potholes", response="Potholes.")
    clock.advance(minutes=2)
    run_alerts(app)
    [message] = alert_emails(services)
    return message


def test_unsubscribing_from_the_link_shows_a_button_then_deletes_the_alert_and_address(app, client, services, clock,
                                                                                      api):
    message = _alert_email(app, client, services, clock, api)
    path = link(message, "unsubscribe")
    page = client.get_page(path)
    assert page.h1.get_text() == "Unsubscribe from this email alert" and "Search words: potholes" in text_of(page)
    assert len(alerts_in_db(app)) == 1  # opening the link changes nothing
    response = client.raw.post(path, data={"csrf_token": page.find("input", attrs={"name": "csrf_token"})["value"]})
    assert response.status_code == 302 and response.location.endswith("/disclosure-log/email-alerts/unsubscribed")
    assert client.get_page("/disclosure-log/email-alerts/unsubscribed").h1.get_text() == "You've unsubscribed"
    assert alerts_in_db(app) == []
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(AlertSent)) == 0
    assert client.get_page(path).h1.get_text() == "You've unsubscribed"  # the link again


def test_one_click_unsubscribe_needs_no_cookie_or_csrf_token_and_can_be_repeated(app, client, services, clock, api):
    message = _alert_email(app, client, services, clock, api)
    mail_service = app.test_client()  # no cookies, no CSRF token, no Origin: as RFC 8058 describes
    for _ in range(2):
        response = mail_service.post(urlsplit(message.unsubscribe_url).path, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert alerts_in_db(app) == []
    multipart = mail_service.post(urlsplit(message.unsubscribe_url).path, data={"List-Unsubscribe": "One-Click"},
                                  content_type="multipart/form-data")
    assert multipart.status_code == 200
    assert mail_service.post("/disclosure-log/email-alerts/unsubscribe/not-a-token",
                             data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_only_the_unsubscribe_link_goes_without_a_csrf_token(app, client, services, clock, api):
    sign_up(client, q="potholes")
    stranger = app.test_client()
    path = link(services.mailer.sent[-1], "confirm")
    assert stranger.post(path).status_code == 400  # confirming still needs the page's token
    assert stranger.post(NEW, data={"email": PERSON, "frequency": "daily"}).status_code == 400
    assert alerts_in_db(app)[0].status == "pending"


def test_the_unsubscribe_link_stays_out_of_the_outbox_once_sent(app, client, services, clock, api):
    message = _alert_email(app, client, services, clock, api)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        rows = session.scalars(select(OutboxEmail)).all()
    assert message.unsubscribe_url and all(r.status == "sent" for r in rows)
    assert all((r.to_address, r.body, r.unsubscribe_url) == (None, None, None) for r in rows)


# Personal data --------------------------------------------------------------------------------

def test_no_address_in_the_logs_from_sign_up_to_unsubscribe(app, client, services, clock, api, caplog):
    caplog.set_level(logging.DEBUG)
    message = _alert_email(app, client, services, clock, api)
    app.test_client().post(urlsplit(message.unsubscribe_url).path, data={"List-Unsubscribe": "One-Click"})
    text = " ".join(record.getMessage() for record in caplog.records).lower()
    assert "disclosure alert" in text
    assert PERSON.lower() not in text and "zoe.reader" not in text
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 0


def test_alert_search_is_one_key_however_it_was_typed():
    from werkzeug.datastructures import MultiDict

    one = AlertSearch.from_args(MultiDict([("q", "potholes"), ("category", "B"), ("category", "A"), ("sort", "oldest"),
                                           ("page", "3")]))
    two = AlertSearch.from_args(MultiDict([("category", "A"), ("q", "potholes"), ("category", "B"), ("category", "A")]))
    assert one == two and one.key == two.key
    assert AlertSearch.from_stored(one.pairs()) == one
    assert AlertSearch().everything and AlertSearch().summary() is None
