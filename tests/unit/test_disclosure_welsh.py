"""The Disclosure Log in Welsh: every page and state with no English left but the entries' own published text
(marked lang="en"), entries' own Welsh versions shown, marked and searchable, and alert emails in the
subscriber's language."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.disclosure_helpers import found
from tests.disclosure_helpers import api, corpus  # noqa: F401 - fixtures
from tests.pages import PageClient
from tests.unit.test_disclosure_alerts import PERSON, alert_emails, link, run_alerts
from tests.unit.test_welsh_pages import ENGLISH_WORDS, assert_welsh, visible_text

pytestmark = pytest.mark.usefixtures("no_rate_limits")

WELSH = {"title": "Atgyweirio tyllau yn y ffordd yn Hertford",
         "request": "Sawl twll yn y ffordd a gafodd ei atgyweirio y llynedd?"}
TITLE = "Pothole repairs in Hertford"  # the helpers' default entry, in English


@pytest.fixture
def welsh(client) -> PageClient:
    client.raw.set_cookie("portal_language", "cy")
    return client


def welsh_page(client: PageClient, url: str, status: int = 200, allowed: tuple[str, ...] = ()) -> BeautifulSoup:
    response = client.raw.get(url)
    assert response.status_code == status, (url, response.status_code)
    return assert_welsh(response.get_data(as_text=True), allowed=allowed)


def english_words(text: str) -> set[str]:
    """English words in an email's text, its links left out (a random token can hold "to" or "in")."""
    text = re.sub(r"https?://\S+", "", text)
    return {w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH_WORDS}


# Search ------------------------------------------------------------------------------------------

def test_the_search_page_with_results_is_welsh_and_marks_english_entries(welsh, corpus):
    corpus.publish("FOI-103", title="Pothole repairs in Hertford", category="Highways", welsh=WELSH)
    soup = welsh_page(welsh, "/disclosure-log?q=pothole")
    assert soup.h1.get_text(strip=True) == "Chwilio ymatebion a gyhoeddwyd"
    assert soup.find(id="results-count").get_text(strip=True) == "2 canlyniad"
    titles = {a.get_text(strip=True): a.get("lang") for a in soup.select("li.app-result h3 a")}
    assert titles == {WELSH["title"]: None, "Pothole claims in Ware": "en"}  # its own Welsh version, unmarked
    meta = soup.select_one("li.app-result .app-result__meta").get_text(" ", strip=True)
    assert "Wedi’i rhyddhau’n" in meta and re.search(r"Cyhoeddwyd \d+ \w+ 20\d\d", meta)
    assert soup.select_one(".app-result__topic span")["lang"] == "en"  # a category is the entry's own words
    snippets = soup.select(".app-result__snippet > span[lang]")
    assert snippets and all(span["lang"] == "en" for span in snippets)  # the English responses' words
    labels = [label.get_text(strip=True) for label in soup.select("input[name=outcome] + label")]
    assert "Wedi’i rhyddhau’n rhannol (1)" in labels  # outcomes shown in Welsh, their values kept
    assert {i["value"] for i in soup.select("input[name=outcome]")} >= {"Partially released"}
    assert soup.find("a", string="Cael negeseuon e-bost am ymatebion newydd sy’n cyfateb i’r chwiliad hwn")


def test_filters_pages_and_sort_in_welsh(welsh, corpus):
    soup = welsh_page(welsh, "/disclosure-log?category=Highways&outcome=Released+in+full&per_page=50&sort=newest")
    text = visible_text(str(soup))
    assert "Wedi’u hidlo yn ôl:" in text and "Dileu’r hidlydd Categori: Highways" in text
    assert "Dileu’r hidlydd Canlyniad: Wedi’i rhyddhau’n llawn" in text and "Clirio pob hidlydd" in text
    assert soup.find("label", attrs={"for": "sort"}).get_text(strip=True) == "Trefnu yn ôl"


