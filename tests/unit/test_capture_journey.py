"""Every Capture form end to end through the test client: no JavaScript, one thing per page."""
import datetime as dt
import io
import json
from pathlib import Path

import jsonschema

import pytest
from sqlalchemy import select

from capture.definitions import load_all
from capture.models import Draft, Submission
from tests.capture_helpers import HAPPY_PATHS, answer, code_from, errors_in, fill, post, submit
from tests.pages import PageClient, check_page, text_of


CREATE_CASE_SCHEMA = json.loads((Path(__file__).parents[2] / "capture/schema/create_case.schema.json").read_text())


@pytest.fixture(autouse=True)
def _no_rate_limits(app):
    from portal.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


def test_every_shipped_form_has_a_happy_path():
    assert set(HAPPY_PATHS) == set(load_all())


def test_request_index_lists_every_form(client):
    soup = client.get_page("/request/")
    titles = [a.get_text(strip=True) for a in soup.select("main h2 a")]
    assert titles == [f.title for f in sorted(load_all().values(), key=lambda f: f.order)]


@pytest.mark.parametrize("form_id", sorted(HAPPY_PATHS))
def test_form_end_to_end(app, client, services, form_id):
    form = load_all()[form_id]
    start = client.get_page(f"/request/{form_id}")
    assert start.h1.get_text(strip=True) == form.title
    html = submit(client, form_id, services.mailer)
    soup = check_page(html)
    assert soup.h1.get_text(strip=True) == f"{form.name} sent"
    with app.app_context():
        db = app.extensions["portal.db"]
        with db.sessionmaker() as session:
            submission = session.scalars(select(Submission)).one()
            assert session.scalars(select(Draft)).all() == []  # the draft is gone once submitted
    assert submission.reference in text_of(soup)
    assert submission.reference.startswith(f"{form.reference_prefix}-2026-")
    assert submission.received_at == services.clock.now()
    assert (submission.delivery_status, submission.case_id) == ("delivered", "CASE-1")  # pushed at once
    assert submission.payload["reference"] == submission.reference
    assert submission.payload["requester"]["email"] == HAPPY_PATHS[form_id][[p for p, _ in HAPPY_PATHS[form_id]].index("email-address")][1]["email"]
    jsonschema.validate(submission.payload, CREATE_CASE_SCHEMA)  # what the case system is promised
    ack = services.mailer.sent[-1]
    assert submission.reference in ack.subject and submission.reference in ack.body
    assert ack.to == submission.answers["email"]


def test_foi_due_date_is_shown_and_stored(app, client, services):
    services.clock.current = dt.datetime(2026, 12, 18, 10, 0, tzinfo=dt.timezone.utc)  # a Friday before Christmas
    html = submit(client, "foi", services.mailer)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        submission = session.scalars(select(Submission)).one()
    # Day 1 is Mon 21 Dec; not counted: 25 Dec, 28 Dec (Boxing Day substitute), 1 Jan,
    # 4 Jan (Scotland's 2 January substitute); day 20 is Thu 21 Jan 2027.
    assert submission.due_date == dt.date(2027, 1, 21)
    assert "20 working days" in submission.clock_rule
    assert "21 January 2027" in text_of(check_page(html))


def test_a_sar_whose_proof_of_identity_follows_gets_no_firm_due_date(app, client, services):
    """The month starts when the proof arrives (ICO): nobody is told a date the clock has not started for."""
    services.clock.current = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)
    text = text_of(check_page(submit(client, "sar", services.mailer)))  # HAPPY_PATHS: "I'll send it later"
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        submission = session.scalars(select(Submission)).one()
    assert submission.due_date is None and submission.payload["due_date"] is None
    assert submission.payload["clock"] == {"status": "awaiting_identity", "statutory": True, "due_date": None,
                                           "rule": "one calendar month, under UK GDPR, Article 12(3)"}
    jsonschema.validate(submission.payload, CREATE_CASE_SCHEMA)
    expected = ("We have one calendar month to respond, starting when we have your proof of identity. "
                "We'll tell you the date then.")
    assert expected in text and "must respond by" not in text
    ack = services.mailer.sent[-1].body
    assert expected in ack and "must respond by" not in ack


