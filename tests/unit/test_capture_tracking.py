"""Track your request (capture/tracking.py): the case system reports progress, the requester sees it by the
acknowledgement's link or by reference and an emailed code, and may be emailed when it changes."""
from __future__ import annotations

import datetime as dt
import re

import jsonschema
import pytest
from sqlalchemy import select

from capture.models import ProgressUpdate, Submission
from tests.capture_helpers import code_from, errors_in, post, submit
from tests.pages import PageClient, check_page, text_of
from tests.unit.test_api_keys import bearer, make_key

TRACK = re.compile(r"^http://127\.0\.0\.1:5000(/request/track/\S+)$", re.M)

pytestmark = pytest.mark.usefixtures("no_rate_limits")


@pytest.fixture
def sent(app, client, services):
    """An FOI request sent on Friday 18 December 2026 (due Thursday 21 January 2027); its tracking link."""
    services.clock.current = dt.datetime(2026, 12, 18, 10, 0, tzinfo=dt.timezone.utc)
    submit(client, "foi", services.mailer)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        reference = session.scalars(select(Submission.reference)).one()
    return reference, TRACK.search(services.mailer.sent[-1].body).group(1)


def put_status(app, reference, body, scope="submissions:status"):
    return app.test_client().put(f"/api/v1/submissions/{reference}/status", json=body,
                                 headers=bearer(make_key(app, scope)))


def test_the_acknowledgements_link_shows_where_the_request_is(app, services, sent):
    reference, link = sent
    soup = PageClient(app).get_page(link)  # any browser: the link is as private as the email
    text = text_of(soup)
    assert soup.h1.get_text(strip=True) == "Your Freedom of Information request" and reference in text
    assert "Received" in text and "We must respond by 21 January 2027" in text
    assert "We should have responded" not in text


def test_the_case_systems_reports_appear_in_order_and_a_clarification_pauses_the_clock(app, services, sent):
    reference, link = sent
    services.clock.advance(days=3)
    assert put_status(app, reference, {"status": "in_progress"}).status_code == 200
    services.clock.advance(days=1)
    response = put_status(app, reference, {"status": "clarification_needed",
                                           "message": "Which year do you mean: 2025 or 2026?"})
    assert response.status_code == 200
    assert [u["status"] for u in response.get_json()["updates"]] == ["clarification_needed", "in_progress"]
    text = text_of(PageClient(app).get_page(link))
    assert "We need more information from you" in text and "Which year do you mean: 2025 or 2026?" in text
    assert "Paused until you reply to our question" in text
    # An extension, with its reason; then the response with its Secure Share link.
    put_status(app, reference, {"status": "due_date_changed", "due_date": "2027-02-18",
                                "message": "We need to consider the public interest (section 10(3))."})
    text = text_of(PageClient(app).get_page(link))
    assert "We must respond by 18 February 2027" in text and "public interest" in text
    share = "http://127.0.0.1:5000/documents/abc.def"
    assert put_status(app, reference, {"status": "responded", "share_url": share}).status_code == 200
    soup = PageClient(app).get_page(link)
    assert soup.find("a", string="Get the documents we sent you")["href"] == share


def test_a_retried_put_adds_nothing_and_bad_reports_are_422s_that_name_the_field(app, services, sent):
    reference, _link = sent
    put_status(app, reference, {"status": "in_progress"})
    put_status(app, reference, {"status": "in_progress"})
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert len(session.scalars(select(ProgressUpdate)).all()) == 1
    for body, field in (({"status": "lost"}, "status"), ({"status": "clarification_needed"}, "message"),
                        ({"status": "due_date_changed", "message": "Extension"}, "due_date"),
                        ({"status": "due_date_changed", "message": "x", "due_date": "2020-01-01"}, "due_date"),
                        ({"status": "responded", "share_url": "https://elsewhere.example/x"}, "share_url"),
                        ({"status": "in_progress", "message": "bell\x07"}, "message")):
        response = put_status(app, reference, body)
        assert response.status_code == 422 and response.get_json()["field"] == field, body
    assert put_status(app, reference, ["in_progress"]).status_code == 400
    assert put_status(app, "FOI-2026-AAAA-A", {"status": "closed"}).status_code == 404
    assert put_status(app, reference, {"status": "closed"}, scope="submissions:read").status_code == 403


def test_an_overdue_request_says_what_the_requester_can_do(app, services, sent):
    reference, link = sent
    services.clock.current = dt.datetime(2027, 1, 26, 10, 0, tzinfo=dt.timezone.utc)  # 3 working days late
    text = text_of(PageClient(app).get_page(link))
    assert "We should have responded by 21 January 2027, 3 working days ago." in text
    assert "internal review" in text and "Information Commissioner's Office" in text
    put_status(app, reference, {"status": "responded"})
    assert "We should have responded" not in text_of(PageClient(app).get_page(link))