def test_pages_of_results_in_welsh(welsh, api):
    for n in range(25):
        api.publish(f"FOI-{300 + n}", title=f"Entry {n}")
    soup = welsh_page(welsh, "/disclosure-log?page=2", allowed=tuple(f"Entry {n}" for n in range(25)))
    assert soup.title.get_text().startswith("Chwilio ymatebion a gyhoeddwyd (tudalen 2 o 2)")
    assert soup.select_one(".govuk-pagination")["aria-label"] == "Tudalennau canlyniadau"
    assert soup.select_one(".govuk-pagination__prev").get_text(" ", strip=True) == "Blaenorol (tudalen)"
    assert "Yn dangos 21 i 25" in soup.find(id="results-count").get_text()
    back = soup.select_one(".govuk-pagination__prev a")["href"]  # a link keeps the search and the language
    assert parse_qs(urlsplit(back).query) == {"lang": ["cy"]}  # page 1, no words: only the language
    soup = welsh_page(welsh, "/disclosure-log?q=entry&category=Highways&page=2", allowed=tuple(f"Entry {n}" for n in range(25)))
    for href in [soup.select_one(".govuk-pagination__prev a")["href"], soup.select_one("li.app-result h3 a")["href"],
                 *(a["href"] for a in soup.select(".app-selected-filters a"))]:
        query = parse_qs(urlsplit(href).query)
        assert query.get("lang") == ["cy"] and "cy?" not in href, href
    entry = welsh.raw.get(soup.select_one("li.app-result h3 a")["href"]).get_data(as_text=True)
    back_link = BeautifulSoup(entry, "html.parser").select_one(".govuk-back-link")["href"]
    assert parse_qs(urlsplit(back_link).query) == {"lang": ["cy"], "q": ["entry"], "category": ["Highways"],
                                                   "page": ["2"]}


def test_no_results_and_an_empty_log_in_welsh(welsh, corpus):
    soup = welsh_page(welsh, "/disclosure-log?q=zebra&category=Highways")
    text = visible_text(str(soup))
    assert "Nid oes unrhyw ymatebion a gyhoeddwyd yn cyfateb i’ch chwiliad." in text
    assert "dileu rhai hidlyddion" in text and soup.find("a", string=re.compile("Gwneud cais"))


def test_the_empty_log_in_welsh(welsh):
    text = visible_text(str(welsh_page(welsh, "/disclosure-log")))
    assert "Nid oes unrhyw ymatebion wedi cael eu cyhoeddi eto." in text


@pytest.mark.parametrize(("query", "error"), [
    ("from-day=31&from-month=2&from-year=2025", "Rhaid i’r dyddiad ‘Cyhoeddwyd o’ fod yn ddyddiad go iawn"),
    ("to-month=2", "Rhaid i’r dyddiad ‘Cyhoeddwyd hyd at’ gynnwys diwrnod a blwyddyn"),
    ("from-day=1&from-month=2&from-year=2025&to-day=1&to-month=1&to-year=2025",
     "Rhaid i’r dyddiad ‘Cyhoeddwyd hyd at’ fod yr un fath â’r dyddiad ‘Cyhoeddwyd o’ neu ar ei ôl"),
])
def test_date_errors_in_welsh(welsh, corpus, query, error):
    soup = welsh_page(welsh, f"/disclosure-log?{query}")
    assert soup.title.get_text().startswith("Gwall: ")
    assert soup.select_one(".govuk-error-summary__title").get_text(strip=True) == "Mae problem wedi codi"
    assert soup.select_one(".govuk-error-summary__list").get_text(strip=True) == error
    assert "Cywirwch y dyddiadau i ddilyn neu lawrlwytho’r canlyniadau hyn." in visible_text(str(soup))
    feed = welsh.raw.get(f"/disclosure-log.atom?{query}")  # a feed of dates that are not real: a Welsh page
    assert feed.status_code == 400
    assert assert_welsh(feed.get_data(as_text=True)).h1.get_text(strip=True) == "Gwiriwch y dyddiadau yn eich chwiliad"


