"""The figures' counters and the once-only feedback, attacked with requests released together against a
real threaded server, on SQLite and PostgreSQL (capture/figures.py, capture/feedback.py)."""
from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import func, select

from capture.models import Feedback, FormCount
from portal.outbox import OutboxEmail
from tests.integration.test_code_limits_parallel import _session, _to_check_answers, csrf, live, together
from tests.unit.test_api_keys import bearer, make_key

pytestmark = pytest.mark.integration
__all__ = ["live"]  # the fixture, shared


def test_twenty_people_starting_at_once_are_twenty_starts(live):
    app, _services, base = live
    url = f"{base}/request/foi/about-you"

    def prepare(_i):
        browser = requests.Session()
        return browser, csrf(browser.get(url))

    def fire(prepared):
        browser, token = prepared
        return browser.post(url, data={"csrf_token": token, "about_yourself": "no"}, allow_redirects=False)

    together(prepare, fire, 20)
    with _session(app) as session:
        assert session.scalar(select(FormCount.started).where(FormCount.form_id == "foi")) == 20


def _sent_request(app, services, base) -> tuple[str, str]:
    browser = _to_check_answers(base, "zoe@example.com")
    page = browser.post(f"{base}/request/foi/check-answers",
                        data={"csrf_token": csrf(browser.get(f"{base}/request/foi/check-answers"))})
    code = re.search(r"^(\d{6})$", services.mailer.sent[-1].body, re.M).group(1)
    done = browser.post(f"{base}/request/foi/confirm-email", data={"code": code, "csrf_token": csrf(page)})
    assert done.ok and "/confirmation" in done.url
    track = re.search(r"^http://\S+(/request/track/\S+)$", services.mailer.sent[-1].body, re.M).group(1)
    reference = re.search(r"Your reference is (\S+)", services.mailer.sent[-1].body).group(1)
    return reference, track


def _outbox(app) -> int:
    with _session(app) as session:
        return session.scalar(select(func.count()).select_from(OutboxEmail))


def test_twenty_closings_at_once_ask_once_and_twenty_answers_at_once_keep_one(live):
    app, services, base = live
    reference, track = _sent_request(app, services, base)
    emails = _outbox(app)
    headers = bearer(make_key(app, "submissions:status"))
    together(lambda i: None, lambda _p: requests.put(f"{base}/api/v1/submissions/{reference}/status",
                                                      json={"status": "closed"}, headers=headers), 20)
    assert _outbox(app) == emails + 1  # one email asks (it may not have gone yet: the outbox has it)
    with _session(app) as session:
        assert len(session.scalars(select(Feedback)).all()) == 1

    def prepare(i):
        browser = requests.Session()
        return browser, csrf(browser.get(f"{base}{track}")), i

    def fire(prepared):
        browser, token, i = prepared
        return browser.post(f"{base}{track}/feedback", allow_redirects=False, data={
            "csrf_token": token, "answered_question": "yes", "satisfaction": str(i % 5 + 1), "improve": f"tab {i}"})

    responses = together(prepare, fire, 20)
    assert all(r.status_code == 302 for r in responses)
    with _session(app) as session:
        [row] = session.scalars(select(Feedback)).all()
        assert row.answered_at is not None and row.satisfaction == int(row.improve.split()[1]) % 5 + 1
