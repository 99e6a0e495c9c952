"""Capture in Welsh: every page and error state of a request, and every email that follows it, with no English
left but the answers the requester typed: the forms' own words (capture/forms, capture/texts.py) are checked
with the rest.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from capture.definitions import load_all
from capture.models import Draft, Submission
from portal.adapters.ports import PostcodeResult
from tests.capture_helpers import HAPPY_PATHS, csrf_from
from tests.fakes import FakeAddresses
from tests.pages import PageClient, check_page
from tests.unit.test_api_keys import bearer, make_key
from tests.unit.test_welsh_pages import ENGLISH, ENGLISH_WORDS, WELSH_LOOKALIKES, visible_text

pytestmark = pytest.mark.usefixtures("no_rate_limits")

CODE = re.compile(r"^(\d{6})$", re.M)
LINK = re.compile(r"^(http://127\.0\.0\.1:5000\S+)$", re.M)
ANSWERS = {  # FOI's happy path (tests.capture_helpers.HAPPY_PATHS), whose typed words are the requester's own
    page_id: data for page_id, data in HAPPY_PATHS["foi"]}
TYPED = ("Zoë O'Brien", "zoe@example.com", "z***@example.com",
         "Please provide the number of potholes repaired in Hertford in 2025.")


def assert_welsh_text(text: str, allowed: tuple[str, ...] = ()) -> None:
    """Words in Welsh: assert_welsh's two checks (tests/unit/test_welsh_pages.py), on an email's text or a page's
    visible text; `allowed` taken out as whole words only, so that an allowed "Email" leaves "e-bost" alone."""
    text = " ".join(text.split())
    # links and addresses first: taking an allowed value out of the middle of a link would leave the rest of the
    # link (a random token, which may hold "In" or "At") to be read as words
    text = re.sub(r"https?://\S+|\S+@\S+", " ", text)
    for value in (*allowed, *WELSH_LOOKALIKES):
        text = re.sub(r"(?<!\w)" + re.escape(value) + r"(?!\w)", " ", text)
    text = re.sub(r"\b[0-9a-f]{16,}\b", " ", text)
    left = [sentence for sentence in ENGLISH if sentence in text]
    assert not left, f"English in a Welsh email: {left}"
    words = sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS})
    assert not words, f"English words in a Welsh email: {words} in {text!r}"


@pytest.fixture
def welsh(app):
    client = PageClient(app)
    client.raw.set_cookie("portal_language", "cy")
    return client


def assert_welsh_page(html: str, allowed: tuple[str, ...] = ()) -> BeautifulSoup:
    """assert_welsh, with the forms' own words allowed (capforms) and the typed answers; without those, exactly it."""
    allowed = (*allowed, *TYPED)
    soup = check_page(html)
    assert soup.html["lang"] == "cy"
    assert_welsh_text(visible_text(html), tuple(sorted(set(allowed), key=len, reverse=True)))
    return soup


def page(client, url: str, status: int = 200, allowed: tuple[str, ...] = ()) -> BeautifulSoup:
    response = client.raw.get(url)
    assert response.status_code == status, (url, response.status_code)
    return assert_welsh_page(response.get_data(as_text=True), allowed)


def post(client, page_url: str, data: dict, url: str | None = None):
    token = csrf_from(client.raw.get(page_url).get_data(as_text=True))
    return client.raw.post(url or page_url, data={"csrf_token": token, **data})


def welsh_error_page(response) -> BeautifulSoup:
    """An error state in Welsh: GOV.UK's error summary and message words, the messages themselves included."""
    html = response.get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    messages = tuple(li.get_text(" ", strip=True) for li in soup.select(".govuk-error-summary__list li"))
    assert messages, "no error summary"
    soup = assert_welsh_page(html)
    assert soup.title.get_text().startswith("Gwall: ")
    assert soup.select_one(".govuk-error-summary__title").get_text(strip=True) == "Mae problem wedi codi"
    assert soup.select_one(".govuk-error-message .govuk-visually-hidden").get_text(strip=True) == "Gwall:"
    return soup