def test_the_one_letter_prefix_and_long_query_notices_in_welsh(welsh, corpus):
    text = visible_text(str(welsh_page(welsh, "/disclosure-log?q=p*+" + "x" * 600, allowed=("x" * 500,))))
    assert "Roedd eich chwiliad yn rhy hir, felly dim ond am ei 500 nod cyntaf y gwnaethom chwilio." in text
    assert "Byddai * ar ôl un llythyren yn cyfateb i bron bob gair" in text


def test_other_forms_of_a_word_in_welsh(welsh, corpus):
    soup = welsh_page(welsh, "/disclosure-log?q=repair")
    line = " ".join(soup.find(id="as-typed").get_text().split())
    assert line == ("Mae’r canlyniadau hyn yn cynnwys ffurfiau eraill ar 'repair', fel 'repairs' a 'repaired'. "
                    "Nid oes gan unrhyw ganlyniad 'repair' yn union fel y gwnaethoch ei deipio."), line


# Entries -----------------------------------------------------------------------------------------

def test_an_entry_with_its_own_welsh_version(welsh, api):
    api.publish("FOI-1", category="Highways", welsh=WELSH, ico_decision_url="https://ico.org.uk/decision/1")
    soup = welsh_page(welsh, "/disclosure-log/FOI-1")
    assert soup.h1.get_text(strip=True) == WELSH["title"] and not soup.h1.has_attr("lang")
    assert soup.title.get_text().startswith(WELSH["title"])
    parts = soup.select("div.govuk-grid-column-two-thirds > div")
    request, response = [div for div in parts if div.find("p", class_="app-entry-text")]
    assert request.get_text(strip=True) == WELSH["request"] and not request.has_attr("lang")
    assert response["lang"] == "en"  # no Welsh response: the published one, marked as English
    rows = {row.dt.get_text(strip=True): row.dd for row in soup.select(".govuk-summary-list__row")}
    assert rows["Canlyniad"].get_text(strip=True) == "Wedi’i rhyddhau’n llawn"
    assert rows["Math o gais"].get_text(strip=True) == "Rhyddid Gwybodaeth (FOI)"
    assert rows["Categori"].span["lang"] == "en"
    assert re.fullmatch(r"\d+ \w+ 2026", rows["Cyhoeddwyd"].get_text(strip=True))
    assert rows["Amser a gymerwyd"].get_text(strip=True) == "15 diwrnod gwaith (o fewn y terfyn o 20 diwrnod gwaith)"

    english = welsh.raw.get("/disclosure-log/FOI-1?lang=en").get_data(as_text=True)
    soup = BeautifulSoup(english, "html.parser")
    assert soup.h1.get_text(strip=True) == TITLE and not soup.h1.has_attr("lang")  # as published, on English pages
    assert not soup.select("main [lang]")


def test_an_entry_without_a_welsh_version_is_shown_as_published_and_marked_english(welsh, api):
    api.publish("FOI-2")
    soup = welsh_page(welsh, "/disclosure-log/FOI-2", allowed=(TITLE,))  # its title is the page's <title>
    assert soup.h1.get_text(strip=True) == TITLE and soup.h1["lang"] == "en"
    assert all(div["lang"] == "en" for div in soup.select("div[lang]")) and len(soup.select("div[lang]")) == 2
    assert soup.select_one(".govuk-back-link").get_text(strip=True) == "Chwilio ymatebion a gyhoeddwyd"


def test_an_entry_published_in_welsh_is_marked_welsh_on_an_english_page(client, api):
    api.publish("FOI-3", language="cy", title=WELSH["title"], request=WELSH["request"],
                response="Cafodd 300 twll eu hatgyweirio.")
    soup = client.get_page("/disclosure-log/FOI-3")
    assert soup.h1.get_text(strip=True) == WELSH["title"] and soup.h1["lang"] == "cy"
    assert [div["lang"] for div in soup.select("div[lang]")] == ["cy", "cy"]
    soup = BeautifulSoup(client.raw.get("/disclosure-log/FOI-3?lang=cy").get_data(as_text=True), "html.parser")
    assert not soup.h1.has_attr("lang")


