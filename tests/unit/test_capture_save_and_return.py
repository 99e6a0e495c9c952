"""Save and come back later (capture/saving.py): saved on any page, resumed in any browser with the
emailed link and code, kept for SAVE_DAYS and then erased."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from capture.jobs import delete_expired_drafts
from capture.models import Draft
from tests.capture_helpers import HAPPY_PATHS, answer, code_from, csrf_from, errors_in, post
from tests.pages import PageClient, check_page, text_of

LINK = re.compile(r"^http://127\.0\.0\.1:5000(/request/resume/\S+)$", re.M)

pytestmark = pytest.mark.usefixtures("no_rate_limits")


def _drafts(app) -> list[Draft]:
    with app.app_context(), app.extensions["portal.db"].sessionmaker(expire_on_commit=False) as session:
        return list(session.scalars(select(Draft)))


def _save_midway(client, services) -> str:
    """Answer the enquiry up to its topic, save on the topic page with an answer, return the emailed link."""
    steps = HAPPY_PATHS["enquiry"]
    for page_id, answers in steps[:2]:
        answer(client, "enquiry", page_id, answers)
    page = client.raw.get("/request/enquiry/topic")
    response = client.raw.post("/request/enquiry/topic?then=save",
                               data={"csrf_token": csrf_from(page.get_data(as_text=True)), **steps[2][1]})
    assert response.headers["Location"].endswith("/request/enquiry/save")
    soup = client.get_page("/request/enquiry/save")
    assert soup.find("input", id="email")["value"] == "chris@example.com"  # the answer already given
    response = post(client, "/request/enquiry/save", {"email": "chris@example.com"})
    assert response.headers["Location"].endswith("/request/enquiry/saved")
    text = text_of(client.get_page("/request/enquiry/saved"))
    assert "We've sent a link to chris@example.com" in text and "29 December 2026" in text
    email = services.mailer.sent[-1]
    assert email.to == "chris@example.com" and "We'll keep your answers until 29 December 2026" in email.body
    return LINK.search(email.body).group(1)


@pytest.fixture(autouse=True)
def _december(services):
    services.clock.current = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)


def test_a_saved_request_carries_on_in_another_browser_with_the_link_and_a_code(app, client, services):
    link = _save_midway(client, services)
    services.clock.advance(days=3)  # long after the first browser's idle time
    phone = PageClient(app)
    page = phone.get_page(link)
    assert page.h1.get_text(strip=True) == "Carry on with your saved request"
    assert "c***@example.com" in text_of(page)
    assert len(services.mailer.sent) == 1  # opening the link sends nothing: mail scanners follow links
    response = post(phone, link, {})
    assert response.headers["Location"].endswith(f"{link}/code")
    assert "carry on with your saved" in services.mailer.sent[-1].body
    wrong = post(phone, f"{link}/code", {"code": "000000" if code_from(services.mailer) != "000000" else "111111"})
    assert errors_in(wrong) == ["The security code is incorrect. Check the email we sent you and try again"]
    response = post(phone, f"{link}/code", {"code": code_from(services.mailer)})
    assert response.headers["Location"].endswith("/request/enquiry/question")  # the first unanswered page
    soup = phone.get_page("/request/enquiry/topic")
    assert soup.find("input", attrs={"name": "topic", "checked": True}) is not None  # answers kept
    # The first browser, idle all that time, cannot carry on without the link and the code.
    assert client.raw.get("/request/enquiry/question").status_code == 410


def test_the_link_alone_opens_nothing_and_a_bad_or_old_link_is_a_clear_page(app, client, services):
    link = _save_midway(client, services)
    stranger = PageClient(app)
    assert stranger.raw.get(f"{link}/code").status_code == 200  # asks for a code it never got
    response = post(stranger, f"{link}/code", {"code": "123456"})
    assert response.status_code == 200 and errors_in(response) == ["Get a security code first"]
    assert stranger.raw.get("/request/enquiry/question").status_code == 410  # holds no draft
    assert check_page(stranger.raw.get(link + "x").get_data(as_text=True)).h1.get_text(strip=True) == \
        "This link has expired or does not work"
    assert stranger.raw.get(link + "x").status_code == 410
    services.clock.advance(days=28, seconds=1)
    assert stranger.raw.get(link).status_code == 410


def test_a_saved_draft_outlives_the_idle_time_and_is_erased_when_its_time_is_up(app, client, services):
    _save_midway(client, services)
    services.clock.advance(days=2)
    with app.app_context():
        delete_expired_drafts.call_local()
    assert len(_drafts(app)) == 1
    services.clock.advance(days=26, seconds=1)
    with app.app_context():
        delete_expired_drafts.call_local()
    assert _drafts(app) == []


def test_saving_needs_a_real_email_address_and_a_page_with_errors_is_not_left(client, services):
    steps = HAPPY_PATHS["enquiry"]
    answer(client, "enquiry", *steps[0])
    page = client.raw.get("/request/enquiry/email-address")
    response = client.raw.post("/request/enquiry/email-address?then=save",
                               data={"csrf_token": csrf_from(page.get_data(as_text=True)), "email": "not-an-email"})
    assert response.status_code == 200 and errors_in(response)  # the error is shown, not lost behind a save
    response = client.raw.post("/request/enquiry/email-address?then=save",
                               data={"csrf_token": csrf_from(page.get_data(as_text=True)), "email": " "})
    assert response.headers["Location"].endswith("/request/enquiry/save")  # nothing typed: nothing to lose
    response = post(client, "/request/enquiry/save", {"email": "nope"})
    assert errors_in(response) == ["Enter an email address in the correct format, like name@example.com"]
    assert services.mailer.sent == []


def test_every_question_page_offers_save_and_come_back_later(client):
    answer(client, "enquiry", *HAPPY_PATHS["enquiry"][0])
    soup = client.get_page("/request/enquiry/email-address")
    button = soup.find("button", string=re.compile("Save and come back later"))
    assert button["formaction"] == "/request/enquiry/email-address?then=save"
    assert soup.select_one("dialog a[href='/request/enquiry/save']").get_text(strip=True) == "Save and come back later"
