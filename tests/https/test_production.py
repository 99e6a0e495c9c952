"""The portal as deployed: https:// through nginx to gunicorn on PostgreSQL, Redis, S3, clamd and SMTP.

Chromium drives the three services end to end with axe-core (WCAG 2.2 A and AA) on every page it meets;
the security codes and links are read from what the SMTP server received, the submission from what the
reference case system received over signed push. A Python client that trusts only the test CA checks
what a browser does not show: CSRF refusals, headers, cookies, nginx's own answers.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import json
import re
import time
import zipfile
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_capture_browser import Journey, enquiry, foi
from tests.browser.test_share_browser import (CHECK_EMAIL, FILES, HISTORY, REMOVE, REMOVED, SIGN_IN, SIGNED_OUT,
                                             enter_code, error_shown, follow, heading, press, wrong)
from tests.browser.test_shell_accessibility import assert_axe_passes
from tests.share_helpers import pdf
from tests.support.browser import checked_page

pytestmark = [pytest.mark.https, pytest.mark.browser, pytest.mark.integration]

CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SOFTWARE = re.compile(r"nginx/|gunicorn|werkzeug|python|flask|debian", re.I)


# Capture: a FOI request from the start page to the confirmation panel ---------------------------------

@dataclasses.dataclass(frozen=True)
class Received:
    subject: str
    body: str


class HttpsJourney(Journey):
    """The browser journey of the HTTP tier, reading the email and the case system over the wire."""

    def security_code(self) -> str:
        code, _count = self.server.wait_for_code(self.email)
        return code

    def now(self):
        return datetime.datetime.now(datetime.timezone.utc)

    def emails_about(self, reference: str) -> list[Received]:
        def about() -> list[Received]:
            return [Received(str(m["Subject"]), m.get_content()) for m in self.server.messages_to(self.email)
                    if reference in str(m["Subject"])]

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not about():
            time.sleep(0.1)
        time.sleep(0.5)  # a second acknowledgement would be a fault: give it the chance to show
        return about()

    def delivered_references(self, reference: str) -> list[str]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and reference not in self.server.case_system.cases():
            time.sleep(0.1)
        if reference not in self.server.case_system.cases():
            print(self.server.logs())  # why it did not arrive: the worker's and the web server's last lines
        return list(self.server.case_system.cases())


def test_foi_request_over_https_reaches_the_case_system(page, production, email):
    steps, rows = foi(email)
    journey = HttpsJourney(page, production, None, "foi", email, auditor=assert_axe_passes)
    reference = journey.submit(steps, rows)
    case = production.case_system.cases()[reference]
    assert case["reference"] == reference
    assert page.url.startswith(production.base_url)


def test_foi_request_in_welsh_over_https(page, production, email):
    """A Welsh FOI request through nginx: every page in Welsh with axe, the code and acknowledgement emails in
    Welsh over SMTP, and the case system told the language with every label and option in English."""
    page.goto(production.url("/request/foi?lang=cy"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert_axe_passes(page, "FOI in Welsh over https: start page")

    def press(name: str) -> None:
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=name, exact=True).click()
        assert navigation.value.status == 200, f"{name}: HTTP {navigation.value.status}"

    press("Dechrau nawr")
    answers = [("about_yourself", "no"), ("full_name", "Siân Evans"), ("email", email),
               ("description", "Nifer y tyllau yn y ffordd a drwsiwyd yn Hertford yn 2025."),
               ("environmental", "no"), ("format", "email"), ("wants_post", "no")]
    for field, value in answers:
        expect(page.locator("html")).to_have_attribute("lang", "cy")
        choice = page.locator(f"input[name='{field}'][value='{value}']")
        if choice.count():
            choice.check()
        else:
            page.locator(f"#{field}").fill(value)
        assert_axe_passes(page, f"FOI in Welsh over https: {field}")
        press("Parhau")
    expect(page.locator("h1")).to_have_text("Gwiriwch eich atebion cyn anfon eich cais")
    assert_axe_passes(page, "FOI in Welsh over https: check answers")
    before = len(production.messages_to(email))
    press("Parhau")
    expect(page.locator("h1")).to_have_text("Gwiriwch eich e-bost")
    code, _count = production.wait_for_code(email, after=before)
    assert "yw eich cod i gadarnhau" in str(production.messages_to(email)[-1]["Subject"])
    page.get_by_label("Cod diogelwch", exact=True).fill(code)
    press("Cadarnhau ac anfon")
    panel = page.locator(".govuk-panel__body").inner_text()
    assert panel.startswith("Eich cyfeirnod yw"), panel
    reference = re.search(r"\bFOI-\d{4}-\w{4}-\w\b", panel).group(0)
    assert_axe_passes(page, "FOI in Welsh over https: confirmation")

    journey = HttpsJourney(page, production, None, "foi", email)
    [acknowledgement] = journey.emails_about(reference)
    assert acknowledgement.subject.startswith("Rydym wedi cael eich ") and "?lang=cy" in acknowledgement.body
    assert reference in journey.delivered_references(reference)
    case = production.case_system.cases()[reference]["payload"]
    assert case["language"] == "cy"
    by_question = {answer["question"]: answer for answer in case["answers"]}
    assert by_question["full_name"]["label"] == "Full name" and by_question["full_name"]["answer"] == "Siân Evans"
    assert by_question["format"]["answer"] == "By email"  # the option in English for the case team
    assert by_question["format"]["as_shown"]["language"] == "cy"
    assert by_question["format"]["as_shown"]["answer"] != "By email"  # and as the requester saw it, in Welsh


def test_foi_request_over_https_without_javascript(page_without_js, production, email):
    steps, rows = foi(email)
    journey = HttpsJourney(page_without_js, production, None, "foi", email, javascript=False, errors=False)
    reference = journey.submit(steps, rows)
    assert reference in production.case_system.cases()


def test_save_and_come_back_later_over_https(page, https_browser, production, email):
    steps, _rows = enquiry(email)
    journey = HttpsJourney(page, production, None, "enquiry", email, auditor=assert_axe_passes, errors=False)
    journey.start()
    journey.walk(steps, until="topic")
    journey.press("Save and come back later")
    journey.press("Save and email me the link")
    expect(page.locator("h1")).to_have_text("We've saved your answers")
    link = production.wait_for_message(email, r"https://\S+/request/resume/\S+")
    with checked_page(https_browser, production.base_url, javascript=True) as other:  # another device
        other.goto(link)
        expect(other.locator("h1")).to_have_text("Carry on with your saved request")
        sent = len(production.messages_to(email))
        with other.expect_navigation():
            other.get_by_role("button", name="Email me a security code").click()
        code, _count = production.wait_for_code(email, after=sent)
        other.get_by_label("Security code", exact=True).fill(code)
        with other.expect_navigation():
            other.get_by_role("button", name="Continue").click()
        expect(other).to_have_url(re.compile(r"/request/enquiry/(topic|question)$"))
        assert_axe_passes(other, "over https: resumed on another device")


def test_track_the_request_and_give_feedback_over_https(page, production, email):
    steps, rows = foi(email)
    journey = HttpsJourney(page, production, None, "foi", email, errors=False)
    reference = journey.submit(steps, rows)
    track = production.wait_for_message(email, r"https://\S+/request/track/\S+")
    page.goto(track)
    expect(page.locator("main .govuk-tag")).to_have_text("Received")
    reported = production.api("PUT", f"/submissions/{reference}/status", {"status": "closed"})
    assert reported.status == 200, reported.body
    asked = production.wait_for_message(email, r"https://\S+/request/track/\S+#feedback")
    page.goto(asked)
    page.reload()  # a link minted in the same second as the first is the same URL: goto only moved to #feedback
    expect(page.locator("#feedback")).to_have_text("Tell us what you think")
    assert_axe_passes(page, "over https: feedback asked")
    page.get_by_label("Yes").check()
    page.get_by_label("Very satisfied").check()
    journey.press("Send feedback")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Thank you for your feedback")
    month = datetime.datetime.now(ZoneInfo("Europe/London")).strftime("%Y-%m")
    figures = production.api("GET", f"/figures?from={month}&to={month}&form=foi")
    assert figures.status == 200, figures.body
    [row] = figures.json()["items"]
    assert row["requests_sent"] >= 1 and row["feedback_given"] >= 1 and row["satisfaction"]["very_satisfied"] >= 1


# Secure Share: made through the API, used by the requester in Chromium ----------------------------------

RECORDS, LETTER = "Medical records.pdf", "Covering letter.pdf"
LINK = re.compile(r"https://\S+/documents/\S+")


def make_share(production, email: str) -> tuple[str, dict[str, bytes]]:
    """A share of two PDFs through nginx, as the case system makes one; returns the link emailed."""
    documents = {RECORDS: pdf(3_000_000, seed=11), LETTER: pdf(40_000, seed=12)}
    created = production.api("POST", "/shares", {"case_reference": "SAR-2026-0099", "recipient_name": "Jo Bloggs",
                                                 "recipient_email": email, "message": "Here are your records."})
    assert created.status == 201, created.body
    share_id = created.json()["id"]
    for title, data in documents.items():
        added = production.api("POST", f"/shares/{share_id}/documents?{urlencode({'filename': title})}", body=data,
                               headers={"Content-Type": "application/pdf"})
        assert added.status == 201, added.body
    sent = production.api("POST", f"/shares/{share_id}/send")
    assert sent.status == 200, sent.body
    return production.wait_for_message(email, LINK.pattern), documents


def sign_in(page: Page, production, link: str, email: str, *, errors: bool) -> None:
    response = page.goto(link)
    assert response.status == 200
    heading(page, SIGN_IN)
    assert_axe_passes(page, "share over https: sign in")
    before = len(production.messages_to(email))
    press(page, "Send the security code")
    heading(page, CHECK_EMAIL)
    assert_axe_passes(page, "share over https: code sent")
    code, _count = production.wait_for_code(email, after=before)
    if errors:
        enter_code(page, wrong(code))
        error_shown(page, "The security code is not correct. Check the newest email we sent you and try again. You can try 4 more times")
        assert_axe_passes(page, "share over https: wrong code")
    enter_code(page, code)
    heading(page, FILES)


def ranged_fetch(page: Page, href: str, first: int, last: int) -> dict:
    """A Range request from the share page itself, with its cookies, through nginx."""
    return page.evaluate("""async ([href, range]) => {
        const response = await fetch(href, {headers: {Range: range}});
        const bytes = new Uint8Array(await response.arrayBuffer());
        let hex = "";
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        for (const b of digest) hex += b.toString(16).padStart(2, "0");
        return {status: response.status, length: bytes.length, sha256: hex,
                contentRange: response.headers.get("Content-Range")};
    }""", [href, f"bytes={first}-{last}"])


def test_secure_share_over_https(page, production, email):
    link, documents = make_share(production, email)
    assert link.startswith(production.base_url + "/documents/")
    sign_in(page, production, link, email, errors=True)
    assert_axe_passes(page, "share over https: documents")

    # One document in full: the browser saves it byte for byte.
    letter = page.get_by_role("link", name=re.compile(r"^Covering letter \(PDF"))
    with page.expect_download() as one:
        letter.click()
    assert one.value.failure() is None
    with open(one.value.path(), "rb") as saved:
        assert saved.read() == documents[LETTER]

    # One with a Range request: secure-context fetch() (crypto.subtle) through nginx, streamed.
    records_href = page.get_by_role("link", name=re.compile(r"^Medical records \(PDF")).get_attribute("href")
    data = documents[RECORDS]
    part = ranged_fetch(page, records_href, 1_000_000, 1_999_999)
    assert part["status"] == 206, part
    assert part["contentRange"] == f"bytes 1000000-1999999/{len(data)}"
    assert part["length"] == 1_000_000
    assert part["sha256"] == hashlib.sha256(data[1_000_000:2_000_000]).hexdigest()

    # Download all: a POST form, so it needs CSRF to work over HTTPS.
    with page.expect_download() as everything:
        page.get_by_role("button", name=re.compile(r"^Download all \(ZIP")).click()
    assert everything.value.failure() is None
    with open(everything.value.path(), "rb") as saved:
        archive = zipfile.ZipFile(io.BytesIO(saved.read()))
    assert sorted(archive.namelist()) == sorted(documents)
    assert archive.read(RECORDS) == data and archive.read(LETTER) == documents[LETTER]

    follow(page, "Access and download history")
    heading(page, HISTORY)
    assert_axe_passes(page, "share over https: history")
    follow(page, "Back")
    heading(page, FILES)

    press(page, "Sign out")
    heading(page, SIGNED_OUT)
    assert_axe_passes(page, "share over https: signed out")
    assert page.goto(link.rstrip("/") + "/files").status in (200, 302, 401, 403)
    expect(page.locator("h1")).not_to_have_text(FILES)

    sign_in(page, production, link, email, errors=False)
    follow(page, "Remove these documents")
    heading(page, REMOVE)
    assert_axe_passes(page, "share over https: remove, are you sure")
    response = press(page, "Remove these documents")
    assert response.status == 200
    heading(page, REMOVED)
    assert_axe_passes(page, "share over https: removed")

    # The 3 MB document went up and came down through nginx without touching its disk (nginx warns when it
    # spools a request or response body to a temporary file).
    spooled = [line for line in (production.folder / "nginx" / "error.log").read_text().splitlines()
               if "buffered to a temporary file" in line]
    assert spooled == [], spooled


def test_secure_share_in_welsh_over_https(page, production, email):
    """A share the case system asked for in Welsh: the emails, the link's ?lang=cy, every page in Welsh with
    axe, and the choice kept for the visit in the __Host- cookie over https."""
    created = production.api("POST", "/shares", {"case_reference": "SAR-2026-0100", "recipient_name": "Siân Evans",
                                                 "recipient_email": email, "language": "cy"})
    assert created.status == 201, created.body
    share_id = created.json()["id"]
    added = production.api("POST", f"/shares/{share_id}/documents?{urlencode({'filename': LETTER})}",
                           body=pdf(40_000, seed=13), headers={"Content-Type": "application/pdf"})
    assert added.status == 201, added.body
    assert production.api("POST", f"/shares/{share_id}/send").status == 200
    link = production.wait_for_message(email, LINK.pattern)
    assert link.endswith("?lang=cy"), link

    page.goto(link)
    heading(page, "Cael y dogfennau a anfonodd Cyngor Enghreifftiol atoch", "cy")
    assert_axe_passes(page, "share in Welsh over https: sign in")
    before = len(production.messages_to(email))
    press(page, "Anfon y cod diogelwch")
    heading(page, "Gwiriwch eich e-bost", "cy")
    code, _count = production.wait_for_code(email, after=before)
    assert str(production.messages_to(email)[-1]["Subject"]) == f"{code} yw eich cod diogelwch"
    page.get_by_label("Cod diogelwch", exact=True).fill(code)
    press(page, "Parhau")
    heading(page, "Y dogfennau a anfonodd Cyngor Enghreifftiol atoch", "cy")
    assert_axe_passes(page, "share in Welsh over https: documents")

    kept = [c for c in page.context.cookies() if c["name"].endswith("portal_language")]
    assert [(c["name"], c["value"], c["secure"], c["path"]) for c in kept] == [("__Host-portal_language", "cy", True, "/")]
    page.goto(production.url("/cookies"))  # no ?lang= in the address: the visit's choice holds
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Dewis iaith").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(production.url("/cookies"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


# Disclosure Log: a search with a filter, an entry page, the CSV export ------------------------------------

ENTRIES = {
    "FOI-2026-0001": {"title": "Pothole repairs in Hertford", "category": "Highways", "department": "Place"},
    "FOI-2026-0002": {"title": "Pothole complaints in Ware", "category": "Highways", "department": "Place"},
    "FOI-2026-0003": {"title": "Pothole budget for schools car parks", "category": "Education",
                      "department": "Children's services"},
}


@pytest.fixture(scope="module")
def published(production):
    for reference, fields in ENTRIES.items():
        body = {"request": f"Please tell me about {fields['title'].lower()}.",
                "response": "We repaired 300 potholes last year.", "case_type": "FOI",
                "outcome": "Released in full", "received": "2026-04-01", "responded": "2026-04-24", **fields}
        answer = production.api("PUT", f"/disclosures/{reference}", body)
        assert answer.status in (200, 201), answer.body
    return ENTRIES


def test_disclosure_log_over_https(page, production, published):
    page.goto(production.url("/disclosure-log?" + urlencode({"q": "pothole"})))
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("3 results")
    assert_axe_passes(page, "disclosure log over https: results")

    page.locator("summary", has_text="Category").click()  # a filter not yet chosen is folded away
    page.get_by_role("checkbox", name=re.compile(r"^Highways")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("main")).to_contain_text("2 results")
    assert_axe_passes(page, "disclosure log over https: filtered")

    with page.expect_navigation():
        page.get_by_role("link", name="Pothole repairs in Hertford").click()
    expect(page.locator("h1")).to_have_text("Pothole repairs in Hertford")
    assert_axe_passes(page, "disclosure log over https: entry")

    page.go_back()
    with page.expect_download() as exported:
        page.get_by_role("link", name=re.compile(r"CSV")).first.click()
    assert exported.value.failure() is None
    with open(exported.value.path(), encoding="utf-8-sig") as saved:
        lines = saved.read().splitlines()
    assert len(lines) == 3  # the header and the two Highways entries
    assert any("FOI-2026-0001" in line for line in lines) and any("FOI-2026-0002" in line for line in lines)
    assert not any("FOI-2026-0003" in line for line in lines)


# CSRF over HTTPS: what a browser sends is accepted, what another origin sends is refused -----------------

def form_page(production) -> tuple[str, str, str]:
    """A question page's CSRF token and session cookie, as a browser would have them."""
    path = "/request/enquiry/full-name"
    question = production.https("GET", path)
    token = CSRF_TOKEN.search(question.body.decode())
    assert question.status == 200 and token, question.status
    return path, token.group(1), _cookie(question)