def test_by_default_a_sar_asks_for_no_proof_of_identity(tmp_path, services):
    """ICO: ask for it only where there is reasonable doubt; SAR_IDENTITY=always asks everyone."""
    from tests.conftest import migrated_app

    application = migrated_app(tmp_path, services, sar_identity="if-needed")
    client = PageClient(application)
    assert "only ask for proof of your identity if we need it" in text_of(client.get_page("/request/sar"))
    steps = [step for step in HAPPY_PATHS["sar"] if step[0] != "identity"]
    for page_id, answers in steps[:-1]:
        answer(client, "sar", page_id, answers)
    assert answer(client, "sar", *steps[-1]).endswith("/request/sar/check-answers")
    post(client, "/request/sar/check-answers", {})
    post(client, "/request/sar/confirm-email", {"code": code_from(services.mailer)})
    with application.app_context(), application.extensions["portal.db"].sessionmaker() as session:
        submission = session.scalars(select(Submission)).one()
    assert submission.payload["clock"]["status"] == "running" and submission.due_date is not None
    assert "proof_of_identity" not in submission.payload["request"]
    application.extensions["portal.db"].dispose()


def test_a_sar_is_due_on_the_bodys_own_next_working_day(tmp_path, services):
    """Received 1 December 2026: 1 January is a holiday everywhere, 4 January only in Scotland."""
    from tests.conftest import migrated_app

    for nation, due in (("england", dt.date(2027, 1, 4)), ("scotland", dt.date(2027, 1, 5))):
        application = migrated_app(tmp_path / nation, services, body_nation=nation)
        services.clock.current = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)
        client = PageClient(application)
        fill(client, "sar", upto="identity")
        post(client, "/request/sar/identity", {"action": "upload", "identity": (io.BytesIO(b"%PDF-1.7\n" + b"0" * 500),
                                                                               "passport.pdf")},
             content_type="multipart/form-data")
        answer(client, "sar", "identity", {"action": "continue"})
        post(client, "/request/sar/check-answers", {})
        html = post(client, "/request/sar/confirm-email", {"code": code_from(services.mailer)}, follow_redirects=True)
        with application.app_context(), application.extensions["portal.db"].sessionmaker() as session:
            submission = session.scalars(select(Submission)).one()
        assert (submission.due_date, submission.payload["clock"]["status"]) == (due, "running")
        assert f"We must respond by {due.day} January 2027" in text_of(check_page(html.get_data(as_text=True)))
        application.extensions["portal.db"].dispose()


def test_the_person_is_told_plainly_that_nothing_is_sent_until_they_confirm(client, services):
    fill(client, "enquiry")
    post(client, "/request/enquiry/check-answers", {})
    page = text_of(client.get_page("/request/enquiry/confirm-email"))
    assert "Your general enquiry has not been sent yet" in page and "within 60 minutes, we will delete" in page
    assert "Your request has not been sent yet" in services.mailer.sent[-1].body


def test_the_foi_acknowledgement_says_what_may_happen_and_what_the_requester_can_do(client, services):
    submit(client, "foi", services.mailer)
    body = services.mailer.sent[-1].body
    for words in ("tell us more about the information", "fee", "internal review within 40 working days",
                  "Information Commissioner's Office"):
        assert words in body


def test_start_pages_offer_the_other_ways_to_ask_the_body_has(tmp_path, services, client):
    from tests.conftest import migrated_app

    assert "email information.requests@example.gov.uk" in text_of(client.get_page("/request/foi"))
    assert "call " not in text_of(client.get_page("/request/foi"))
    application = migrated_app(tmp_path, services, postal_address="Wallfields\nPegs Lane\nHertford SG13 8EQ",
                               telephone="01992 555 555 (Monday to Friday, 9am to 5pm)",
                               in_person="Ask at the reception desk at Wallfields")
    text = text_of(PageClient(application).get_page("/request/sar"))
    assert "write to Example Council, Wallfields, Pegs Lane, Hertford SG13 8EQ" in text
    assert "call 01992 555 555 (Monday to Friday, 9am to 5pm)" in text and "ask at the reception desk" in text
    application.extensions["portal.db"].dispose()


