"""Capture's "Before you ask": the FOI and EIR description pages point to the published responses, which are
shown before the next question when they look like the request; a search that found nothing starts a request
with its words; and Capture without the Disclosure Log works as it always has."""
from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import select

from capture import related
from capture.definitions import DefinitionError, parse
from capture.models import Draft, Submission
from disclosure_log import service as disclosures
from disclosure_log.entries import EntryFields
from tests.capture_helpers import HAPPY_PATHS, answer, code_from, csrf_from, errors_in, fill, post
from tests.conftest import migrated_app
from tests.pages import PageClient, check_page, text_of

DESCRIPTION = "How many allotment plots in Royston stood empty last summer?"
UNLIKE = "Gritting routes for the A10 bypass in winter."
PUBLISHED = [
    ("FOI-2025-0101", "Allotment plots let and empty in Royston, 2024"),
    ("FOI-2025-0102", "Allotment waiting list in Tring"),
    ("EIR-2025-0103", "Allotment soil tests in Baldock"),
]
FOI_LAW = "section 21 of the Freedom of Information Act 2000"
EIR_LAW = "regulation 6(1)(b) of the Environmental Information Regulations 2004"


@pytest.fixture(autouse=True)
def _no_rate_limits():
    from portal.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


def publish(app, entries=PUBLISHED) -> None:
    services = app.extensions["portal.services"]
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        from disclosure_log.current import get_index

        for reference, title in entries:
            fields = EntryFields(
                title=title, request=f"Send me the figures for {title.lower()}.",
                response="The figures for each site are below.", case_type=reference[:3], category="Allotments",
                department="Place", outcome="Released in full", exemptions=(), received=dt.date(2025, 3, 3),
                responded=dt.date(2025, 3, 28), published=dt.date(2025, 4, 1), publish_at=None,
                internal_review="", ico_decision_url="")
            disclosures.publish(session, services.store, services.scanner, reference=reference, fields=fields,
                                incoming=[], override_reason="", change_note="", actor="test",
                                now=services.clock.now(), create_only=True)
        session.commit()
        disclosures.sync_index(session, get_index())
        session.commit()


@pytest.fixture
def published(app):
    publish(app)
    return app


@pytest.fixture
def app_without_log(tmp_path, services):
    """The portal with nothing behind the published-responses port (Capture's only way to the Disclosure Log)."""
    application = migrated_app(tmp_path, services)
    application.extensions["portal.services"].published = None
    yield application
    application.extensions["portal.db"].dispose()


def describe(client, form_id: str, text: str, **extra) -> str:
    """Answer up to the description, then give it; returns where that led."""
    fill(client, form_id, upto="request-description")
    response = post(client, f"/request/{form_id}/request-description", {"description": text, **extra})
    assert response.status_code == 302, errors_in(response)
    return response.headers["Location"]


def draft_answers(app) -> dict:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return session.scalars(select(Draft)).one().answers


# (a) The description page says what is already published may be refused, and links to the log -------------

@pytest.mark.parametrize(("form_id", "law"), [("foi", FOI_LAW), ("eir", EIR_LAW)])
def test_description_page_says_published_information_may_be_refused(client, form_id, law):
    fill(client, form_id, upto="request-description")
    soup = client.get_page(f"/request/{form_id}/request-description")
    notice = soup.select_one(".app-before-you-ask")
    assert f"we may refuse your request because you can get it another way ({law})" in text_of(notice)
    link = notice.find("a", string="Search published responses (opens in new tab)")
    assert link["href"] == "/disclosure-log" and link["target"] == "_blank" and "noopener" in link["rel"]
    # The draft is on the server and the link opens a new tab, so nothing typed is lost by following it.
    assert notice.find_parent("form") is not None
    assert notice.select_one("[aria-live=polite][data-related-results]") is not None


def test_only_the_related_search_pages_have_the_notice(client):
    fill(client, "sar", upto="what-data")
    assert client.get_page("/request/sar/what-data").select_one(".app-before-you-ask") is None
    fill(client, "foi", upto="full-name")
    assert client.get_page("/request/foi/full-name").select_one(".app-before-you-ask") is None


def test_related_search_must_be_on_a_text_question():
    raw = {"case_type": "FOI", "reference_prefix": "FOI", "name": "n", "title": "t", "summary": "s",
           "clock": {"working_days": 20}, "pages": [
               {"id": "email-address", "question": {"id": "email", "type": "email", "label": "Email"}},
               {"id": "topic", "related_search": True, "question": {"type": "yesno", "label": "Yes?"}}]}
    with pytest.raises(DefinitionError, match="related_search needs a text question"):
        parse(raw, "broken")


# (b) Without JavaScript: the published responses before the next question ---------------------------------