def _cookie(reply) -> str:
    values = [h.split(";", 1)[0] for h in reply.headers.get_all("Set-Cookie") or []]
    return "; ".join(values)


def post(production, path: str, fields: dict, cookie: str, **headers):
    return production.https("POST", path, urlencode(fields).encode(), {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie, **headers})


def test_same_origin_post_with_token_is_accepted(production):
    path, token, cookie = form_page(production)
    origin = production.base_url
    reply = post(production, path, {"csrf_token": token, "full_name": "Sam Jones"}, cookie,
                 Origin=origin, Referer=origin + path, **{"Sec-Fetch-Site": "same-origin"})
    assert reply.status == 302, reply.body[:500]


@pytest.mark.parametrize("headers", [
    pytest.param({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, id="another-origin"),
    pytest.param({"Origin": "null"}, id="opaque-origin"),
    pytest.param({"Referer": "https://evil.example/form"}, id="referer-from-another-origin"),
    pytest.param({}, id="no-referer-no-origin"),
])
def test_post_from_elsewhere_is_refused(production, headers):
    path, token, cookie = form_page(production)
    reply = post(production, path, {"csrf_token": token, "full_name": "Sam Jones"}, cookie, **headers)
    assert reply.status == 400, reply.status
    assert "govuk-heading" in reply.body.decode()


def test_post_without_a_token_is_refused(production):
    path, _token, cookie = form_page(production)
    origin = production.base_url
    reply = post(production, path, {"full_name": "Sam Jones"}, cookie, Origin=origin, Referer=origin + path)
    assert reply.status == 400


# HTTPS details: headers, cookie, nginx's own answers -------------------------------------------------------

def test_no_server_version_in_any_header(production):
    answers = {
        "page": production.https("GET", "/"),
        "not found": production.https("GET", "/no-such-page"),
        "static": production.https("GET", "/static/manifest.json"),
        "api problem": production.https("GET", "/api/v1/submissions"),
        "nginx 413": production.https("POST", "/request/enquiry/full-name", b"x" * (111 * 1024 * 1024),
                                      {"Content-Type": "application/octet-stream"}),
    }
    assert answers["nginx 413"].status == 413
    for name, reply in answers.items():
        assert reply.headers["Server"] == "nginx", (name, reply.headers["Server"])
        for header, value in reply.headers.items():
            assert not SOFTWARE.search(value), (name, header, value)


def test_plain_http_is_redirected_to_https(production):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", production.http_port, timeout=10)
    try:
        connection.request("GET", "/request/foi?x=1", headers={"Host": "portal.test"})
        reply = connection.getresponse()
        reply.read()
    finally:
        connection.close()
    assert reply.status == 301
    assert reply.headers["Location"] == production.base_url + "/request/foi?x=1"
    assert reply.headers["Server"] == "nginx"


def test_session_cookie_and_hsts(production):
    path, token, cookie = form_page(production)
    assert cookie.startswith("__Host-"), cookie
    origin = production.base_url
    reply = post(production, path, {"csrf_token": token, "full_name": "Sam Jones"}, cookie,
                 Origin=origin, Referer=origin + path)
    page = production.https("GET", "/")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert page.headers["Referrer-Policy"] == "same-origin"
    for header in reply.headers.get_all("Set-Cookie") or []:
        attributes = {part.strip().split("=", 1)[0].lower() for part in header.split(";")[1:]}
        assert header.startswith("__Host-") and {"secure", "httponly", "path"} <= attributes, header
        assert "domain" not in attributes, header


def test_readiness_sees_every_production_component(production):
    checks = json.loads(production.https("GET", "/readyz").body)["checks"]
    for name in ("database", "file_store", "virus_scanner"):
        assert checks[name]["status"] == "ok", checks