def test_the_requester_can_choose_to_be_emailed_when_the_status_changes(app, client, services, sent):
    reference, link = sent
    put_status(app, reference, {"status": "in_progress"})
    assert not any("There is news" in m.body for m in services.mailer.sent)  # not asked for yet
    response = post(client, f"{link}/emails", {"emails": "yes"}, page_url=link)
    assert "We'll email you when the status" in text_of(client.get_page(response.headers["Location"]))
    put_status(app, reference, {"status": "clarification_needed", "message": "Which year?"})
    news = services.mailer.sent[-1]
    assert news.to == "zoe@example.com" and news.subject.endswith(": We need more information from you")
    assert "Which year?" in news.body and TRACK.search(news.body)
    post(client, f"{link}/emails", {}, page_url=link)
    count = len(services.mailer.sent)
    put_status(app, reference, {"status": "responded"})
    assert len(services.mailer.sent) == count


def test_by_reference_and_an_emailed_code_and_never_saying_whether_they_matched(app, services, sent):
    reference, _link = sent
    stranger = PageClient(app)
    response = post(stranger, "/request/track", {"reference": reference, "email": "someone@else.example"})
    assert response.headers["Location"].endswith("/request/track/code")
    mismatch = text_of(stranger.get_page("/request/track/code"))
    emails = len(services.mailer.sent)
    person = PageClient(app)
    post(person, "/request/track", {"reference": reference.lower(), "email": "Zoe@Example.com"})
    assert text_of(person.get_page("/request/track/code")) == mismatch  # the same page either way
    assert len(services.mailer.sent) == emails + 1 and services.mailer.sent[-1].to == "Zoe@Example.com"
    wrong = post(stranger, "/request/track/code", {"code": code_from(services.mailer)})
    assert errors_in(wrong) == ["Get a security code first"]  # the stranger's browser asked for nothing real
    response = post(person, "/request/track/code", {"code": code_from(services.mailer)})
    assert "/request/track/" in response.headers["Location"]
    assert reference in text_of(person.get_page(response.headers["Location"]))


def test_the_track_form_says_what_is_missing(client):
    response = post(client, "/request/track", {"reference": "", "email": ""})
    assert errors_in(response) == ["Enter your reference, like FOI-2026-7K4M-Q",
                                   "Enter the email address you gave with your request"]
    check_page(response.get_data(as_text=True))


def test_a_bad_link_is_not_found_and_erased_requests_are_gone(app, client, services, sent):
    reference, link = sent
    assert client.raw.get(link + "x").status_code == 404
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        submission = session.scalars(select(Submission)).one()
        submission.personal_data_deleted_at = services.clock.now()
        session.commit()
    assert client.raw.get(link).status_code == 404


def test_the_openapi_document_describes_the_status_operation(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/submissions/{reference}/status"]["put"]
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404", "422"}
    schema = document["components"]["schemas"]["ProgressReport"]
    jsonschema.validate({"status": "due_date_changed", "due_date": "2027-02-18", "message": "Public interest"}, schema)


def test_the_document_names_every_scope_a_key_can_hold(app):
    from portal.api import SCOPES

    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert set(document["components"]["schemas"]["KeyInfo"]["properties"]["scopes"]["items"]["enum"]) == set(SCOPES)


def test_a_tracked_request_keeps_its_link_and_address_until_it_has_been_closed_for_the_retention_period(
        app, services, sent):
    from capture import delivery

    reference, link = sent
    retention = dt.timedelta(days=30)

    def erase() -> list[str]:
        with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
            erased = delivery.erase_personal_data(session, services.store, services.clock.now(), retention)
            session.commit()
            return erased

    put_status(app, reference, {"status": "in_progress"})
    services.clock.advance(days=45)  # an extended FOI, still being handled: the requester can still be told
    assert erase() == []
    assert reference in text_of(PageClient(app).get_page(link))  # the acknowledgement's link still works
    put_status(app, reference, {"status": "closed"})
    services.clock.advance(days=29)
    assert erase() == []
    services.clock.advance(days=2)
    assert erase() == [reference]
    assert PageClient(app).raw.get(link).status_code == 404


def test_a_request_tracked_but_never_closed_is_erased_after_a_year(app, services, sent):
    from capture import delivery, tracking

    reference, _link = sent
    put_status(app, reference, {"status": "in_progress"})
    services.clock.advance(days=tracking.TRACKED_AT_MOST.days + 1)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert delivery.erase_personal_data(session, services.store, services.clock.now(),
                                            dt.timedelta(days=30)) == [reference]