def answer_in_welsh(client, form_id: str, page_id: str, data: dict) -> str:
    url = f"/request/{form_id}/{page_id}"
    page(client, url)
    response = post(client, url, data)
    assert response.status_code == 302, (page_id, response.status_code)
    assert response.headers["Location"].endswith("?lang=cy") or "lang=cy&" in response.headers["Location"], \
        response.headers["Location"]
    return response.headers["Location"]


def welsh_answers(client, form_id: str, upto: str | None = None) -> None:
    """The form's happy path answered in Welsh, each page checked, up to (not including) the page `upto`."""
    for page_id, data in HAPPY_PATHS[form_id]:
        if page_id == upto:
            return
        answer_in_welsh(client, form_id, page_id, data)


def welsh_foi(client, upto: str | None = None) -> None:
    welsh_answers(client, "foi", upto)


def sent_in_welsh(app, client, services) -> Submission:
    welsh_foi(client)
    page(client, "/request/foi/check-answers")
    response = post(client, "/request/foi/check-answers", {})
    assert response.headers["Location"] == "/request/foi/confirm-email?lang=cy"
    code = CODE.search(services.mailer.sent[-1].body).group(1)
    response = post(client, "/request/foi/confirm-email", {"code": code})
    assert response.headers["Location"] == "/request/foi/confirmation?lang=cy"
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return session.scalars(select(Submission)).one()


# Pages -----------------------------------------------------------------------------------------

def test_the_list_of_forms_and_every_start_page_in_welsh(welsh):
    soup = page(welsh, "/request/")
    assert soup.h1.get_text(strip=True) == "Gwneud cais, cwyn neu ymholiad"
    for form_id in load_all():
        soup = page(welsh, f"/request/{form_id}")
        text = visible_text(str(soup))
        assert "Ffyrdd eraill o ofyn" in text and "Byddwn yn dileu eich atebion os na fyddwch" in text
        assert soup.select_one(".govuk-button--start").get_text(strip=True) == "Dechrau nawr"
        assert soup.select_one(".govuk-back-link").get_text(strip=True) == "Yn ôl"


