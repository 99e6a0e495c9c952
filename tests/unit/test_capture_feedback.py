"""Feedback asked once when a case closes, and the figures a GOV.UK service reports (capture/feedback.py,
capture/figures.py): drafts started, requests sent, completion rate, "Did we answer your question?" and
GOV.UK's satisfaction question, per form and month, from the CLI and the API."""
from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pytest
from sqlalchemy import select

from capture.models import Feedback, Submission
from tests.capture_helpers import answer, errors_in, post, submit
from tests.pages import PageClient, check_page, text_of
from tests.unit.test_api_keys import bearer, make_key
from tests.unit.test_capture_tracking import TRACK, put_status

pytestmark = pytest.mark.usefixtures("no_rate_limits")
DECEMBER = dt.datetime(2026, 12, 18, 10, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def sent(app, client, services):
    services.clock.current = DECEMBER
    submit(client, "foi", services.mailer)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        reference = session.scalars(select(Submission.reference)).one()
    return reference, TRACK.search(services.mailer.sent[-1].body).group(1)


def feedback_rows(app) -> list[Feedback]:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return list(session.scalars(select(Feedback)))


def figures(app, query: str = "from=2026-12&to=2026-12&form=foi"):
    response = app.test_client().get(f"/api/v1/figures?{query}", headers=bearer(make_key(app, "figures:read")))
    return response


def test_closing_asks_once_by_its_own_email_and_the_tracking_page(app, client, services, sent):
    reference, link = sent
    assert "Tell us what you think" not in text_of(PageClient(app).get_page(link))  # not closed yet
    emails = len(services.mailer.sent)
    put_status(app, reference, {"status": "closed"})
    assert len(services.mailer.sent) == emails + 1
    asking = services.mailer.sent[-1]
    assert asking.to == "zoe@example.com" and asking.subject.endswith("is closed: tell us what you think")
    emailed = re.search(r"http://127\.0\.0\.1:5000(/request/track/\S+)#feedback$", asking.body, re.M).group(1)
    soup = PageClient(app).get_page(emailed)
    assert soup.find(id="feedback").get_text(strip=True) == "Tell us what you think"
    assert "Did we answer your question?" in text_of(soup)
    # Reopened and closed again: still one request for feedback, and no second email.
    put_status(app, reference, {"status": "in_progress"})
    put_status(app, reference, {"status": "closed"})
    assert len(services.mailer.sent) == emails + 1 and len(feedback_rows(app)) == 1


def test_a_requester_who_asked_for_progress_emails_is_asked_in_the_closing_one(app, client, services, sent):
    reference, link = sent
    post(client, f"{link}/emails", {"emails": "yes"}, page_url=link)
    emails = len(services.mailer.sent)
    put_status(app, reference, {"status": "closed"})
    assert len(services.mailer.sent) == emails + 1  # one email, not two
    news = services.mailer.sent[-1]
    assert news.subject.endswith(": Closed") and "#feedback" in news.body and "whether we answered" in news.body


def test_the_answers_are_kept_once_and_thanked_for(app, client, services, sent):
    reference, link = sent
    put_status(app, reference, {"status": "closed"})
    response = post(client, f"{link}/feedback", {"improve": "x" * 1201}, page_url=link)
    assert response.status_code == 400
    assert errors_in(response) == ["Select whether we answered your question",
                                   "Select how you feel about the service you received",
                                   "Your suggestion must be 1,200 characters or fewer"]
    soup = check_page(response.get_data(as_text=True))
    assert soup.title.get_text().startswith("Error: ")
    assert soup.find("textarea", id="improve").get_text() == "x" * 1201  # nothing typed is lost
    for href in [a["href"] for a in soup.select(".govuk-error-summary__list a")]:
        assert soup.find(id=href[1:]) is not None, href
    response = post(client, f"{link}/feedback", {"answered_question": "partly", "satisfaction": "4",
                                                 "improve": "Say sooner that it will take 20 days."}, page_url=link)
    assert response.status_code == 302 and response.headers["Location"].endswith("#feedback")
    text = text_of(client.get_page(response.headers["Location"]))
    assert "Thank you for your feedback" in text and "Did we answer your question?" not in text
    # A second answer (another tab, or a replay) changes nothing.
    page = client.raw.get(link)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    again = client.raw.post(f"{link}/feedback", data={"csrf_token": token, "answered_question": "no",
                                                     "satisfaction": "1"})
    assert again.status_code == 302
    [row] = feedback_rows(app)
    assert (row.answered_question, row.satisfaction, row.improve) == ("partly", 4, "Say sooner that it will take 20 days.")


def test_feedback_before_the_case_closes_is_not_taken(app, client, services, sent):
    _reference, link = sent
    response = post(client, f"{link}/feedback", {"answered_question": "yes", "satisfaction": "5"}, page_url=link)
    assert response.status_code == 302
    assert feedback_rows(app) == []
    assert "Thank you for your feedback" not in text_of(client.get_page(response.headers["Location"]))
    assert client.raw.post(f"{link}x/feedback", data={}).status_code in (400, 404)  # no CSRF token, or no request


def test_the_words_typed_are_erased_with_the_request_and_the_counts_stay(app, client, services, sent):
    from capture import delivery

    reference, link = sent
    put_status(app, reference, {"status": "closed"})
    post(client, f"{link}/feedback", {"answered_question": "yes", "satisfaction": "5", "improve": "My name is Zoe"},
         page_url=link)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        session.scalars(select(Submission)).one().delivered_at = DECEMBER
        delivery.erase_personal_data(session, services.store, DECEMBER + dt.timedelta(days=60), dt.timedelta(days=30))
        session.commit()
    [row] = feedback_rows(app)
    assert row.improve == "" and row.satisfaction == 5
    assert figures(app).get_json()["items"][0]["satisfaction"]["very_satisfied"] == 1


def test_the_figures_count_drafts_started_requests_sent_and_feedback(app, client, services, sent):
    reference, link = sent
    # Two more people start a FOI request in December; one looks at the first page only and is not counted.
    for person in (PageClient(app), PageClient(app)):
        answer(person, "foi", "about-you", {"about_yourself": "no"})
    PageClient(app).get_page("/request/foi/about-you")
    put_status(app, reference, {"status": "closed"})
    post(client, f"{link}/feedback", {"answered_question": "no", "satisfaction": "2"}, page_url=link)
    response = figures(app)
    assert response.status_code == 200
    body = response.get_json()
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = {**document["paths"]["/figures"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
              "components": document["components"]}
    jsonschema.validate(body, schema)
    [december] = body["items"]
    assert (december["drafts_started"], december["requests_sent"], december["completion_rate"]) == (3, 1, 0.333)
    assert (december["cases_closed"], december["feedback_given"]) == (1, 1)
    assert december["answered_question"] == {"yes": 0, "partly": 0, "no": 1}
    assert december["satisfaction"]["dissatisfied"] == 1 and december["satisfied_rate"] == 0.0
    # Every form and month asked for, zeros included; a month with nothing has no rate.
    body = figures(app, "from=2026-11&to=2026-12").get_json()
    november = [i for i in body["items"] if i["form"] == "foi" and i["month"] == "2026-11"]
    assert november and november[0]["drafts_started"] == 0 and november[0]["completion_rate"] is None
    assert {i["form"] for i in body["items"]} >= {"foi", "sar", "complaint"}
    assert figures(app, "from=2026-12&to=2026-11&form=foi").get_json()["items"] == figures(
        app, "from=2026-11&to=2026-12&form=foi").get_json()["items"]  # either way round


@pytest.mark.parametrize("query", ["from=2026-13", "from=1999-12", "from=2026-1", "to=%00", "to=2100-01"])
def test_bad_figures_queries_are_400s_that_say_why(app, query):
    response = figures(app, query)
    assert response.status_code == 400 and response.get_json()["detail"]


def test_an_unknown_form_is_a_404_that_lists_the_forms(app):
    response = figures(app, "form=foi&form=nope")
    assert response.status_code == 404 and "foi" in response.get_json()["detail"]


def test_figures_need_their_own_scope(app):
    response = app.test_client().get("/api/v1/figures", headers=bearer(make_key(app, "submissions:read")))
    assert response.status_code == 403


def test_the_cli_prints_the_table_and_json_lines(app, client, services, sent):
    runner = app.test_cli_runner()
    table = runner.invoke(args=["capture", "figures", "--from", "2026-12", "--to", "2026-12", "--form", "foi"])
    assert table.exit_code == 0, table.output
    header, row = table.output.strip().splitlines()
    assert header.split()[:5] == ["form", "month", "started", "sent", "rate"]
    assert row.split()[:5] == ["foi", "2026-12", "1", "1", "100%"]
    lines = runner.invoke(args=["capture", "figures", "--from", "2026-12", "--to", "2026-12", "--json"]).output
    items = [json.loads(line) for line in lines.splitlines()]
    assert {i["form"] for i in items} >= {"foi", "sar"} and all(i["month"] == "2026-12" for i in items)
    bad = runner.invoke(args=["capture", "figures", "--from", "December"])
    assert bad.exit_code == 2 and "months are written like 2026-12" in bad.output
    assert runner.invoke(args=["capture", "figures", "--form", "nope"]).exit_code == 2
