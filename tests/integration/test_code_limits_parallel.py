"""Security-code limits attacked the way they are attacked: many requests released together (a barrier)
against a real threaded server, on SQLite and on PostgreSQL. Each limit must hold exactly.
"""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from capture.models import EmailConfirmation
from portal.services import Services, SystemClock
from secure_share import signing_in
from secure_share.models import Share, ShareEvent, SignInCode
from tests.capture_helpers import HAPPY_PATHS
from tests.conftest import migrated_app
from tests.fakes import FakeCaseSystem, FakeMailer, FakePostcodes, FakeScanner, FakeStore, FakeWebhooks
from tests.share_helpers import CODE, make_share
from tests.support.serving import rate_limits_off, serving

pytestmark = pytest.mark.integration

AT_ONCE = 30


@pytest.fixture
def live(tmp_path, migrated_database_url):
    services = Services(store=FakeStore(), mailer=FakeMailer(), scanner=FakeScanner(), postcodes=FakePostcodes(),
                        case_system=FakeCaseSystem(), clock=SystemClock(), webhooks=FakeWebhooks())
    app = migrated_app(tmp_path, services, database_url=migrated_database_url)
    with rate_limits_off(), serving(app) as base:  # the per-address flood guards are not what these tests attack
        yield app, services, base
    app.extensions["portal.db"].dispose()


def csrf(response) -> str:
    assert response.status_code == 200, (response.url, response.status_code)
    return BeautifulSoup(response.text, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]


def together(prepare, fire, count: int = AT_ONCE) -> list[requests.Response]:
    """`prepare(i)` in each thread (its own browser), then every thread's `fire(prepared)` at the same moment."""
    barrier = threading.Barrier(count)

    def one(i):
        prepared = prepare(i)
        barrier.wait(timeout=60)
        return fire(prepared)

    with ThreadPoolExecutor(count) as pool:
        responses = list(pool.map(one, range(count)))
    assert all(r.status_code < 500 for r in responses), [r.status_code for r in responses]
    return responses


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _session(app):
    return app.extensions["portal.db"].sessionmaker()


# Secure Share ----------------------------------------------------------------------------------

def _ask_for_code(base: str, url: str) -> None:
    browser = requests.Session()
    assert browser.post(f"{base}{url}/code", data={"csrf_token": csrf(browser.get(f"{base}{url}"))}).ok


def _guessers(base: str, url: str, guess: str):
    def prepare(_i):
        browser = requests.Session()
        return browser, csrf(browser.get(f"{base}{url}/code"))

    def fire(prepared):
        browser, token = prepared
        return browser.post(f"{base}{url}/sign-in", data={"code": guess, "csrf_token": token}, allow_redirects=False)

    return prepare, fire


def test_thirty_wrong_codes_at_once_get_five_tries_between_them(live):
    app, services, base = live
    share = make_share(app, services)
    _ask_for_code(base, share.url)
    code = CODE.search(services.mailer.sent[-1].subject).group(1)
    together(*_guessers(base, share.url, _wrong(code)))
    with _session(app) as session:
        assert session.scalar(select(SignInCode.attempts)) == signing_in.CODE_ATTEMPTS
        assert session.get(Share, share.id).failed_codes == signing_in.CODE_ATTEMPTS
        assert session.scalar(select(func.count()).select_from(ShareEvent).where(
            ShareEvent.kind == "code failed")) == signing_in.CODE_ATTEMPTS


def test_wrong_codes_at_once_cannot_overshoot_the_shares_lifetime_and_lock_it_once(live):
    app, services, base = live
    share = make_share(app, services)
    with _session(app) as session:
        session.get(Share, share.id).failed_codes = signing_in.FAILED_CODES_LIMIT - 2
        session.commit()
    _ask_for_code(base, share.url)
    code = CODE.search(services.mailer.sent[-1].subject).group(1)
    responses = together(*_guessers(base, share.url, _wrong(code)))
    assert sum(r.status_code == 403 for r in responses) == AT_ONCE - 1  # the 20th locks; every later one sees it
    with _session(app) as session:
        row = session.get(Share, share.id)
        assert (row.status, row.failed_codes) == ("locked", signing_in.FAILED_CODES_LIMIT)
        assert session.scalar(select(SignInCode.attempts)) == 2
        assert session.scalar(select(func.count()).select_from(ShareEvent).where(
            ShareEvent.kind == "link locked: too many wrong codes")) == 1
    assert sum("has been locked" in m.subject for m in services.mailer.sent) == 1


def test_thirty_requests_for_a_code_at_once_send_one_email(live):
    app, services, base = live
    share = make_share(app, services)

    def prepare(_i):
        browser = requests.Session()
        return browser, csrf(browser.get(f"{base}{share.url}"))

    def fire(prepared):
        browser, token = prepared
        return browser.post(f"{base}{share.url}/code", data={"csrf_token": token}, allow_redirects=False)

    together(prepare, fire)
    assert len(services.mailer.sent) == 1
    with _session(app) as session:
        assert session.scalar(select(func.count()).select_from(SignInCode)) == 1


# Capture ---------------------------------------------------------------------------------------

def _to_check_answers(base: str, email: str) -> requests.Session:
    """A new FOI draft, answered up to check answers, in its own browser."""
    browser = requests.Session()
    for page_id, answers in HAPPY_PATHS["foi"]:
        url = f"{base}/request/foi/{page_id}"
        answers = {**answers, "email": email} if "email" in answers else answers
        response = browser.post(url, data={"csrf_token": csrf(browser.get(url)), **answers})
        assert response.ok, (url, response.status_code)
    assert browser.get(f"{base}/request/foi/check-answers").url.endswith("/check-answers")
    return browser


def test_twenty_wrong_confirmation_codes_at_once_get_five_tries_between_them(live):
    app, services, base = live
    browser = _to_check_answers(base, "zoe@example.com")
    page = browser.post(f"{base}/request/foi/check-answers",
                        data={"csrf_token": csrf(browser.get(f"{base}/request/foi/check-answers"))})
    code = re.search(r"^(\d{6})$", services.mailer.sent[-1].body, re.M).group(1)
    token = csrf(page)

    def fire(_prepared):
        twin = requests.Session()
        twin.cookies.update(browser.cookies)  # the same draft, from parallel tabs
        return twin.post(f"{base}/request/foi/confirm-email", data={"code": _wrong(code), "csrf_token": token})

    together(lambda i: None, fire, 20)
    with _session(app) as session:
        assert session.scalar(select(EmailConfirmation.attempts)) == 5


def test_twenty_drafts_asking_for_codes_to_one_address_at_once_send_five(live):
    app, services, base = live

    def prepare(_i):
        browser = _to_check_answers(base, "pat@example.com")
        return browser, csrf(browser.get(f"{base}/request/foi/check-answers"))

    def fire(prepared):
        browser, token = prepared
        return browser.post(f"{base}/request/foi/check-answers", data={"csrf_token": token}, allow_redirects=False)

    together(prepare, fire, 20)
    assert len(services.mailer.sent) == 5
    with _session(app) as session:
        assert session.scalar(select(func.count()).select_from(EmailConfirmation)) == 5