def test_a_whole_foi_request_in_welsh(app, welsh, services):
    """Every question page, check answers, the code and its email, the confirmation and the acknowledgement."""
    services.clock.current = dt.datetime(2026, 12, 18, 10, 0, tzinfo=dt.timezone.utc)  # due Thu 21 Jan 2027
    welsh_foi(welsh)
    soup = page(welsh, "/request/foi/check-answers")
    assert soup.h1.get_text(strip=True) == "Gwiriwch eich atebion cyn anfon eich cais"
    assert {a.contents[0].strip() for a in soup.select(".govuk-summary-list__actions a")} == {"Newid"}
    dialog = soup.find("dialog")
    assert dialog.h2.get_text(strip=True) == "Mae eich sesiwn ar fin dod i ben"
    assert "Er mwyn diogelu eich gwybodaeth, byddwn yn dileu eich atebion ymhen 2 munud." in " ".join(
        dialog.get_text().split())

    response = post(welsh, "/request/foi/check-answers", {})
    assert response.headers["Location"] == "/request/foi/confirm-email?lang=cy"
    email = services.mailer.sent[-1]
    assert email.subject.endswith(" yw eich cod i gadarnhau eich cyfeiriad e-bost")
    assert "Bydd y cod yn dod i ben ymhen 15 munud." in email.body
    [confirm_link] = LINK.findall(email.body)
    assert confirm_link.startswith("http://127.0.0.1:5000/request/confirm/") and confirm_link.endswith("?lang=cy")
    assert_welsh_text(email.body, TYPED)

    soup = page(welsh, "/request/foi/confirm-email")
    assert soup.h1.get_text(strip=True) == "Gwiriwch eich e-bost"
    assert soup.select_one(".govuk-warning-text__text .govuk-visually-hidden").get_text(strip=True) == "Rhybudd"
    for typed, error in [("", "Rhowch y cod diogelwch"),
                         ("000000" if CODE.search(email.body).group(1) != "000000" else "111111",
                          "Nid yw’r cod diogelwch yn gywir")]:
        response = post(welsh, "/request/foi/confirm-email", {"code": typed})
        soup = welsh_error_page(response)
        assert soup.select_one(".govuk-error-summary__list").get_text(strip=True).startswith(error)

    response = post(welsh, "/request/foi/confirm-email", {"code": CODE.search(email.body).group(1)})
    assert response.headers["Location"] == "/request/foi/confirmation?lang=cy"
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        submission = session.scalars(select(Submission)).one()
    assert submission.language == "cy"
    assert submission.payload["received_at"] == "2026-12-18T10:00:00Z"  # the case system's data stays ISO
    assert submission.payload["due_date"] == "2027-01-21"

    soup = page(welsh, "/request/foi/confirmation", allowed=(submission.reference,))
    text = visible_text(str(soup))
    assert f"Eich cyfeirnod yw {submission.reference}" in text
    assert "Daeth i law ar 18 Rhagfyr 2026 am 10:00yb." in text
    assert ("Rhaid i ni ymateb erbyn 21 Ionawr 2027. Mae hynny’n 20 diwrnod gwaith, o dan Ddeddf Rhyddid Gwybodaeth "
            "2000, adran 10.") in text
    track = soup.find("a", string="olrhain eich cais")["href"]
    assert track.startswith("/request/track/") and track.endswith("?lang=cy")

    acknowledgement = services.mailer.sent[-1]
    assert acknowledgement.subject.startswith("Rydym wedi cael eich ") and submission.reference in acknowledgement.subject
    assert "Diolch am eich " in acknowledgement.body and "Beth ddywedoch wrthym:" in acknowledgement.body
    assert "Daeth i law ar 18 Rhagfyr 2026 am 10:00yb." in acknowledgement.body
    [track_link] = LINK.findall(acknowledgement.body)
    assert track_link.startswith("http://127.0.0.1:5000/request/track/") and track_link.endswith("?lang=cy")
    assert_welsh_text(acknowledgement.body, (*TYPED, submission.reference))


def test_question_pages_and_their_error_states_in_welsh(welsh):
    welsh_foi(welsh, upto="full-name")
    response = post(welsh, "/request/foi/full-name", {"full_name": ""})
    soup = welsh_error_page(response)
    buttons = [b.get_text(strip=True) for b in soup.select("main form .govuk-button")]
    assert buttons == ["Parhau", "Cadw a dod yn ôl yn nes ymlaen"]
    assert "Byddwn yn dileu eich atebion os na fyddwch yn gwneud unrhyw beth am 60 munud." in visible_text(str(soup))


def test_the_expired_and_link_pages_in_welsh(app, welsh, services):
    welsh_foi(welsh, upto="email-address")
    services.clock.advance(minutes=61)
    soup = page(welsh, "/request/foi/email-address", status=410)
    assert soup.h1.get_text(strip=True) == "Mae eich atebion wedi cael eu dileu"
    assert "Dechrau eto" in visible_text(str(soup))
    soup = page(welsh, "/request/confirm/not-a-token", status=410)
    assert soup.h1.get_text(strip=True) == "Mae’r ddolen hon wedi dod i ben neu wedi cael ei defnyddio’n barod"
    soup = page(welsh, "/request/resume/not-a-token", status=410)
    assert soup.h1.get_text(strip=True) == "Mae’r ddolen hon wedi dod i ben neu nid yw’n gweithio"


def test_the_emailed_confirmation_link_in_welsh(app, welsh, services):
    welsh_foi(welsh)
    post(welsh, "/request/foi/check-answers", {})
    [link] = LINK.findall(services.mailer.sent[-1].body)
    other = PageClient(app)  # another browser, with no language chosen: the link's ?lang=cy says it
    path = link.removeprefix("http://127.0.0.1:5000")
    soup = page(other, path)
    assert soup.h1.get_text(strip=True) == "Cadarnhewch eich cyfeiriad e-bost"
    response = post(other, path, {})
    assert response.status_code == 302
    # the first browser now learns it was sent
    soup = page(welsh, "/request/foi/check-answers", allowed=_references(app))
    assert soup.h1.get_text(strip=True) == "Rydych eisoes wedi anfon y cais hwn"