def test_a_withdrawn_entry_in_welsh(welsh, api):
    api.publish("FOI-4", welsh=WELSH)
    api.withdraw("FOI-4", "Published in error.")
    soup = welsh_page(welsh, "/disclosure-log/FOI-4", status=410)
    assert soup.h1.get_text(strip=True) == "Mae’r ymateb hwn wedi cael ei dynnu’n ôl"
    [said] = [p for p in soup.find_all("p") if "Tynnodd" in p.get_text()]
    assert said.get_text().startswith(f"Tynnodd Cyngor Enghreifftiol \"{WELSH['title']}\" yn ôl o’r log datgelu ar")
    assert soup.find("p", string="Published in error.")["lang"] == "en"  # the back office's reason, as given


def test_the_downloads_page_in_welsh(welsh):
    soup = welsh_page(welsh, "/disclosure-log/downloads")
    assert soup.h1.get_text(strip=True) == "Lawrlwytho’r log datgelu cyfan"


# The Welsh version: the API and search ------------------------------------------------------------

def test_the_api_takes_an_entrys_language_and_welsh_version(api):
    body = api.publish("FOI-5", welsh=WELSH)
    assert body["language"] == "en" and body["welsh"] == {**WELSH, "response": ""}
    assert api.publish("FOI-6")["welsh"] is None and api.publish("FOI-7", language="cy")["language"] == "cy"
    for fields, field in [({"language": "fr"}, "language"), ({"welsh": {"request": "Cais"}}, "welsh.title"),
                          ({"welsh": {"title": "Teitl", "summary": "x"}}, "welsh"), ({"welsh": "Teitl"}, "welsh"),
                          ({"welsh": {"title": "x" * 301}}, "welsh.title")]:
        response = api.put("FOI-8", **fields)
        assert response.status_code == 422 and response.json["field"] == field, (fields, response.json)


def test_the_publish_guard_checks_the_welsh_version_too(api):
    response = api.put("FOI-9", welsh={"title": "Teitl", "request": "Ffoniwch 07700 900123"})
    assert response.status_code == 422 and response.json["findings"][0]["where"] == "Welsh request"


def test_withdrawing_clears_the_welsh_text(app, api):
    api.publish("FOI-10", welsh={**WELSH, "response": "Atgyweiriwyd 300 twll."})
    api.withdraw("FOI-10")
    body = api.call("GET", "FOI-10").json
    assert body["status"] == 410
    from disclosure_log.models import Disclosure

    with app.extensions["portal.db"].sessionmaker() as session:
        entry = session.query(Disclosure).filter_by(reference="FOI-10").one()
        assert entry.request_cy == entry.response_cy == "" and entry.title_cy == WELSH["title"]


def test_search_finds_an_entry_by_its_welsh_title_in_either_language(app, welsh, api):
    api.publish("FOI-11", welsh=WELSH)
    api.publish("FOI-12", title="Parking permits", request="How many permits?", response="2,000 permits.")
    soup = welsh_page(welsh, "/disclosure-log?q=tyllau")
    assert found(soup) == ["FOI-11"]
    assert soup.select_one("li.app-result h3 a").get_text(strip=True) == WELSH["title"]
    english = PageClient(app).get_page("/disclosure-log?q=atgyweirio")  # an English page finds it by its Welsh too
    assert found(english) == ["FOI-11"] and english.select_one("li.app-result h3 a").get_text(strip=True) == TITLE
    soup = welsh_page(welsh, "/disclosure-log?q=twll")  # a word of its Welsh request: the snippet is from it
    snippet = soup.select_one(".app-result__snippet")
    assert "Cais:" in snippet.get_text() and snippet.mark.get_text() == "twll" and not snippet.select("[lang]")


