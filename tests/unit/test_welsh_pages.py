"""Every shell page and state in Welsh, with nothing left in English.

A Welsh page fails when its visible text holds a sentence from the English catalogues (a string translated in
the catalogue but shown untranslated) or common English words (a string never put in the catalogue at all).
Not counted: text marked lang="en" (the switcher's "English"), and names and titles the case system sent (<bdi>).
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from tests.pages import check_page
from tests.unit.test_shell import erroring_app  # noqa: F401 - a fixture: /__test/abort/<code>, /__test/crash, ...
from tests.unit.test_translations import CATALOGUES, ROOT

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
    assert "© Hawlfraint y Goron" in soup.find(class_="govuk-footer").get_text()
    assert soup.title.get_text().endswith(" - Porth gwasanaethau cyhoeddus - GOV.UK")


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