def _references(app) -> tuple[str, ...]:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return tuple(session.scalars(select(Submission.reference)))


def test_save_and_come_back_later_in_welsh(app, welsh, services):
    services.clock.current = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)
    welsh_foi(welsh, upto="request-description")
    soup = page(welsh, "/request/foi/save")
    assert soup.h1.get_text(strip=True) == "Cadw eich atebion a dod yn ôl yn nes ymlaen"
    assert "Byddwn yn cadw eich atebion am 28 diwrnod." in visible_text(str(soup))
    welsh_error_page(post(welsh, "/request/foi/save", {"email": "not an address"}))

    response = post(welsh, "/request/foi/save", {"email": "zoe@example.com"})
    assert response.headers["Location"] == "/request/foi/saved?lang=cy"
    soup = page(welsh, "/request/foi/saved")
    assert soup.h1.get_text(strip=True) == "Rydym wedi cadw eich atebion"
    text = visible_text(str(soup))
    assert "tan 29 Rhagfyr 2026 am 10:00yb" in text  # the date it is kept until, the Welsh way

    email = services.mailer.sent[-1]
    assert email.subject.startswith("Eich ") and "sydd wedi’i gadw" in email.subject
    assert "I barhau, agorwch y ddolen hon:" in email.body and "tan 29 Rhagfyr 2026 am 10:00yb." in email.body
    [link] = LINK.findall(email.body)
    assert link.startswith("http://127.0.0.1:5000/request/resume/") and link.endswith("?lang=cy")
    assert_welsh_text(email.body, TYPED)

    other = PageClient(app)  # resumed in another browser, from the link alone
    path = link.removeprefix("http://127.0.0.1:5000")
    soup = page(other, path)
    assert soup.h1.get_text(strip=True) == "Parhau â’ch cais sydd wedi’i gadw"
    response = post(other, path, {})
    code_path = response.headers["Location"]
    assert code_path.endswith("/code?lang=cy")
    code_email = services.mailer.sent[-1]
    assert code_email.subject.endswith(" yw eich cod i barhau â’ch cais")
    assert_welsh_text(code_email.body, TYPED)
    soup = page(other, code_path)
    assert soup.h1.get_text(strip=True) == "Gwiriwch eich e-bost"
    welsh_error_page(post(other, code_path, {"code": ""}))
    response = post(other, code_path, {"code": CODE.search(code_email.body).group(1)})
    assert response.headers["Location"] == "/request/foi/request-description?lang=cy"


def put_status(app, reference, body):
    return app.test_client().put(f"/api/v1/submissions/{reference}/status", json=body,
                                 headers=bearer(make_key(app, "submissions:status")))