def test_the_acts_name_keeps_its_capitals_in_sentences(client, services):
    submit(client, "foi", services.mailer)
    code, ack = services.mailer.sent[-2:]
    assert "for your Freedom of Information request is:" in code.body
    assert ack.subject.startswith("We have received your Freedom of Information request: FOI-")
    assert "Thank you for your Freedom of Information request." in ack.body


def test_a_policy_clock_says_we_aim_to_reply_not_we_must(app, client, services):
    text = text_of(check_page(submit(client, "compliment", services.mailer)))
    assert "We aim to reply by" in text and "must respond" not in text
    assert "We aim to reply by" in services.mailer.sent[-1].body


def _foi_up_to_format(client):
    for page_id, answers in HAPPY_PATHS["foi"]:
        if page_id == "format":
            return
        answer(client, "foi", page_id, answers)


def test_foi_by_post_asks_for_the_postal_address_it_needs(client):
    """FOIA s.11: the body must meet the stated means of communication where practicable."""
    _foi_up_to_format(client)
    assert answer(client, "foi", "format", {"format": "post"}).endswith("/request/foi/postal-address")
    response = post(client, "/request/foi/postal-address", {"action": "save", "address-line1": "",
                                                            "address-town": "", "address-postcode": ""})
    assert response.status_code == 200 and errors_in(response)  # the address is needed to post it
    location = answer(client, "foi", "postal-address", {"action": "save", "address-line1": "1 High Street",
                                                        "address-town": "Hertford", "address-postcode": "sg13 8eq"})
    assert location.endswith("/request/foi/check-answers")


def test_foi_inspect_in_person_asks_when_and_how_to_arrange_it(app, client, services):
    _foi_up_to_format(client)
    assert answer(client, "foi", "format", {"format": "inspect"}).endswith("/request/foi/inspect-when")
    response = post(client, "/request/foi/inspect-when", {"inspect_when": ""})
    assert errors_in(response) == ["Enter the days and times that suit you"]
    answer(client, "foi", "inspect-when", {"inspect_when": "Weekday mornings"})
    assert answer(client, "foi", "inspect-phone", {"telephone": "01992 555 555"}).endswith("/check-answers")
    post(client, "/request/foi/check-answers", {})
    post(client, "/request/foi/confirm-email", {"code": code_from(services.mailer)})
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        payload = session.scalars(select(Submission.payload)).one()
    assert payload["request"]["preferred_format"] == "inspect"
    assert payload["request"]["inspection_times"] == "Weekday mornings"
    assert payload["requester"]["telephone"] == "01992 555 555"
    jsonschema.validate(payload, CREATE_CASE_SCHEMA)


def test_validation_error_keeps_what_was_typed_and_says_what_to_do(client):
    fill(client, "foi", upto="email-address")
    response = post(client, "/request/foi/email-address", {"email": "not-an-email"})
    assert response.status_code == 200 and errors_in(response)
    soup = check_page(response.get_data(as_text=True))
    assert soup.title.get_text().startswith("Error: ")
    assert errors_in(response) == ["Enter an email address in the correct format, like name@example.com"]
    assert soup.find("input", id="email")["value"] == "not-an-email"
    assert soup.select_one(".govuk-error-summary a")["href"] == "#email"


def test_routing_offers_the_sar_form_when_the_request_is_about_you(client):
    location = answer(client, "foi", "about-you", {"about_yourself": "yes"})
    assert location.endswith("/request/foi/use-sar")
    soup = client.get_page(location)
    assert soup.find("a", href="/request/sar").get_text(strip=True) == "Make a subject access request"


def test_change_link_returns_to_check_answers(client):
    fill(client, "compliment")
    soup = client.get_page("/request/compliment/check-answers")
    change = soup.find("a", href="/request/compliment/who?change=1")
    assert change is not None
    location = answer(client, "compliment", "who?change=1", {"who": "The ware library"})
    assert location.endswith("/request/compliment/check-answers")
    assert "The ware library" in text_of(client.get_page("/request/compliment/check-answers"))