def test_the_exports_keep_english_field_names_and_carry_the_welsh_version(welsh, api):
    api.publish("FOI-13", welsh=WELSH)
    rows = list(csv.DictReader(io.StringIO(welsh.raw.get("/disclosure-log.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["welsh_title"] == WELSH["title"] and rows[0]["language"] == "en" and rows[0]["title"] == TITLE
    result = welsh.raw.get("/disclosure-log.json").json["results"][0]
    assert result["welsh"]["title"] == WELSH["title"] and result["title"] == TITLE
    feed = welsh.raw.get("/disclosure-log.atom").get_data(as_text=True)
    assert "<title>Log datgelu Cyngor Enghreifftiol</title>" in feed and f"FOI-13: {WELSH['title']}" in feed
    assert "<rights>Trwydded Llywodraeth Agored v3.0</rights>" in feed


# Email alerts --------------------------------------------------------------------------------------

NEW = "/disclosure-log/email-alerts/new"


def welsh_sign_up(client: PageClient, query: str = "q=potholes", **data):
    token = client.csrf_token(f"{NEW}?{query}")
    return client.raw.post(f"{NEW}?{query}", data={"csrf_token": token, **data})


def test_the_alert_pages_and_their_errors_in_welsh(welsh):
    soup = welsh_page(welsh, f"{NEW}?q=potholes&category=Highways&to-day=1&to-month=1&to-year=2020")
    assert soup.h1.get_text(strip=True) == "Cael negeseuon e-bost am ymatebion newydd"
    text = visible_text(str(soup))
    assert "Geiriau chwilio: potholes" in text and "Categori: Highways" in text
    assert "Dim ond ymatebion a gyhoeddwyd hyd at 1 Ionawr 2020" in text  # the warning, its date the Welsh way
    assert soup.select_one(".govuk-back-link")["href"].startswith("/disclosure-log?")
    assert [label.get_text(strip=True) for label in soup.select(".govuk-radios__label")] == [
        "Cyn gynted ag y byddant yn cael eu cyhoeddi", "Unwaith y dydd"]

    for data, errors in [({}, ["Rhowch eich cyfeiriad e-bost", "Dewiswch pa mor aml rydych eisiau cael negeseuon e-bost"]),
                         ({"email": "not an address", "frequency": "daily"},
                          ["Rhowch gyfeiriad e-bost yn y fformat cywir, fel enw@enghraifft.com"])]:
        response = welsh_sign_up(welsh, **data)
        assert response.status_code == 400
        soup = assert_welsh(response.get_data(as_text=True), allowed=("not an address",))
        assert soup.title.get_text().startswith("Gwall: ")
        assert [a.get_text(strip=True) for a in soup.select(".govuk-error-summary__list a")] == errors


def test_signing_up_in_welsh_gets_welsh_emails_and_pages_all_the_way(app, welsh, services, clock, api):
    response = welsh_sign_up(welsh, email=PERSON, frequency="immediately")
    assert response.status_code == 302 and response.location.endswith("/check-your-email?lang=cy")
    soup = welsh_page(welsh, "/disclosure-log/email-alerts/check-your-email", allowed=("z***@example.com",))
    assert soup.h1.get_text(strip=True) == "Gwiriwch eich e-bost"

    email = services.mailer.sent[-1]
    assert email.subject == "Cadarnhau eich hysbysiad e-bost"
    assert not english_words(email.body.replace("potholes", "")), email.body
    assert "Cadarnhewch eich bod eisiau negeseuon e-bost gan Cyngor Enghreifftiol" in email.body
    confirm_link = next(line for line in email.body.splitlines() if "/confirm/" in line)
    assert confirm_link.endswith("?lang=cy")  # the pages it opens are Welsh, whatever the browser had

    path = urlsplit(confirm_link)
    fresh = PageClient(app)  # another browser: the link alone makes it Welsh
    page = fresh.raw.get(f"{path.path}?{path.query}")
    soup = assert_welsh(page.get_data(as_text=True))
    assert soup.h1.get_text(strip=True) == "Cadarnhau eich hysbysiad e-bost"
    token = soup.find("input", attrs={"name": "csrf_token"})["value"]
    response = fresh.raw.post(f"{path.path}?{path.query}", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/confirmed?lang=cy")
    soup = welsh_page(fresh, "/disclosure-log/email-alerts/confirmed", allowed=("z***@example.com",))
    assert soup.find(class_="govuk-panel__title").get_text(strip=True) == "Mae eich hysbysiad e-bost wedi’i drefnu"

    clock.advance(minutes=1)
    api.publish("FOI-20", title="Potholes on the A414", response="We filled 40 potholes.",
                welsh={"title": "Tyllau ar yr A414"})
    api.publish("FOI-21", title="Pothole claims", response="12 claims about potholes.")
    clock.advance(seconds=30)
    assert run_alerts(app) == {"sent": 1}
    [alert] = alert_emails(services)
    assert alert.subject == "2 ymateb newydd sy’n cyfateb i ‘potholes’"
    assert "Tyllau ar yr A414\nFOI-20, cyhoeddwyd 1 Mehefin 2026\n" in alert.body  # its own Welsh title
    assert re.search(r"/disclosure-log/FOI-20\?lang=cy$", alert.body, re.M)
    assert not english_words(alert.body.replace("Pothole claims", "").replace("potholes", "")), alert.body
    assert alert.unsubscribe_url.endswith("?lang=cy")

    unsubscribe = urlsplit(alert.unsubscribe_url)
    soup = welsh_page(PageClient(app), f"{unsubscribe.path}?{unsubscribe.query}")
    assert soup.h1.get_text(strip=True) == "Dad-danysgrifio o’r hysbysiad e-bost hwn"
    assert "Rydych yn cael negeseuon e-bost pan fydd ymatebion newydd yn cael eu cyhoeddi" in visible_text(str(soup))
    leaving = PageClient(app)
    token = leaving.csrf_token(f"{unsubscribe.path}?{unsubscribe.query}")
    response = leaving.raw.post(f"{unsubscribe.path}?{unsubscribe.query}", data={"csrf_token": token})
    assert response.location.endswith("/unsubscribed?lang=cy")
    assert welsh_page(leaving, "/disclosure-log/email-alerts/unsubscribed").h1.get_text(strip=True) == (
        "Rydych wedi dad-danysgrifio")


def test_an_english_subscriber_gets_english_links_without_lang(client, services):
    from tests.unit.test_disclosure_alerts import sign_up

    sign_up(client, q="potholes")
    email = services.mailer.sent[-1]
    assert email.subject == "Confirm your email alert" and "?lang=" not in email.body
    assert link(email, "confirm")


def test_a_link_that_does_not_work_in_welsh(welsh):
    soup = welsh_page(welsh, "/disclosure-log/email-alerts/confirm/not-a-token", status=404)
    assert soup.h1.get_text(strip=True) == "Nid yw’r ddolen hon yn gweithio"


def test_too_many_confirmation_emails_is_said_in_welsh(welsh, services):
    for _ in range(5):
        assert welsh_sign_up(welsh, email=PERSON, frequency="daily").status_code == 302
    response = welsh_sign_up(welsh, email=PERSON, frequency="daily")
    soup = assert_welsh(response.get_data(as_text=True), allowed=(PERSON,))
    assert "Rydych wedi gofyn am ormod o negeseuon e-bost i’r cyfeiriad hwn. Arhoswch" in visible_text(str(soup))


def test_the_api_answers_in_english_whatever_the_page_language(client, api):
    api.client.set_cookie("portal_language", "cy")
    response = api.put("FOI-31", language="fr")
    assert response.json["detail"] == "language must be one of: en, cy"