def test_tracking_a_request_and_its_emails_in_welsh(app, welsh, services):
    services.clock.current = dt.datetime(2026, 12, 18, 10, 0, tzinfo=dt.timezone.utc)
    submission = sent_in_welsh(app, welsh, services)
    [link] = LINK.findall(services.mailer.sent[-1].body)
    path = link.removeprefix("http://127.0.0.1:5000")
    other = PageClient(app)  # from the acknowledgement, in any browser
    soup = page(other, path, allowed=(submission.reference,))
    text = visible_text(str(soup))
    assert "Wedi dod i law" in text and "Rhaid i ni ymateb erbyn 21 Ionawr 2027" in text
    assert "Anfonwyd ar 18 Rhagfyr 2026 am 10:00yb" in text

    response = post(other, path, {"emails": "yes"}, url=path.replace("?lang=cy", "/emails"))
    assert response.headers["Location"] == path
    soup = page(other, path, allowed=(submission.reference,))
    assert "Byddwn yn anfon e-bost atoch pan fydd statws eich cais yn newid." in visible_text(str(soup))

    # Progress, from the case system (in English): emailed in Welsh, the link with ?lang=cy
    assert put_status(app, submission.reference, {"status": "clarification_needed",
                                                  "message": "Which year do you mean?"}).status_code == 200
    progress = services.mailer.sent[-1]
    assert progress.subject.endswith(": Mae angen rhagor o wybodaeth arnom gennych")
    assert "Statws: Mae angen rhagor o wybodaeth arnom gennych" in progress.body
    assert "Mae Cyngor Enghreifftiol yn dweud:" in progress.body
    [progress_link] = LINK.findall(progress.body)
    assert progress_link.startswith("http://127.0.0.1:5000/request/track/") and progress_link.endswith("?lang=cy")
    assert_welsh_text(progress.body, (submission.reference, "Which year do you mean?"))
    soup = page(other, path, allowed=(submission.reference,))
    assert "Wedi’i oedi nes i chi ateb ein cwestiwn" in visible_text(str(soup))

    # Overdue: what the requester can do
    services.clock.current = dt.datetime(2027, 2, 1, 10, 0, tzinfo=dt.timezone.utc)
    put_status(app, submission.reference, {"status": "in_progress"})
    soup = page(other, path, allowed=(submission.reference,))
    text = visible_text(str(soup))
    assert "Dylem fod wedi ymateb erbyn 21 Ionawr 2027, 7 diwrnod gwaith yn ôl." in text
    assert "Swyddfa’r Comisiynydd Gwybodaeth" in text

    # Closed: the feedback questions, their error state, the thanks; and the closing email asks too
    assert put_status(app, submission.reference, {"status": "closed"}).status_code == 200
    closing = services.mailer.sent[-1]
    assert "Dywedwch wrthym a wnaethom ateb eich cwestiwn" in closing.body
    assert "?lang=cy#feedback" in closing.body
    assert_welsh_text(closing.body, (submission.reference,))
    soup = page(other, path, allowed=(submission.reference,))
    assert [label.get_text(strip=True) for label in soup.select("#feedback ~ div .govuk-radios__label")][:3] == [
        "Ie", "Yn rhannol", "Na"]
    feedback_url = path.replace("?lang=cy", "/feedback")
    response = post(other, path, {"answered_question": "", "satisfaction": "", "improve": "x" * 1201},
                    url=feedback_url)
    assert response.status_code == 400
    soup = welsh_error_page(response)
    assert "Rhaid i’ch awgrym fod yn 1,200 nod neu lai" in visible_text(str(soup))
    response = post(other, path, {"answered_question": "partly", "satisfaction": "4"}, url=feedback_url)
    soup = page(other, response.headers["Location"].split("#")[0], allowed=(submission.reference,))
    assert "Diolch am eich adborth" in visible_text(str(soup))


def test_the_feedback_email_of_a_request_not_followed_is_welsh(app, welsh, services):
    submission = sent_in_welsh(app, welsh, services)
    assert put_status(app, submission.reference, {"status": "closed"}).status_code == 200
    email = services.mailer.sent[-1]
    assert email.subject.endswith("wedi cau: dywedwch wrthym beth yw eich barn")
    assert email.body.startswith("Rydym wedi cau eich ")
    assert "?lang=cy#feedback" in email.body
    assert_welsh_text(email.body, (submission.reference,))


def test_tracking_by_reference_in_welsh(app, welsh, services):
    submission = sent_in_welsh(app, welsh, services)
    other = PageClient(app)
    other.raw.set_cookie("portal_language", "cy")
    soup = page(other, "/request/track")
    assert soup.h1.get_text(strip=True) == "Olrhain eich cais"
    soup = welsh_error_page(post(other, "/request/track", {"reference": "", "email": ""}))
    assert "Rhowch eich cyfeirnod, fel FOI-2026-7K4M-Q" in visible_text(str(soup))
    response = post(other, "/request/track", {"reference": submission.reference, "email": "zoe@example.com"})
    assert response.headers["Location"] == "/request/track/code?lang=cy"
    email = services.mailer.sent[-1]
    assert email.subject.endswith(" yw eich cod i olrhain eich cais")
    assert_welsh_text(email.body, (submission.reference,))
    page(other, "/request/track/code")
    soup = welsh_error_page(post(other, "/request/track/code", {"code": "12"}))
    assert "Nid yw’r cod diogelwch yn gywir" in visible_text(str(soup))
    response = post(other, "/request/track/code", {"code": CODE.search(email.body).group(1)})
    assert response.headers["Location"].startswith("/request/track/") and "lang=cy" in response.headers["Location"]