def test_check_answers_with_unanswered_questions_goes_to_the_first_one(client):
    fill(client, "enquiry", upto="topic")
    response = client.raw.get("/request/enquiry/check-answers")
    assert response.status_code == 302 and response.headers["Location"].endswith("/request/enquiry/topic")


def test_wrong_code_six_times_locks_and_a_new_code_works(app, client, services):
    fill(client, "enquiry")
    post(client, "/request/enquiry/check-answers", {})
    wrong = "111111" if code_from(services.mailer) == "000000" else "000000"
    messages = [errors_in(post(client, "/request/enquiry/confirm-email", {"code": wrong})) for _ in range(5)]
    assert messages[0] == ["The security code is incorrect. Check the email we sent you and try again"]
    assert messages[4] == ["You have entered the wrong code too many times. Get a new code"]
    # The sixth try, even with the right code, is refused: the code is used up.
    sixth = post(client, "/request/enquiry/confirm-email", {"code": code_from(services.mailer)})
    assert sixth.status_code == 200
    assert errors_in(sixth) == ["You have entered the wrong code too many times. Get a new code"]
    services.clock.advance(seconds=31)
    new = post(client, "/request/enquiry/confirm-email/new-code", {}, page_url="/request/enquiry/confirm-email")
    assert new.status_code == 302
    response = post(client, "/request/enquiry/confirm-email", {"code": code_from(services.mailer)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/confirmation")


def test_new_code_too_soon_says_when_to_try_again(client, services):
    fill(client, "enquiry")
    post(client, "/request/enquiry/check-answers", {})
    response = post(client, "/request/enquiry/confirm-email/new-code", {}, page_url="/request/enquiry/confirm-email")
    soup = client.get_page(response.headers["Location"])
    assert "Wait 30 seconds before asking for another code" in text_of(soup)
    assert len(services.mailer.sent) == 1


def test_code_expires_after_15_minutes(client, services):
    fill(client, "enquiry")
    post(client, "/request/enquiry/check-answers", {})
    code = code_from(services.mailer)
    services.clock.advance(minutes=16)
    response = post(client, "/request/enquiry/confirm-email", {"code": code})
    assert errors_in(response) == ["The security code has expired. Get a new code"]


def test_email_link_shows_a_button_and_a_get_confirms_nothing(app, client, services):
    fill(client, "compliment")
    post(client, "/request/compliment/check-answers", {})
    link = next(line for line in services.mailer.sent[-1].body.splitlines() if "/request/confirm/" in line)
    path = link.split("127.0.0.1:5000", 1)[1]
    other_browser = app.test_client()
    for _ in range(3):  # a mail scanner following the link
        assert other_browser.get(path).status_code == 200
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalars(select(Submission)).all() == []
    page = other_browser.get(path).get_data(as_text=True)
    from tests.capture_helpers import csrf_from

    response = other_browser.post(path, data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert other_browser.get(response.headers["Location"]).status_code == 200
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert len(session.scalars(select(Submission)).all()) == 1
    assert other_browser.get(path).status_code == 410  # used once


def test_the_first_browser_is_told_its_request_was_sent_by_the_link_in_another(app, client, services):
    fill(client, "enquiry")
    post(client, "/request/enquiry/check-answers", {})
    link = next(line for line in services.mailer.sent[-1].body.splitlines() if "/request/confirm/" in line)
    path = link.split("127.0.0.1:5000", 1)[1]
    phone = PageClient(app)
    response = post(phone, path, {})
    assert response.status_code == 302
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        reference = session.scalars(select(Submission.reference)).one()
    # Back on the laptop, the code page (or any page of the form) says so, with the reference.
    soup = client.get_page("/request/enquiry/confirm-email")
    assert soup.h1.get_text(strip=True) == "You've already sent this request"
    assert reference in text_of(soup) and "deleted" not in text_of(soup)
    assert reference in text_of(client.get_page(soup.find("a", string="See what you sent")["href"]))
    # Only a browser that held the draft learns the reference: a stranger's gets the ordinary page.
    assert "You've already sent" not in PageClient(app).raw.get("/request/enquiry/confirm-email").get_data(as_text=True)


def test_tampered_link_is_a_clear_page(client):
    soup = client.get_page("/request/confirm/not-a-real-token", status=410)
    assert "expired or has already been used" in soup.h1.get_text()


def test_draft_expires_after_the_stated_idle_time(client, services):
    fill(client, "enquiry", upto="topic")
    services.clock.advance(minutes=61)
    soup = client.get_page("/request/enquiry/topic", status=410)
    assert soup.h1.get_text(strip=True) == "Your answers have been deleted"
    assert "60 minutes" in text_of(soup)


def test_duplicate_within_24_hours_is_flagged_never_dropped(app, client, services):
    submit(client, "compliment", services.mailer)
    services.clock.advance(minutes=5)
    client.raw.delete_cookie(client.app.config["SESSION_COOKIE_NAME"])
    submit(client, "compliment", services.mailer)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        first, second = session.scalars(select(Submission).order_by(Submission.id)).all()
    assert first.duplicate_of is None
    assert second.duplicate_of == first.reference
    assert second.payload["flags"]["duplicate_of"] == first.reference


def test_honeypot_is_flagged_in_the_payload(app, client, services):
    fill(client, "enquiry", upto="question")
    answer(client, "enquiry", "question", {"description": "Hello", "website": "http://spam.example"})
    post(client, "/request/enquiry/check-answers", {})
    post(client, "/request/enquiry/confirm-email", {"code": code_from(services.mailer)})
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalars(select(Submission)).one().payload["flags"]["honeypot_filled"] is True


@pytest.mark.parametrize(("page_id", "data", "message"), [
    ("full-name", {"full_name": ""}, "Enter your full name"),
    ("full-name", {"full_name": "x" * 201}, "Full name must be 200 characters or less"),
    ("email-address", {"email": "a@b"}, "Enter an email address in the correct format, like name@example.com"),
    ("topic", {"topic": "hacked-value"}, "Select what your question is about"),
    ("question", {"description": "x" * 5001}, "Question must be 5,000 characters or less"),
])
def test_bad_input_gets_a_clear_error(client, page_id, data, message):
    fill(client, "enquiry", upto=page_id)
    response = post(client, f"/request/enquiry/{page_id}", data)
    assert response.status_code == 200 and errors_in(response)
    assert errors_in(response) == [message]


def test_control_characters_are_removed_not_stored(app, client, services):
    fill(client, "enquiry", upto="question")
    answer(client, "enquiry", "question", {"description": "Bins\x00 and\x1b[31m \u202eroads"})
    soup = client.get_page("/request/enquiry/check-answers")
    assert "Bins and[31m roads" in text_of(soup)


@pytest.mark.parametrize(("parts", "message"), [
    (("", "4", "1961"), "Date of birth must include a day"),
    (("3", "", ""), "Date of birth must include a month and year"),
    (("31", "2", "1961"), "Date of birth must be a real date"),
    (("3", "4", "61"), "Date of birth must be a real date"),
    (("3", "4", "2999"), "Date of birth must be today or in the past"),
    (("", "", ""), "Enter date of birth"),
])
def test_date_errors(client, parts, message):
    fill(client, "sar", upto="date-of-birth")
    day, month, year = parts
    response = post(client, "/request/sar/date-of-birth",
                    {"date_of_birth-day": day, "date_of_birth-month": month, "date_of_birth-year": year})
    assert errors_in(response) == [message]


def test_date_post_missing_its_parts_entirely_is_an_error_not_a_crash(client):
    fill(client, "sar", upto="date-of-birth")
    response = post(client, "/request/sar/date-of-birth", {})
    assert response.status_code == 200 and errors_in(response)


def test_unknown_form_and_page_are_404(client):
    client.get_page("/request/nope", status=404)
    client.get_page("/request/foi/nope", status=404)


def test_looking_at_a_page_keeps_the_draft_alive(client, services):
    fill(client, "enquiry", upto="topic")
    services.clock.advance(minutes=50)
    client.get_page("/request/enquiry/topic")
    services.clock.advance(minutes=50)
    client.get_page("/request/enquiry/topic")  # 100 minutes since the last answer, but never 60 idle
