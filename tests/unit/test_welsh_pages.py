"""Every shell and Secure Share page, state and email in Welsh, with nothing left in English.

A Welsh page fails when its visible text holds a sentence from the English catalogues (a string translated in
the catalogue but shown untranslated) or common English words (a string never put in the catalogue at all).
Not counted: text marked lang="en" (the switcher's "English"), and names and titles the case system sent (<bdi>).
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from secure_share import link_email, service, signing_in
from secure_share.models import Share
from tests.pages import check_page
from tests.share_helpers import change, csrf_from, make_share, pdf
from tests.unit.test_shell import erroring_app  # noqa: F401 - a fixture: /__test/abort/<code>, /__test/crash, ...
from tests.unit.test_translations import CATALOGUES, ROOT

pytestmark = pytest.mark.usefixtures("no_rate_limits")

WELSH_CODE = re.compile(r"\b(\d{6}) yw eich cod diogelwch")
# Words of English that Welsh text does not use: one on a Welsh page is an English string nobody translated.
ENGLISH_WORDS = {"the", "you", "your", "and", "we", "our", "this", "with", "have", "has", "will", "for", "not", "are",
                 "from", "that", "been", "when", "what", "who", "if", "there", "they", "their", "them", "is", "of",
                 "to", "in", "on", "it", "by", "or", "an", "be"}
WELSH_LOOKALIKES = ("y We",)  # "the Web" in Welsh (Canllawiau Hygyrchedd Cynnwys y We)
PLACEHOLDER_OR_TAG = re.compile(r"%\(\w+\)[sd]|%\{\w+\}|<[^>]+>")


def english_sentences() -> list[str]:
    """Pieces of at least three words of every English message, between its placeholders and tags."""
    pieces = set()
    for folder in CATALOGUES:
        with (ROOT / folder / "messages.pot").open("rb") as handle:
            for message in read_po(handle):
                for text in ([message.id] if isinstance(message.id, str) else message.id):
                    for piece in PLACEHOLDER_OR_TAG.split(text or ""):
                        if len(piece.split()) >= 3:
                            pieces.add(" ".join(piece.split()).strip(" ,.:;()"))
    return sorted(pieces)


ENGLISH = english_sentences()


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "bdi"]):
        element.decompose()
    for element in soup.find_all(lang=True):
        if element.name != "html" and element["lang"] != "cy":
            element.decompose()
    return " ".join(soup.get_text(" ").split())


def assert_welsh(html: str, *, allowed: tuple[str, ...] = ()) -> BeautifulSoup:
    """A GOV.UK page (tests.pages.check_page) in Welsh, with no English left; `allowed`: text the case system or
    the settings gave (a name, an address), taken out first."""
    soup = check_page(html)
    assert soup.html["lang"] == "cy"
    text = visible_text(html)
    for value in (*allowed, *WELSH_LOOKALIKES):
        text = text.replace(value, " ")
    text = re.sub(r"\b[0-9a-f]{16,}\b", " ", text)  # a request id or code: its letters ("be" in "3be6") are no words
    left = [sentence for sentence in ENGLISH if sentence in text]
    assert not left, f"English on a Welsh page: {left}"
    words = sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS})
    assert not words, f"English words on a Welsh page: {words} in {text!r}"
    return soup


def test_the_leak_check_can_fail(client):
    with pytest.raises(AssertionError, match="English on a Welsh page"):
        assert_welsh(client.raw.get("/?lang=en").get_data(as_text=True).replace('lang="en"', 'lang="cy"'))


@pytest.fixture
def welsh(client):
    client.raw.set_cookie("portal_language", "cy")
    return client


@pytest.mark.parametrize("url", ["/", "/accessibility-statement", "/cookies", "/privacy"])
def test_shell_pages_in_welsh(welsh, url):
    soup = assert_welsh(welsh.raw.get(url).get_data(as_text=True))
    assert soup.find(class_="govuk-skip-link").get_text(strip=True) == "Neidio i’r prif gynnwys"
    assert soup.find(class_="govuk-phase-banner").get_text(" ", strip=True).startswith("Beta Gwasanaeth newydd yw hwn")
    assert soup.find("section", class_="govuk-service-navigation")["aria-label"] == "Gwybodaeth am y gwasanaeth"
    assert soup.select_one(".govuk-footer__meta h2").get_text(strip=True) == "Cysylltiadau cymorth"
    assert "© Cyngor Enghreifftiol" in soup.find(class_="govuk-footer").get_text()  # the body's name in Welsh
    assert soup.title.get_text().endswith(" - Porth gwasanaethau cyhoeddus - Cyngor Enghreifftiol")


def test_the_statement_gives_its_dates_the_welsh_way(welsh):
    assert "Cafodd y datganiad hwn ei baratoi ar 23 Tachwedd 2026" in visible_text(
        welsh.raw.get("/accessibility-statement").get_data(as_text=True))


@pytest.mark.parametrize(("code", "title"), [
    (400, "Mae’n ddrwg gennym, mae problem gyda’ch cais"),
    (403, "Nid oes gennych ganiatâd i weld y dudalen hon"),
    (410, "Nid yw’r dudalen hon ar gael mwyach"),
    (413, "Mae’r ffeil neu’r ffurflen a anfonwyd gennych yn rhy fawr"),
    (429, "Mae’n ddrwg gennym, bu gormod o ymdrechion"),
    (503, "Mae’n ddrwg gennym, nid yw’r gwasanaeth ar gael"),
])
def test_error_pages_in_welsh(erroring_app, welsh, code, title):
    response = welsh.raw.get(f"/__test/abort/{code}")
    assert response.status_code == code
    assert assert_welsh(response.get_data(as_text=True)).h1.get_text(strip=True) == title


def test_not_found_and_server_error_pages_in_welsh(erroring_app, welsh):
    erroring_app.config["PROPAGATE_EXCEPTIONS"] = False
    assert assert_welsh(welsh.raw.get("/no-such-page").get_data(as_text=True)).h1.get_text(strip=True) == (
        "Heb ddod o hyd i’r dudalen")
    response = welsh.raw.get("/__test/crash")
    soup = assert_welsh(response.get_data(as_text=True), allowed=(response.headers["X-Request-Id"],))
    assert soup.h1.get_text(strip=True) == "Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth"
    assert f"gan nodi’r cod gwall {response.headers['X-Request-Id']}" in visible_text(response.get_data(as_text=True))


def test_the_csrf_page_in_welsh_offers_to_send_the_answers_again(erroring_app, welsh):
    response = welsh.raw.post("/__test/form", data={"answer": "Ada"})
    soup = assert_welsh(response.get_data(as_text=True))
    assert soup.h1.get_text(strip=True) == "Mae’n ddrwg gennym, nid oeddem yn gallu anfon eich atebion"
    assert soup.find("button").get_text(strip=True) == "Parhau"


def test_the_rate_limit_page_says_the_wait_in_welsh(app, welsh):
    from portal.errors import page

    with app.test_request_context("/?lang=cy"):
        from portal.dates import minutes_to_wait

        assert minutes_to_wait(dt.timedelta(minutes=4)) == "4 munud"
        assert minutes_to_wait(dt.timedelta(hours=2)) == "1 awr"
        html, status = page(429, paragraphs=["Er mwyn diogelu’r gwasanaeth, mae angen i chi aros 4 munud."])
    assert status == 429 and assert_welsh(html)


# Secure Share --------------------------------------------------------------------------------

REFERENCE = "SAR-2026-000123"


@pytest.fixture
def share(app, services):
    return make_share(app, services, [("John Smith medical records.pdf", pdf(3000)), ("Letter.pdf", pdf(2000, 2))],
                      message="Here are the documents you asked for.", reference=REFERENCE)


def welsh_page(client, url: str, status: int = 200, **allowed) -> BeautifulSoup:
    response = client.raw.get(url)
    assert response.status_code == status, (url, response.status_code)
    return assert_welsh(response.get_data(as_text=True), allowed=tuple(allowed.values()))


def post(client, page_url: str, url: str, data: dict | None = None):
    token = csrf_from(client.raw.get(page_url).get_data(as_text=True))
    return client.raw.post(url, data={"csrf_token": token, **(data or {})})


def welsh_sign_in(client, share, mailer) -> None:
    response = post(client, share.url, f"{share.url}/code")
    assert response.headers["Location"] == f"{share.url}/code?lang=cy"
    code = WELSH_CODE.search(mailer.sent[-1].subject).group(1)
    response = post(client, f"{share.url}/code", f"{share.url}/sign-in", {"code": code})
    assert response.headers["Location"] == f"{share.url}/files?lang=cy"


def test_a_requester_gets_their_documents_in_welsh(app, welsh, services, share):
    soup = welsh_page(welsh, share.url)
    assert soup.h1.get_text(strip=True) == "Cael y dogfennau a anfonodd Cyngor Enghreifftiol atoch"
    assert "Byddwn yn anfon cod diogelwch i j***@example.com drwy e-bost. Mae’r cod yn gweithio am 15 munud." in \
        visible_text(str(soup))

    post(welsh, share.url, f"{share.url}/code")
    email = services.mailer.sent[-1]
    assert WELSH_CODE.search(email.subject)
    assert "yw eich cod diogelwch i gael y dogfennau y mae Cyngor Enghreifftiol wedi’u hanfon atoch" in email.body
    assert "Bydd y cod yn dod i ben ymhen 15 munud." in email.body
    soup = welsh_page(welsh, f"{share.url}/code")
    assert soup.h1.get_text(strip=True) == "Gwiriwch eich e-bost"

    for typed, error in [("", "Rhowch y cod diogelwch"), ("12", "Rhaid i’r cod diogelwch fod yn 6 rhif"),
                         ("000000", "Nid yw’r cod diogelwch yn gywir")]:
        response = post(welsh, f"{share.url}/code", f"{share.url}/sign-in", {"code": typed})
        soup = assert_welsh(response.get_data(as_text=True))
        assert soup.title.get_text().startswith("Gwall: Gwiriwch eich e-bost")
        assert soup.select_one(".govuk-error-summary__title").get_text(strip=True) == "Mae problem wedi codi"
        assert soup.select_one(".govuk-error-summary__list").get_text(strip=True).startswith(error)
        assert soup.select_one(".govuk-error-message .govuk-visually-hidden").get_text(strip=True) == "Gwall:"
    assert "Gallwch geisio 4 gwaith eto" in visible_text(response.get_data(as_text=True))

    code = WELSH_CODE.search(services.mailer.sent[-1].subject).group(1)
    response = post(welsh, f"{share.url}/code", f"{share.url}/sign-in", {"code": code})
    assert response.headers["Location"] == f"{share.url}/files?lang=cy"

    soup = welsh_page(welsh, f"{share.url}/files", allowed="Here are the documents you asked for.")
    text = visible_text(str(soup))
    assert soup.h1.get_text(strip=True) == "Y dogfennau a anfonodd Cyngor Enghreifftiol atoch"
    assert "Mae gennych 30 diwrnod ar ôl i lawrlwytho eich dogfennau." in text
    assert re.search(r"Bydd y dogfennau’n cael eu dileu o’r dudalen hon ar \d+ \w+ 2026 am \d+:\d\d(yb|yh)", text)
    assert "Lawrlwytho’r cyfan (ZIP," in text
    dialog = soup.find("dialog")
    assert dialog.h2.get_text(strip=True) == "Rydych ar fin cael eich allgofnodi"
    assert dialog.find("strong", attrs={"data-countdown": True}).get_text(strip=True) == "2 munud"

    download = welsh.raw.get(f"{share.url}/files/{share.documents[0]}")
    assert download.status_code == 200 and download.get_data() == share.data[share.documents[0]]  # all sent
    download.close()
    soup = welsh_page(welsh, f"{share.url}/history")
    rows = [[cell.get_text(" ", strip=True) for cell in row.find_all("td")] for row in soup.select("tbody tr")]
    what = [row[1] for row in rows]
    assert "Wedi lawrlwytho John Smith medical records (PDF) (2.9KB)" in what  # the title is the case system's
    assert "Anfonodd Cyngor Enghreifftiol ddolen atoch" in what and "Wedi mewngofnodi" in what
    assert {row[2] for row in rows} <= {"Porwr anhysbys", "Amherthnasol"}  # the test client names no browser
    assert all(re.fullmatch(r"\d+ \w+ 2026 am (\d+:\d\d(yb|yh)|hanner dydd|hanner nos)", row[0]) for row in rows)
    assert soup.select_one(".govuk-back-link").get_text(strip=True) == "Yn ôl"

    soup = welsh_page(welsh, f"{share.url}/remove")
    assert soup.h1.get_text(strip=True) == "Ydych chi’n siŵr eich bod eisiau dileu’r dogfennau hyn?"
    assert "Rhybudd" in soup.find(class_="govuk-warning-text").get_text()
    response = post(welsh, f"{share.url}/remove", f"{share.url}/remove")
    assert response.headers["Location"] == f"{share.url}/removed?lang=cy"
    soup = welsh_page(welsh, f"{share.url}/removed", reference=REFERENCE)
    assert soup.find(class_="govuk-panel__title").get_text(strip=True) == "Mae eich dogfennau wedi cael eu dileu"
    soup = welsh_page(welsh, share.url, status=410, reference=REFERENCE)
    assert soup.h1.get_text(strip=True) == "Mae’r dogfennau hyn wedi cael eu dileu"


def test_signing_out_and_timing_out_in_welsh(app, welsh, services, share):
    welsh_sign_in(welsh, share, services.mailer)
    response = post(welsh, f"{share.url}/files", f"{share.url}/sign-out")
    assert response.headers["Location"] == f"{share.url}/signed-out?lang=cy"
    assert welsh_page(welsh, f"{share.url}/signed-out").h1.get_text(strip=True) == "Rydych wedi allgofnodi"

    welsh_sign_in(welsh, share, services.mailer)
    services.clock.advance(minutes=31)
    soup = welsh_page(welsh, f"{share.url}/timed-out")
    assert soup.h1.get_text(strip=True) == "Er eich diogelwch, rydym wedi eich allgofnodi"
    assert "am nad oeddech wedi gwneud unrhyw beth am 30 munud" in visible_text(str(soup))


def test_code_states_in_welsh(app, welsh, services, share):
    post(welsh, share.url, f"{share.url}/code")
    post(welsh, share.url, f"{share.url}/code")  # at once again: the code just sent is the one to use
    soup = welsh_page(welsh, f"{share.url}/code")
    banner = soup.find(class_="govuk-notification-banner")
    assert banner.find(class_="govuk-notification-banner__title").get_text(strip=True) == "Pwysig"
    assert re.search(r"Gwnaethom anfon cod diogelwch atoch am (\d+:\d\d(yb|yh)|hanner dydd|hanner nos)\.",
                     banner.get_text(" ", strip=True))
    services.clock.advance(minutes=16)
    soup = welsh_page(welsh, f"{share.url}/code")
    assert soup.h1.get_text(strip=True) == "Mae eich cod diogelwch wedi dod i ben"
    post(welsh, f"{share.url}/code", f"{share.url}/code")
    soup = welsh_page(welsh, f"{share.url}/code")
    assert soup.find(class_="govuk-notification-banner__title").get_text(strip=True) == "Llwyddiant"
    for _ in range(signing_in.CODE_ATTEMPTS):
        post(welsh, f"{share.url}/code", f"{share.url}/sign-in", {"code": "000000"})
    assert welsh_page(welsh, f"{share.url}/code").h1.get_text(strip=True) == (
        "Rydych wedi rhoi’r cod anghywir ormod o weithiau")


def test_too_many_codes_in_welsh(app, welsh, services, share):
    for _ in range(signing_in.CODE_EMAILS_AT_ONCE):
        post(welsh, share.url, f"{share.url}/code")
        services.clock.advance(seconds=61)  # past "just sent": each ask sends a code
    for _ in range(signing_in.CODE_ATTEMPTS):  # the newest code used up: nothing left to point to
        post(welsh, f"{share.url}/code", f"{share.url}/sign-in", {"code": "000000"})
    response = post(welsh, share.url, f"{share.url}/code")
    assert response.status_code == 429
    soup = assert_welsh(response.get_data(as_text=True))
    assert soup.h1.get_text(strip=True) == "Rydych wedi gofyn am ormod o godau diogelwch"
    assert re.search(r"Arhoswch \d+ munud, yna defnyddiwch y ddolen", visible_text(str(soup)))


@pytest.mark.parametrize(("close", "status", "title"), [
    (lambda s, share, now: service.revoke(s, share, now), 410, "Mae’r ddolen hon wedi cael ei chanslo"),
    (lambda s, share, now: signing_in.lock(s, share, now), 403, "Mae’r ddolen hon wedi cael ei chloi"),
    (lambda s, share, now: setattr(share, "expires_at", now - dt.timedelta(minutes=1)), 410,
     "Nid yw’r dogfennau hyn ar gael mwyach"),
])
def test_closed_links_in_welsh(app, welsh, services, share, close, status, title):
    change(app, share.id, lambda s, row: close(s, row, services.clock.now()))
    soup = welsh_page(welsh, share.url, status=status)
    assert soup.h1.get_text(strip=True) == title


def test_a_link_that_does_not_work_in_welsh(welsh):
    soup = welsh_page(welsh, "/documents/not-a-real-link", status=404)
    assert soup.h1.get_text(strip=True) == "Nid yw’r ddolen hon yn gweithio"


def test_devices_are_kept_in_english_and_shown_in_welsh(app):
    from secure_share.devices import device_in_words

    assert device_in_words("Chrome on a Windows computer", "en") == "Chrome on a Windows computer"
    with app.test_request_context("/?lang=cy"):
        assert device_in_words("Chrome on a Windows computer", "cy") == "Chrome ar gyfrifiadur Windows"
        assert device_in_words("Safari on an iPhone", "cy") == "Safari ar iPhone"
        assert device_in_words("Firefox on FreeBSD", "cy") == "Firefox ar FreeBSD"
        assert device_in_words("An unknown browser", "cy") == "Porwr anhysbys"
        assert device_in_words("An unknown browser on a Mac", "cy") == "Porwr anhysbys ar Mac"


# Emails in the requester's language -------------------------------------------------------------

def shares_email(app, share_id: str, kind: str, language: str):
    with app.test_request_context("/"), app.extensions["portal.db"].sessionmaker() as session:
        row = session.get(Share, share_id)
        settings = app.config["PORTAL_SETTINGS"]
        link = service.link_for(settings, row, language)
        if kind == "link":
            return link_email.link_email(row, link, settings, language)
        if kind == "reminder":
            return link_email.reminder_email(row, link, settings, row.expires_at - dt.timedelta(days=2), language)
        return link_email.locked_email(row, settings, language)


@pytest.mark.parametrize("kind", ["link", "reminder", "locked"])
def test_share_emails_in_welsh(app, share, kind):
    email = shares_email(app, share.id, kind, "cy")
    text = email.subject + " " + email.body.replace("Here are the documents you asked for.", "")
    text = re.sub(r"https?://\S+", " ", text)  # the link's random token may hold "Is" or "In"
    words = {w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS}
    assert not words, f"English in the Welsh {kind} email: {words}"
    assert email.body.startswith("Annwyl Jane Smith,")
    if kind != "locked":
        assert "?lang=cy" in email.body  # the link opens the pages in Welsh
        assert re.search(r"\d+ \w+ 2026 am (\d+:\d\d(yb|yh)|hanner dydd|hanner nos)", email.body)
    english = shares_email(app, share.id, kind, "en")
    assert english.body.startswith("Dear Jane Smith,") and "?lang=" not in english.body


def test_a_share_in_welsh_from_the_api_gets_its_link_and_reminder_in_welsh(app, services):
    from tests.share_api_helpers import ShareApi, links_in

    api = ShareApi(app)
    share = api.sent(language="cy")
    assert share["language"] == "cy"
    email = services.mailer.sent[-1]
    assert email.subject == f"Eich dogfennau (Cyngor Enghreifftiol): cyfeirnod {share['case_reference']}"
    [link] = links_in(services.mailer)
    assert link.endswith("?lang=cy")
    assert api.create()["language"] == "en"  # none given: the body's default
    response = api.call("POST", "/shares", json={"case_reference": "X-1", "recipient_name": "A", "language": "fr",
                                                 "recipient_email": "a@example.com"})
    assert response.status_code == 422 and response.json["field"] == "language"

    from secure_share.jobs import send_reminders

    services.clock.advance(days=28)
    with app.app_context():
        assert share["id"] in send_reminders.call_local()
    reminder = services.mailer.sent[-1]
    assert reminder.subject.startswith("Nodyn atgoffa: lawrlwythwch y dogfennau a anfonodd Cyngor Enghreifftiol")


def test_the_share_language_counts_only_while_welsh_is_offered(tmp_path, services):
    from tests.conftest import migrated_app
    from tests.share_api_helpers import ShareApi

    app = migrated_app(tmp_path, services, welsh_offered=False)
    share = ShareApi(app).sent(language="cy")
    assert share["language"] == "en" and services.mailer.sent[-1].body.startswith("Dear Jane Citizen,")
    app.extensions["portal.db"].dispose()


def test_a_welsh_body_sends_shares_in_welsh_by_default(tmp_path, services):
    from tests.conftest import migrated_app
    from tests.share_api_helpers import ShareApi, links_in

    app = migrated_app(tmp_path, services, default_language="cy")
    share = ShareApi(app).sent()
    assert share["language"] == "cy" and services.mailer.sent[-1].body.startswith("Annwyl Jane Citizen,")
    assert "?lang=" not in links_in(services.mailer)[-1]  # the default language needs no ?lang
    app.extensions["portal.db"].dispose()


def test_catalogue_folders_exist():
    assert all((ROOT / folder / "cy" / "LC_MESSAGES" / "messages.po").exists() for folder in CATALOGUES)
    assert Path(ROOT / "babel.cfg").exists()


def test_a_crown_bodys_footer_keeps_crown_copyright_in_welsh(tmp_path, services):
    from tests.conftest import migrated_app

    app = migrated_app(tmp_path, services, copyright_notice="© Crown copyright")
    soup = assert_welsh(app.test_client().get("/?lang=cy").get_data(as_text=True))
    assert soup.select_one(".govuk-footer__copyright-logo").get_text(strip=True) == "© Hawlfraint y Goron"