def test_an_english_request_keeps_its_emails_in_english_from_a_welsh_page(app, client, services):
    """The draft's language, not the page's: a request started in English and sent from a Welsh page gets its
    emails in English, with no ?lang in their links."""
    from tests.capture_helpers import fill, post as english_post

    fill(client, "foi")
    client.raw.set_cookie("portal_language", "cy")  # switched to Welsh before sending
    english_post(client, "/request/foi/check-answers", {})
    code_email = services.mailer.sent[-1]
    assert code_email.subject.endswith(" is your code to confirm your email address")
    assert "/request/confirm/" in code_email.body and "lang=" not in code_email.body
    response = english_post(client, "/request/foi/confirm-email", {"code": CODE.search(code_email.body).group(1)})
    assert response.headers["Location"] == "/request/foi/confirmation?lang=cy"  # the pages are Welsh
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        submission = session.scalars(select(Submission)).one()
    assert submission.language == "en"
    assert services.mailer.sent[-1].body.startswith("Thank you for your Freedom of Information request.")
    assert "lang=" not in services.mailer.sent[-1].body
    put_status(app, submission.reference, {"status": "closed"})
    assert services.mailer.sent[-1].body.startswith("We have closed your Freedom of Information request")


# The address finder and file uploads ---------------------------------------------------------

@pytest.fixture
def finder(services):
    services.addresses = FakeAddresses()
    services.postcodes.known["SG13 8EQ"] = PostcodeResult("SG13 8EQ", "East Hertfordshire", "Hertfordshire",
                                                          "England")


def test_the_address_finder_in_welsh(welsh, finder):
    welsh_answers(welsh, "eir", upto="postal-address")
    url = "/request/eir/postal-address"
    soup = page(welsh, url)
    assert [b.get_text(strip=True) for b in soup.select("main .govuk-button")][0] == "Dod o hyd i’r cyfeiriad"
    soup = welsh_error_page(post(welsh, url, {"action": "find", "address-lookup": ""}))
    response = post(welsh, url, {"action": "find", "address-lookup": "SW1A 2AA"})
    html = response.get_data(as_text=True)
    addresses = tuple(label.get_text(" ", strip=True) for label in
                      BeautifulSoup(html, "html.parser").select(".govuk-radios__label"))
    soup = assert_welsh_page(html, (*addresses, "SW1A 2AA"))
    assert re.search(r"Daethpwyd o hyd i \d+ cyfeiriad ar gyfer SW1A 2AA", visible_text(html))
    assert "newidiwch y cod post" in visible_text(html)
    soup = page(welsh, url + "?manual=1")
    assert soup.find("input", attrs={"name": "action", "value": "save"}) is not None


def test_file_upload_pages_and_messages_in_welsh(app, welsh, services):
    """SAR's proof of identity: the upload page, portal.uploads's messages, the files added."""
    welsh_answers(welsh, "sar", upto="identity")
    url = "/request/sar/identity"
    soup = page(welsh, url)
    assert soup.select_one(".govuk-file-upload").find_previous("label").get_text(strip=True) == "Dewiswch ffeil"
    assert "Rhaid i ffeiliau fod yn PDF, JPG, PNG, HEIC, DOCX, ODT neu TXT, ac yn llai na 20MB." in visible_text(str(soup))
    token = csrf_from(welsh.raw.get(url).get_data(as_text=True))
    response = welsh.raw.post(url, data={"csrf_token": token, "action": "upload",
                                         "identity": (io.BytesIO(b""), "passport.pdf")})
    soup = welsh_error_page(response)
    assert "Mae’r ffeil a ddewiswyd yn wag" in visible_text(str(soup))
    response = welsh.raw.post(url, data={"csrf_token": token, "action": "upload",
                                         "identity": (io.BytesIO(b"MZ\x90\x00 not a document"), "passport.pdf")})
    assert "Rhaid i’r ffeil a ddewiswyd fod yn PDF, JPG, PNG, HEIC, DOCX, ODT neu TXT" in visible_text(
        welsh_error_page(response).decode())
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = welsh.raw.post(url, data={"csrf_token": token, "action": "upload",
                                         "identity": (io.BytesIO(pdf), "passport.pdf")})
    assert response.status_code == 302
    soup = page(welsh, url, allowed=("passport.pdf",))
    text = visible_text(str(soup))
    assert "Ffeiliau wedi’u hychwanegu" in text and "Ffeil 1" in text and "Ychwanegu ffeil arall" in text