def test_published_responses_like_the_description_come_before_the_next_question(published, client):
    location = describe(client, "foi", DESCRIPTION)
    assert location.endswith("/request/foi/request-description/published-responses")
    soup = client.get_page(location)
    assert soup.h1.get_text(strip=True) == "These published responses might answer your question"
    links = {a.get_text(strip=True): a for a in soup.select("main ul a")}
    title, entry = "Allotment plots let and empty in Royston, 2024", "/disclosure-log/FOI-2025-0101"
    assert links[f"{title} (opens in new tab)"]["href"] == entry
    assert all(a["target"] == "_blank" and "noopener" in a["rel"] for a in links.values())
    assert FOI_LAW in text_of(soup)
    assert soup.select_one(".govuk-back-link")["href"] == "/request/foi/request-description"
    assert draft_answers(published)["description"] == DESCRIPTION  # saved before the page was shown

    response = post(client, location, {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/request/foi/environmental")


def test_published_responses_are_found_on_both_databases(db_app):
    publish(db_app)
    client = PageClient(db_app)
    location = describe(client, "foi", DESCRIPTION)
    assert location.endswith("/request/foi/request-description/published-responses")
    assert "Allotment plots let and empty in Royston, 2024 (opens in new tab)" in text_of(client.get_page(location))


def test_eir_description_is_matched_too(published, client):
    location = describe(client, "eir", "Soil tests on allotment land in Baldock")
    assert location.endswith("/request/eir/request-description/published-responses")
    assert "Allotment soil tests in Baldock (opens in new tab)" in text_of(client.get_page(location))


def test_with_nothing_like_it_published_the_next_question_follows(published, client):
    assert describe(client, "foi", UNLIKE).endswith("/request/foi/environmental")


def test_words_of_any_request_alone_match_nothing(published, client):
    text = "Please provide the information you hold: the number of records and figures for each year."
    assert describe(client, "foi", text).endswith("/request/foi/environmental")


def test_responses_already_shown_while_typing_are_not_shown_again(published, client):
    location = describe(client, "foi", DESCRIPTION, **{"related-checked": "1"})
    assert location.endswith("/request/foi/environmental")


def test_back_from_the_published_responses_keeps_the_description(published, client):
    location = describe(client, "foi", DESCRIPTION)
    back = client.get_page(location).select_one(".govuk-back-link")["href"]
    assert client.get_page(back).select_one("textarea#description").get_text() == DESCRIPTION


def test_change_link_goes_through_the_published_responses_back_to_check_answers(published, client, services):
    fill(client, "foi")  # the happy path's potholes are not in the log
    soup = client.get_page("/request/foi/check-answers")
    change = soup.find("a", href="/request/foi/request-description?change=1")
    assert change is not None
    location = answer(client, "foi", "request-description?change=1", {"description": DESCRIPTION})
    assert location.endswith("/request/foi/request-description/published-responses?change=1")
    soup = client.get_page(location)
    assert soup.select_one(".govuk-back-link")["href"] == "/request/foi/request-description?change=1"
    response = post(client, location, {})
    assert response.headers["Location"].endswith("/request/foi/check-answers")
    assert DESCRIPTION in text_of(client.get_page("/request/foi/check-answers"))

    post(client, "/request/foi/check-answers", {})
    post(client, "/request/foi/confirm-email", {"code": code_from(services.mailer)})
    with published.app_context(), published.extensions["portal.db"].sessionmaker() as session:
        assert session.scalars(select(Submission)).one().answers["description"] == DESCRIPTION


def test_published_responses_page_needs_its_draft_and_its_answer(published, client):
    assert client.raw.get("/request/foi/request-description/published-responses").status_code == 410
    fill(client, "foi", upto="request-description")
    response = client.raw.get("/request/foi/request-description/published-responses")
    assert response.status_code == 302 and response.headers["Location"].endswith("/request/foi/request-description")
    assert client.raw.get("/request/foi/format/published-responses").status_code == 404
    assert client.raw.get("/request/sar/what-data/published-responses").status_code == 404


def test_a_failing_search_never_stops_the_request(published, client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError(f"index exploded on {args[2]!r}")

    monkeypatch.setattr("disclosure_log.search.like_text", broken)
    with caplog.at_level(logging.WARNING):
        assert describe(client, "foi", DESCRIPTION).endswith("/request/foi/environmental")
    assert "published responses could not be searched: RuntimeError" in caplog.text
    assert "allotment" not in caplog.text.lower()


# (c) With JavaScript: the JSON the description page's script asks for ----------------------------------------

def related_json(client, text: str, page: str = "/request/foi/request-description"):
    token = csrf_from(client.raw.get(page).get_data(as_text=True))
    return client.raw.post(f"{page}/related", data={"csrf_token": token, "text": text})


def test_related_json_gives_titles_and_links(published, client, caplog):
    fill(client, "foi", upto="request-description")
    with caplog.at_level(logging.DEBUG):
        response = related_json(client, "allotment plots Royston")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    results = response.get_json()["results"]
    assert results[0] == {"title": "Allotment plots let and empty in Royston, 2024", "reference": "FOI-2025-0101",
                          "url": "/disclosure-log/FOI-2025-0101", "published": "1 April 2025"}
    assert len(results) == 3
    assert "royston" not in caplog.text.lower()  # what people type is never logged


def test_related_json_with_nothing_like_it_is_an_empty_list(published, client):
    fill(client, "foi", upto="request-description")
    assert related_json(client, UNLIKE).get_json() == {"results": []}
    assert related_json(client, "").get_json() == {"results": []}


def test_related_json_needs_the_csrf_token_and_a_related_page(published, client):
    fill(client, "foi", upto="request-description")
    assert client.raw.post("/request/foi/request-description/related", data={"text": "allotment"}).status_code == 400
    token = csrf_from(client.raw.get("/request/foi/request-description").get_data(as_text=True))
    assert client.raw.post("/request/foi/format/related", data={"csrf_token": token, "text": "x"}).status_code == 404
    assert client.raw.post("/request/nope/format/related", data={"csrf_token": token, "text": "x"}).status_code == 404


def test_related_json_is_rate_limited(published, client):
    from portal.security import limiter

    limiter.enabled = True
    limiter.reset()
    fill(client, "foi", upto="request-description")
    statuses = [related_json(client, "allotment plots").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


# (d) A search that found nothing starts the request with its words ----------------------------------------

def test_make_a_request_from_a_search_fills_in_the_description_and_skips_no_page(published, client):
    client.get_page("/request/foi?about=allotment+plots+in+Royston")
    fill(client, "foi", upto="request-description")  # every page before it, each in turn
    soup = client.get_page("/request/foi/request-description")
    assert soup.select_one("textarea#description").get_text() == "allotment plots in Royston"
    assert "We have started your description with the words you searched for" in text_of(soup)
    assert "description" not in draft_answers(published)  # offered, not answered for them
    answer(client, "foi", "request-description", {"description": "allotment plots in Royston, and the rents",
                                                   "related-checked": "1"})
    soup = client.get_page("/request/foi/request-description")  # once answered, the answer is what shows
    assert soup.select_one("textarea#description").get_text() == "allotment plots in Royston, and the rents"
    assert "We have started your description" not in text_of(soup)


@pytest.mark.parametrize(("about", "expected"), [
    ('"care homes" -refused OR hert*', "care homes hert"),
    ("parking\x07 permits\u202e NOT fines", "parking permits"),
    ("   ", ""),
    ("word " * 200, ("word " * 100).strip()),  # cut at a word, within the search box's 500 characters
])
def test_search_words_are_made_plain_and_short(about, expected):
    assert related.about_words(about) == expected


def test_search_words_are_offered_only_on_forms_with_a_description_to_match(published, client):
    client.get_page("/request/foi?about=allotments")
    client.get_page("/request/sar?about=allotments")
    fill(client, "sar", upto="what-data")
    assert client.get_page("/request/sar/what-data").select_one("textarea#description").get_text() == ""


# Without the Disclosure Log, Capture is as it was ----------------------------------------------------------

def test_without_the_disclosure_log_capture_works_as_before(app_without_log, services):
    client = PageClient(app_without_log)
    client.get_page("/request/foi?about=allotment+plots")
    fill(client, "foi", upto="request-description")
    soup = client.get_page("/request/foi/request-description")
    assert soup.select_one(".app-before-you-ask") is None
    assert soup.select_one("textarea#description").get_text() == ""
    assert soup.select_one(".govuk-inset-text") is None
    assert answer(client, "foi", "request-description", {"description": DESCRIPTION}).endswith("/foi/environmental")
    assert client.raw.get("/request/foi/request-description/published-responses").status_code == 404
    token = csrf_from(client.raw.get("/request/foi/environmental").get_data(as_text=True))
    response = client.raw.post("/request/foi/request-description/related", data={"csrf_token": token, "text": "x"})
    assert response.status_code == 404
    for page_id, data in HAPPY_PATHS["foi"][HAPPY_PATHS["foi"].index(("environmental", {"environmental": "no"})):]:
        answer(client, "foi", page_id, data)
    post(client, "/request/foi/check-answers", {})
    response = post(client, "/request/foi/confirm-email", {"code": code_from(services.mailer)})
    assert response.status_code == 302
    check_page(client.raw.get(response.headers["Location"]).get_data(as_text=True))