def test_the_upload_messages_follow_the_page(app):
    """portal.uploads: English where the code raises it, in the page's language when read."""
    from portal.uploads import EMPTY, TOO_LARGE, UploadRejected

    rejected = UploadRejected(TOO_LARGE, "too_large", size="20MB")
    assert str(rejected) == "The selected file must be smaller than 20MB"
    with app.test_request_context("/request/?lang=cy"):
        assert rejected.message == "Rhaid i’r ffeil a ddewiswyd fod yn llai na 20MB"
        assert str(UploadRejected(EMPTY, "empty")) == "Mae’r ffeil a ddewiswyd yn wag"
    with app.test_request_context("/api/v1/shares?lang=cy"):  # the API answers in English
        assert rejected.message == "The selected file must be smaller than 20MB"


def test_the_due_sentences_in_welsh(app):
    from capture import service
    from capture.deadlines import STATUTORY_RULES, DueDateRule

    assert STATUTORY_RULES["sar"].description == "one calendar month, under UK GDPR, Article 12(3)"
    with app.test_request_context("/?lang=cy"):
        assert STATUTORY_RULES["sar"].in_words() == "un mis calendr, o dan GDPR y DU, Erthygl 12(3)"
        assert STATUTORY_RULES["eir"].length_in_words() == "20 diwrnod gwaith"
        assert DueDateRule("working_days", 2, "our policy").in_words() == "2 diwrnod gwaith, o dan our policy"
        assert service.link_language(app.config["PORTAL_SETTINGS"], "cy") == "cy"
        assert service.link_language(app.config["PORTAL_SETTINGS"], "en") is None


def test_a_draft_takes_the_language_of_the_page_it_starts_on(app, welsh):
    answer_in_welsh(welsh, "foi", "about-you", ANSWERS["about-you"])
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalars(select(Draft.language)).one() == "cy"


def test_before_you_ask_and_the_published_responses_in_welsh(app, welsh):
    from tests.unit.test_capture_before_you_ask import DESCRIPTION, PUBLISHED, publish

    publish(app)
    welsh_foi(welsh, upto="request-description")
    soup = page(welsh, "/request/foi/request-description")
    text = visible_text(str(soup))
    assert ("efallai y byddwn yn gwrthod eich cais am y gallwch ei chael mewn ffordd arall (adran 21 o Ddeddf Rhyddid "
            "Gwybodaeth 2000).") in text
    assert "Chwilio ymatebion sydd wedi’u cyhoeddi (yn agor mewn tab newydd) cyn i chi ofyn." in text
    response = post(welsh, "/request/foi/request-description", {"description": DESCRIPTION})
    location = response.headers["Location"]
    assert location == "/request/foi/request-description/published-responses?lang=cy"
    titles = tuple(title for _reference, title in PUBLISHED)  # the Disclosure Log's entries, as published
    soup = page(welsh, location, allowed=(*titles, DESCRIPTION))
    assert soup.h1.get_text(strip=True) == "Efallai y bydd yr ymatebion hyn sydd wedi’u cyhoeddi yn ateb eich cwestiwn"
    text = visible_text(str(soup))
    assert "(yn agor mewn tab newydd)" in text and "FOI-2025-0101, cyhoeddwyd 1 Ebrill 2025" in text
    assert soup.select_one("main form .govuk-button").get_text(strip=True) == "Parhau â’m cais"
