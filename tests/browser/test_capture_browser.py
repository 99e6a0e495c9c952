"""Capture in Chromium against the live server: every shipped form from its start page to the confirmation
page as a person would fill it in, with axe-core (WCAG 2.2 A and AA) on every page state on the way;
the same journeys without JavaScript; keyboard only; the timeout warning; upload progress; bad input."""
from __future__ import annotations

import dataclasses
import re
from typing import Callable

import pytest
from playwright.sync_api import Page, expect

from capture import deadlines
from capture.definitions import load_all
from capture.references import ALPHABET
from portal.dates import govuk_date
from portal.exceptions import PostcodeLookupUnavailable
from tests.browser.test_shell_accessibility import assert_axe_passes

pytestmark = pytest.mark.browser

FORMS = load_all()
CODE = re.compile(r"^(\d{6})$", re.M)
LINK = re.compile(r"(/request/confirm/\S+)")
PDF = {"name": "passport.pdf", "mimeType": "application/pdf",
       "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                 b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"}
EXECUTABLE_AS_PDF = {"name": "passport.pdf", "mimeType": "application/pdf",
                     "buffer": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56}
WRONG_TYPE = "The selected file must be a PDF, JPG, PNG, HEIC, DOCX, ODT or TXT"


# Fixtures -----------------------------------------------------------------------------------

# services, server_clock, email and fresh rate limits come from tests/browser/conftest.py.


def mail_to(services, address: str) -> list:
    return [message for message in services.mailer.sent if message.to == address]


def latest_code(services, address: str) -> str:
    codes = [m for m in mail_to(services, address) if "security code" in m.body]
    assert codes, f"no security code was emailed to {address}"
    return CODE.search(codes[-1].body).group(1)


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# How a person answers -------------------------------------------------------------------------

Answer = Callable[[Page], None]


def type_in(label: str, text: str) -> Answer:
    return lambda page: page.get_by_label(label, exact=True).fill(text)


def choose(option: str) -> Answer:
    return lambda page: page.get_by_role("radio", name=option, exact=True).check()


def tick(*options: str) -> Answer:
    def answer(page: Page) -> None:
        for option in options:
            page.get_by_role("checkbox", name=option, exact=True).check()
    return answer


def date(legend: str, day: str, month: str, year: str) -> Answer:
    def answer(page: Page) -> None:
        group = page.get_by_role("group", name=legend)
        for part, value in (("Day", day), ("Month", month), ("Year", year)):
            group.get_by_label(part, exact=True).fill(value)
    return answer


def leave_empty(page: Page) -> None:
    """An optional question: the person continues without answering."""


# Page states of a journey -----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Ask:
    """A question page: answered, or first sent empty (or `provoke`d) to see its error."""
    page_id: str
    heading: str
    answer: Answer
    error: str | None = None
    field: str | None = None
    provoke: Answer | None = None

    def run(self, journey: "Journey") -> None:
        journey.at(self.page_id, self.heading)
        journey.audit(self.page_id)
        if journey.errors and self.error:
            if self.provoke:
                self.provoke(journey.page)
            journey.press("Continue")
            journey.error_shown(self.error, self.field)
            journey.audit(f"{self.page_id}, error")
        self.answer(journey.page)
        journey.press("Continue")


@dataclasses.dataclass(frozen=True)
class Detour:
    """A content page the answers led to; the person reads it and goes back."""
    page_id: str
    heading: str
    link_to: str  # the other form it offers

    def run(self, journey: "Journey") -> None:
        journey.at(self.page_id, self.heading)
        journey.audit(self.page_id)
        offered = journey.page.get_by_role("button", name=f"Make a {FORMS[self.link_to].name.lower()}")
        assert offered.get_attribute("href") == f"/request/{self.link_to}"
        journey.follow("Back")


@dataclasses.dataclass(frozen=True)
class FindAddress:
    """The postcode finder, then the address form it fills in."""
    page_id: str
    heading: str
    postcode: str
    found: str  # the inset text naming the town
    town: str
    line1: str

    def run(self, journey: "Journey") -> None:
        page = journey.page
        journey.at(self.page_id, self.heading)
        journey.audit(f"{self.page_id}, postcode finder")
        if journey.errors:
            journey.press("Find address")
            journey.error_shown("Enter a postcode", "address-lookup")
            journey.audit(f"{self.page_id}, postcode finder error")
        page.get_by_label("Postcode", exact=True).fill(self.postcode)
        journey.press("Find address")
        expect(page.locator(".govuk-inset-text")).to_have_text(re.compile(re.escape(self.found)))
        expect(page.get_by_label("Town or city", exact=True)).to_have_value(self.town)
        journey.audit(f"{self.page_id}, address found")
        page.get_by_label("Address line 1", exact=True).fill(self.line1)
        journey.press("Continue")


@dataclasses.dataclass(frozen=True)
class ManualAddress:
    """"Enter the address manually", first sent with parts missing."""
    page_id: str
    heading: str
    line1: str
    town: str
    postcode: str

    def run(self, journey: "Journey") -> None:
        page = journey.page
        journey.at(self.page_id, self.heading)
        journey.audit(f"{self.page_id}, postcode finder")
        journey.follow("Enter the address manually")
        expect(page).to_have_url(re.compile(r"\?manual=1$"))
        journey.audit(f"{self.page_id}, manual address")
        page.get_by_label("Address line 1", exact=True).fill(self.line1)
        if journey.errors:
            journey.press("Continue")
            journey.error_shown("Enter town or city", "address-town")
            journey.error_shown("Enter postcode", "address-postcode", just_shown=False)
            expect(page.get_by_label("Address line 1", exact=True)).to_have_value(self.line1)
            journey.audit(f"{self.page_id}, manual address error")
        page.get_by_label("Town or city", exact=True).fill(self.town)
        page.get_by_label("Postcode", exact=True).fill(self.postcode)
        journey.press("Continue")


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file question: nothing chosen, an executable named .pdf, then a real PDF, then continue."""
    page_id: str
    heading: str
    field: str
    required: str | None = None  # the error when continuing with no file

    def run(self, journey: "Journey") -> None:
        journey.at(self.page_id, self.heading)
        journey.audit(self.page_id)
        if journey.errors:
            if self.required:
                journey.press("Continue")
                journey.error_shown(self.required, self.field)
                journey.audit(f"{self.page_id}, no file error")
            journey.upload(EXECUTABLE_AS_PDF, accepted=False)
            journey.error_shown(WRONG_TYPE, self.field)
            journey.audit(f"{self.page_id}, wrong type error")
        journey.upload(PDF, accepted=True)
        expect(journey.page.locator(".govuk-summary-list__value", has_text="passport.pdf (PDF,")).to_be_visible()
        journey.audit(f"{self.page_id}, file uploaded")
        journey.press("Continue")


@dataclasses.dataclass
class Journey:
    """One person filling in one form in one browser context."""
    page: Page
    server: object
    services: object
    form_id: str
    email: str
    javascript: bool = True
    errors: bool = True  # visit each page's error state on the way
    auditor: Callable[[Page, str], None] | None = None

    @property
    def form(self):
        return FORMS[self.form_id]

    def audit(self, state: str) -> None:
        if self.auditor:
            self.auditor(self.page, f"{self.form_id}: {state}")

    def at(self, page_id: str, heading: str) -> None:
        expect(self.page).to_have_url(re.compile(rf"/request/{self.form_id}/{page_id}(\?.*)?$"))
        expect(self.page.locator("h1")).to_have_text(heading)

    def press(self, button: str, status: int = 200) -> None:
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=button, exact=True).click()
        assert navigation.value.status == status, f"{button}: HTTP {navigation.value.status}"

    def follow(self, link: str, role: str = "link") -> None:
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=link, exact=True).click()

    def upload(self, file: dict, *, accepted: bool) -> None:
        """Choose a file and press Upload file: with JavaScript an XHR with progress, else a multipart POST."""
        page = self.page
        chooser = page.get_by_label("Choose a file", exact=True).or_(page.get_by_label("Add another file", exact=True))
        chooser.set_input_files(file)
        button = page.get_by_role("button", name="Upload file", exact=True)
        if not self.javascript:
            with page.expect_navigation():
                button.click()
            return
        def is_upload(request) -> bool:
            return request.method == "POST" and request.resource_type == "xhr"

        if accepted:  # the XHR, then the question page listing the file
            with page.expect_navigation(), page.expect_request(is_upload):
                button.click()
            return
        page.evaluate("window.stillThisDocument = true")
        with page.expect_request(is_upload):
            button.click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert page.evaluate("window.stillThisDocument === true"), "the rejected upload reloaded the page"

    def error_shown(self, message: str, field: str, *, just_shown: bool = True) -> None:
        """The error summary links to the field; with JavaScript it has focus, and its link moves focus."""
        page = self.page
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        expect(page).to_have_title(re.compile(r"^Error: "))
        link = summary.get_by_role("link", name=message, exact=True)
        expect(link).to_have_attribute("href", f"#{field}")
        expect(page.locator(".govuk-error-message", has_text=message)).to_be_visible()
        target = page.locator(f"[id='{field}']")
        expect(target).to_have_count(1)
        if self.javascript:
            if just_shown:
                expect(summary).to_be_focused()
            link.click()
            expect(target).to_be_focused()

    def start(self) -> None:
        page = self.page
        page.goto(self.server.url("/request/"))
        with page.expect_navigation():
            page.get_by_role("link", name=self.form.title, exact=True).click()
        expect(page.locator("h1")).to_have_text(self.form.title)
        self.audit("start page")
        self.press("Start now")

    def walk(self, steps: list, until: str | None = None) -> None:
        for step in steps:
            if step.page_id == until:
                self.at(step.page_id, step.heading)
                return
            step.run(self)

    def check_answers(self, expected: dict[str, str]) -> None:
        self.at("check-answers", "Check your answers before sending your request")
        rows = summary_rows(self.page)
        for key, value in expected.items():
            assert key in rows and value in rows[key], f"{key!r}: {value!r} not in {rows.get(key)!r}"
        self.audit("check answers")
        self.press("Continue")

    def confirm_with_code(self) -> None:
        page = self.page
        self.at("confirm-email", "Check your email")
        expect(page.locator("main")).to_contain_text(self.email)
        self.audit("confirm email")
        code = self.security_code()
        if self.errors:
            self.press("Confirm and send")
            self.error_shown("Enter the security code", "code")
            self.audit("confirm email, no code")
            page.get_by_label("Security code", exact=True).fill(wrong_code(code))
            self.press("Confirm and send")
            self.error_shown("The security code is incorrect. Check the email we sent you and try again", "code")
            self.audit("confirm email, wrong code")
        page.get_by_label("Security code", exact=True).fill(code)
        self.press("Confirm and send")

    def confirmation(self) -> str:
        """The confirmation page: reference, statutory due date; the case system and the email got it."""
        page, form = self.page, self.form
        expect(page).to_have_url(re.compile(rf"/request/{self.form_id}/confirmation$"))
        expect(page.locator("h1")).to_have_text(f"{form.name} sent")
        panel = page.locator(".govuk-panel__body").inner_text()
        found = re.search(rf"\b{form.reference_prefix}-\d{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]\b", panel)
        assert found, f"no {form.reference_prefix} reference in {panel!r}"
        reference = found.group(0)
        due = govuk_date(deadlines.due_date(form.clock, self.now()))
        promise = "We must respond by" if deadlines.rule_from(form.clock).statutory else "We aim to reply by"
        expect(page.locator("main")).to_contain_text(f"{promise} {due}")
        self.audit("confirmation")
        acknowledgements = self.emails_about(reference)
        assert len(acknowledgements) == 1 and due in acknowledgements[0].body
        assert reference in self.delivered_references(reference)
        return reference

    # What the person and the case system received; the HTTPS tier reads them from real servers instead.
    def security_code(self) -> str:
        return latest_code(self.services, self.email)

    def now(self):
        return self.services.clock.now()

    def emails_about(self, reference: str) -> list:
        return [m for m in mail_to(self.services, self.email) if reference in m.subject]

    def delivered_references(self, reference: str) -> list[str]:
        return [delivered for delivered, _payload in self.services.case_system.delivered]

    def submit(self, steps: list, rows: dict[str, str]) -> str:
        self.start()
        self.walk(steps)
        self.check_answers(rows)
        self.confirm_with_code()
        return self.confirmation()


def summary_rows(page: Page) -> dict[str, str]:
    return dict(page.eval_on_selector_all(".govuk-summary-list__row", """rows => rows.map(row => [
        row.querySelector(".govuk-summary-list__key").innerText.trim(),
        row.querySelector(".govuk-summary-list__value").innerText.trim()])"""))


axe = assert_axe_passes  # WCAG 2.2 A and AA, as in the shell's checks


class ScriptsOff:
    """The shell's trick for axe on the no-JS rendering: pages load with scripting off through CDP,
    scripting goes on only while axe runs, then off again for the next page."""

    def __init__(self, page: Page):
        self.cdp = page.context.new_cdp_session(page)
        self._set(disabled=True)

    def _set(self, *, disabled: bool) -> None:
        self.cdp.send("Emulation.setScriptExecutionDisabled", {"value": disabled})

    def __call__(self, page: Page, label: str) -> None:
        assert "js-enabled" not in page.locator("body").get_attribute("class").split(), f"{label}: scripts ran"
        self._set(disabled=False)
        try:
            assert_axe_passes(page, f"{label}, JavaScript off")
        finally:
            self._set(disabled=True)


# The shipped forms, as a person fills them in ------------------------------------------------------

NAME = "What is your full name?"
EMAIL = "What is your email address?"


def name_and_email(name: str, email: str, *, email_typo: str | None = None) -> list[Ask]:
    email_error = ("Enter an email address in the correct format, like name@example.com" if email_typo
                   else "Enter your email address")
    return [
        Ask("full-name", NAME, type_in(NAME, name), error="Enter your full name", field="full_name"),
        Ask("email-address", EMAIL, type_in(EMAIL, email), error=email_error, field="email",
            provoke=type_in(EMAIL, email_typo) if email_typo else None),
    ]


def foi(email: str):
    return [
        Ask("about-you", "Is the information you want about you?", choose("Yes, it is about me"),
            error="Select whether the information is about you", field="about_yourself"),
        Detour("use-sar", "You can ask for your personal information in a different way", link_to="sar"),
        Ask("about-you", "Is the information you want about you?", choose("No, it is not about me")),
        *name_and_email("Zoë O'Brien", email),
        Ask("request-description", "What information do you want?",
            type_in("What information do you want?", "The number of potholes repaired in Hertford in 2025."),
            error="Enter a description of the information you want", field="description"),
        Ask("environmental", "Is your request about the environment?", choose("No"),
            error="Select yes if your request is about the environment", field="environmental"),
        Ask("format", "How would you like to receive the information?", choose("By post"),
            error="Select how you would like to receive the information", field="format"),
        FindAddress("postal-address", "What is your postal address?", postcode="sw1a 2aa",
                    found="We found SW1A 2AA in Westminster", town="Westminster", line1="70 Whitehall"),
    ], {"Full name": "Zoë O'Brien", "Email address": email, "Postal address": "70 Whitehall\nWestminster\nSW1A 2AA",
        "Information requested": "potholes", "Format": "By post"}


def eir(email: str):
    return [
        *name_and_email("Sam Jones", email),
        ManualAddress("postal-address", "What is your postal address?", line1="Flat 2, 5 Fore Street", town="Ware",
                      postcode="sg12 9dl"),
        Ask("request-description", "What environmental information do you want?",
            type_in("What environmental information do you want?", "Air quality results for Ware High Street, 2024."),
            error="Enter a description of the environmental information you want", field="description"),
        Ask("topics", "What is it about?", tick("Air quality or pollution", "Noise")),
    ], {"Postal address": "Flat 2, 5 Fore Street\nWare\nSG12 9DL", "Topics": "Air quality or pollution\nNoise"}


def sar(email: str):
    date_of_birth = "What is the date of birth of the person the information is about?"
    phone = "What is your telephone number?"
    return [
        Ask("who-for", "Who is the information about?", choose("Someone else"),
            error="Select who the information is about", field="who_for"),
        Ask("subject-name", "What is the full name of the person the information is about?",
            type_in("What is the full name of the person the information is about?", "Robin Smith"),
            error="Enter the full name of the person the information is about", field="subject_name"),
        Ask("authority", "Why can you ask for their information?", choose("They have given me written permission"),
            error="Select why you can ask for their information", field="authority"),
        *name_and_email("Pat Smith", email),
        Ask("date-of-birth", date_of_birth, date(date_of_birth, "3", "4", "1961"),
            error="Date of birth must include a year", field="date_of_birth-year",
            provoke=date(date_of_birth, "3", "4", "")),
        FindAddress("postal-address", "What is the address of the person the information is about?",
                    postcode="SW1A2AA", found="We found SW1A 2AA in Westminster", town="Westminster",
                    line1="1 Parliament Street"),
        Ask("phone", phone, type_in(phone, ""), field="telephone", provoke=type_in(phone, "call me"),
            error="Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"),
        Ask("what-data", "What information do you want?",
            type_in("What information do you want?", "All emails between Robin and the housing team."),
            error="Enter a description of the information you want", field="description"),
        Ask("period", "Which dates or period should we search?",
            type_in("Which dates or period should we search?", "2023 to now")),
        Upload("identity", "Upload proof of identity", field="identity",
               required="Select a file, or choose 'I'll send proof of identity later'"),
    ], {"Information about": "Someone else", "Their full name": "Robin Smith", "Date of birth": "3 April 1961",
        "Telephone number": "Not given", "Proof of identity": "passport.pdf (PDF,"}


def complaint(email: str):
    when = "When did it happen?"
    return [
        Ask("stage", "Is this a new complaint?",
            choose("No, I want to escalate a complaint we have answered (stage 2)"),
            error="Select whether this is a new complaint", field="stage"),
        Ask("earlier-reference", "What is the reference of your earlier complaint?",
            type_in("What is the reference of your earlier complaint?", "CMP-2026-7K4M-Q"),
            error="Enter the reference of your earlier complaint", field="earlier_reference"),
        Ask("why-escalate", "Why are you unhappy with our response?",
            type_in("Why are you unhappy with our response?", "Nobody answered my points about missed bins."),
            error="Enter why you are unhappy with our response", field="escalation_reason"),
        *name_and_email("Alex Green", email),
        Ask("phone", "What is your telephone number?", type_in("What is your telephone number?", "07700 900 982")),
        Ask("service", "Which service is your complaint about?", choose("Housing"),
            error="Select which service your complaint is about", field="service"),
        Ask("when", when, date(when, "14", "8", "2025"), provoke=date(when, "31", "2", "2025"),
            error="When it happened must be a real date", field="incident_date-day"),
        Ask("what-happened", "What went wrong?", type_in("What went wrong?", "My bin was not collected for 3 weeks."),
            error="Enter what went wrong", field="description"),
        Ask("outcome", "What would you like us to do to put it right?",
            type_in("What would you like us to do to put it right?", "Collect it and apologise."),
            error="Enter what you would like us to do", field="outcome"),
        Ask("evidence", "Do you want to upload any documents or photos?", leave_empty),
    ], {"Complaint stage": "stage 2", "Earlier reference": "CMP-2026-7K4M-Q", "When it happened": "14 August 2025",
        "Documents": "No files"}


def compliment(email: str):
    who = "Who or which team would you like to compliment?"
    return [
        *name_and_email("Jo Bloggs", email),
        Ask("who", who, type_in(who, "The library team in Ware")),
        Ask("compliment", "What would you like to tell us?",
            type_in("What would you like to tell us?", "Wonderful help finding local history records."),
            error="Enter your compliment", field="description"),
    ], {"Who": "The library team in Ware", "Compliment": "Wonderful help"}


def enquiry(email: str):
    return [
        *name_and_email("Chris Lee", email, email_typo="chris at example.com"),
        Ask("topic", "What is your question about?", choose("Parking and roads"),
            error="Select what your question is about", field="topic"),
        Ask("question", "What is your question?", type_in("What is your question?", "When do resident permits renew?"),
            error="Enter your question", field="description"),
    ], {"Full name": "Chris Lee", "Topic": "Parking and roads", "Question": "When do resident permits renew?"}


SCRIPTS = {"foi": foi, "eir": eir, "sar": sar, "complaint": complaint, "compliment": compliment, "enquiry": enquiry}


def test_every_shipped_form_has_a_script():
    assert set(SCRIPTS) == set(FORMS)


# 1. With JavaScript: every form end to end, every page state checked with axe -------------------------

@pytest.mark.parametrize("form_id", SCRIPTS)
def test_form_end_to_end_with_javascript(page, live_server, services, email, form_id):
    journey = Journey(page, live_server, services, form_id, email, auditor=axe)
    steps, rows = SCRIPTS[form_id](email)
    journey.start()
    journey.walk(steps)
    if form_id == "compliment":  # a change link goes to the question and comes back to check answers
        journey.at("check-answers", "Check your answers before sending your request")
        journey.follow("Change who")
        expect(page.get_by_label("Who or which team would you like to compliment?")).to_have_value(
            "The library team in Ware")
        page.get_by_label("Who or which team would you like to compliment?").fill("Sam at Ware library")
        journey.press("Continue")
        rows = {**rows, "Who": "Sam at Ware library"}
    journey.check_answers(rows)
    journey.confirm_with_code()
    journey.confirmation()


def test_the_confirmation_fits_a_320_pixel_screen_and_keeps_the_reference_on_one_line(page, live_server, services):
    page.set_viewport_size({"width": 320, "height": 640})  # WCAG 1.4.10 reflow
    address = "a.person.with.a.very.long.name.indeed@a-long-subdomain.example-county-council.gov.uk"
    journey = Journey(page, live_server, services, "enquiry", address, errors=False)
    journey.submit(*enquiry(address))
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.locator(".govuk-panel strong").evaluate("el => el.getClientRects().length") == 1
    axe(page, "enquiry: confirmation at 320 px")


def test_wrong_code_five_times_locks_the_code_until_a_new_one(page, live_server, services, server_clock, email):
    journey = Journey(page, live_server, services, "enquiry", email, errors=False)
    steps, rows = enquiry(email)
    journey.start()
    journey.walk(steps)
    journey.check_answers(rows)
    first = latest_code(services, email)
    for attempt in range(5):
        page.get_by_label("Security code", exact=True).fill(wrong_code(first))
        journey.press("Confirm and send")
        if attempt < 4:
            expect(page.locator(".govuk-error-summary")).to_contain_text("The security code is incorrect")
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "You have entered the wrong code too many times. Get a new code")
    expect(page.get_by_label("Security code", exact=True)).to_have_count(0)  # no sixth try with this code
    axe(page, "enquiry: confirm email, too many attempts")

    journey.press("Send a new code")  # within 30 seconds of the last one
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Wait 30 seconds before asking for another code")
    axe(page, "enquiry: confirm email, new code too soon")
    server_clock.advance(seconds=31)
    journey.press("Send a new code")
    assert len([m for m in mail_to(services, email) if "security code" in m.body]) == 2
    second = latest_code(services, email)
    if second != first:  # the old code is dead once a new one is sent
        page.get_by_label("Security code", exact=True).fill(first)
        journey.press("Confirm and send")
        expect(page.locator(".govuk-error-summary")).to_contain_text("The security code is incorrect")
    page.get_by_label("Security code", exact=True).fill(second)
    journey.press("Confirm and send")
    journey.confirmation()


def compliment_up_to_the_emailed_link(page, live_server, services, email) -> tuple[Journey, str]:
    journey = Journey(page, live_server, services, "compliment", email, errors=False)
    steps, rows = compliment(email)
    journey.start()
    journey.walk(steps)
    journey.check_answers(rows)
    return journey, LINK.search(mail_to(services, email)[-1].body).group(1)


def test_email_link_confirms_only_with_the_button_and_only_once(page, live_server, services, email):
    journey, link = compliment_up_to_the_emailed_link(page, live_server, services, email)

    response = page.goto(live_server.url(link))
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Confirm your email address")
    axe(page, "compliment: email link")
    assert not [m for m in mail_to(services, email) if "security code" not in m.body], "a GET sent the request"
    journey.press("Confirm and send")
    reference = journey.confirmation()

    response = page.goto(live_server.url(link))
    assert response.status == 410
    expect(page.locator("h1")).to_have_text("This link has expired or has already been used")
    axe(page, "email link used")
    assert [d for d, _ in services.case_system.delivered].count(reference) == 1


def test_a_request_sent_by_the_link_on_another_device_is_shown_as_sent_here(page, live_server, services, email):
    _journey, link = compliment_up_to_the_emailed_link(page, live_server, services, email)
    phone = page.context.browser.new_context()
    try:
        other = phone.new_page()
        other.goto(live_server.url(link))
        with other.expect_navigation():
            other.get_by_role("button", name="Confirm and send").click()
        expect(other.locator("h1")).to_have_text("Compliment sent")
    finally:
        phone.close()
    page.reload()
    expect(page.locator("h1")).to_have_text("You've already sent this request")
    expect(page.locator("main")).to_contain_text("Your reference is CPL-")
    axe(page, "compliment: sent from another browser")


def test_save_and_come_back_later_on_another_device(page, live_server, services, email):
    journey = Journey(page, live_server, services, "enquiry", email, errors=False)
    steps, _rows = enquiry(email)
    journey.start()
    journey.walk(steps, until="topic")
    journey.press("Save and come back later")
    expect(page.locator("h1")).to_have_text("Save your answers and come back later")
    expect(page.get_by_label("Email address")).to_have_value(email)
    axe(page, "enquiry: save and come back later")
    journey.press("Save and email me the link")
    expect(page.locator("h1")).to_have_text("We've saved your answers")
    axe(page, "enquiry: saved")
    link = re.search(r"(/request/resume/\S+)", mail_to(services, email)[-1].body).group(1)
    phone = page.context.browser.new_context()
    try:
        other = phone.new_page()
        other.goto(live_server.url(link))
        expect(other.locator("h1")).to_have_text("Carry on with your saved request")
        axe(other, "enquiry: saved request link")
        with other.expect_navigation():
            other.get_by_role("button", name="Email me a security code").click()
        expect(other.locator("h1")).to_have_text("Check your email")
        axe(other, "enquiry: saved request code")
        other.get_by_label("Security code", exact=True).fill(latest_code(services, email))
        with other.expect_navigation():
            other.get_by_role("button", name="Continue").click()
        expect(other).to_have_url(re.compile(r"/request/enquiry/(topic|question)$"))
        other.goto(live_server.url(link + "x"))
        expect(other.locator("h1")).to_have_text("This link has expired or does not work")
        axe(other, "enquiry: saved request link that does not work")
    finally:
        phone.close()


def test_idle_draft_expires(page, live_server, services, server_clock, email):
    journey = Journey(page, live_server, services, "enquiry", email, errors=False)
    steps, _rows = enquiry(email)
    journey.start()
    journey.walk(steps, until="topic")
    server_clock.advance(minutes=live_server.app.config["PORTAL_SETTINGS"].draft_idle_minutes, seconds=1)
    response = page.reload()
    assert response.status == 410
    expect(page.locator("h1")).to_have_text("Your answers have been deleted")
    axe(page, "enquiry: answers deleted")
    journey.follow("Start again", role="button")  # a link that looks like a button
    expect(page.locator("h1")).to_have_text(FORMS["enquiry"].title)


class LookupDown:
    def lookup(self, postcode):
        raise PostcodeLookupUnavailable()


def test_postcode_lookup_down_falls_back_to_manual_entry(page, live_server, services, email, monkeypatch):
    monkeypatch.setattr(services, "postcodes", LookupDown())  # put back by monkeypatch after the test
    journey = Journey(page, live_server, services, "eir", email, errors=False)
    steps, _rows = eir(email)
    journey.start()
    journey.walk(steps, until="postal-address")
    page.get_by_label("Postcode", exact=True).fill("sg12 9dl")
    journey.press("Find address")
    expect(page.locator(".govuk-inset-text")).to_have_text(
        "We cannot look up your postcode at the moment. Enter your address below.")
    expect(page.get_by_label("Postcode", exact=True)).to_have_value("SG12 9DL")
    axe(page, "eir: postcode lookup down")
    page.get_by_label("Address line 1", exact=True).fill("5 Fore Street")
    page.get_by_label("Town or city", exact=True).fill("Ware")
    journey.press("Continue")
    journey.at("request-description", "What environmental information do you want?")


def test_option_texts_with_commas_are_shown_whole(page, live_server):
    page.goto(live_server.url("/request/complaint/stage"))
    page.get_by_role("radio", name="Yes, this is a new complaint", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Continue", exact=True).click()
    page.goto(live_server.url("/request/complaint/service"))
    expect(page.get_by_role("radio", name="Bins, recycling and street cleaning", exact=True)).to_have_count(
        1, timeout=1000)


# 2. Without JavaScript ----------------------------------------------------------------------------

@pytest.mark.parametrize("form_id", SCRIPTS)
def test_form_end_to_end_without_javascript(page_without_js, live_server, services, email, form_id):
    """Each form submits with JavaScript off; the SAR journey also meets every error, the wrong code and
    the upload (the Upload file button posts the multipart form)."""
    page = page_without_js
    journey = Journey(page, live_server, services, form_id, email, javascript=False, errors=form_id == "sar")
    steps, rows = SCRIPTS[form_id](email)
    journey.start()
    expect(page.get_by_text("We'll delete your answers if you do not do anything for 60 minutes.")).to_be_visible()
    expect(page.locator("dialog")).to_be_hidden()
    journey.walk(steps)
    journey.check_answers(rows)
    journey.confirm_with_code()
    journey.confirmation()


def test_no_javascript_rendering_passes_axe(page, live_server, services, email):
    """axe on the page states as a browser without JavaScript renders them (the shell's CDP trick)."""
    journey = Journey(page, live_server, services, "foi", email, javascript=False, auditor=ScriptsOff(page))
    steps, rows = foi(email)
    journey.submit(steps, rows)


def test_upload_without_javascript_passes_axe(page, live_server, services, email):
    scripts_off = ScriptsOff(page)
    journey = Journey(page, live_server, services, "sar", email, javascript=False, errors=False)
    steps, _rows = sar(email)
    journey.start()
    journey.walk(steps, until="identity")
    journey.auditor, journey.errors = scripts_off, True
    next(step for step in steps if step.page_id == "identity").run(journey)
    journey.at("check-answers", "Check your answers before sending your request")


# 3. Keyboard only -----------------------------------------------------------------------------------

def tab_to(page: Page, target, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {target}")


def press_key(page: Page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def test_enquiry_with_the_keyboard_only(page, live_server, services, email):
    page.goto(live_server.url("/request/enquiry"))
    tab_to(page, page.get_by_role("button", name="Start now"))
    press_key(page, "Enter")

    continue_button = page.get_by_role("button", name="Continue", exact=True)
    tab_to(page, continue_button)
    press_key(page, "Space")  # nothing typed: the error summary takes focus, its link takes it to the field
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Enter your full name")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label(NAME, exact=True)).to_be_focused()
    page.keyboard.type("Chris Lee")
    tab_to(page, continue_button)
    press_key(page, "Enter")

    tab_to(page, page.get_by_label(EMAIL, exact=True))
    page.keyboard.type(email)
    tab_to(page, continue_button)
    press_key(page, "Enter")

    tab_to(page, page.get_by_role("radio", name="Housing", exact=True))  # Tab enters the group once
    target = page.get_by_role("radio", name="Parking and roads", exact=True)
    for _ in range(6):
        if target.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(target).to_be_checked()
    tab_to(page, continue_button)
    press_key(page, "Enter")

    tab_to(page, page.get_by_label("What is your question?", exact=True))
    page.keyboard.type("When do resident permits renew?")
    tab_to(page, continue_button)
    press_key(page, "Enter")

    expect(page.locator("h1")).to_have_text("Check your answers before sending your request")
    assert summary_rows(page)["Topic"] == "Parking and roads"
    tab_to(page, continue_button)
    press_key(page, "Enter")

    tab_to(page, page.get_by_label("Security code", exact=True))
    page.keyboard.type(latest_code(services, email))
    tab_to(page, page.get_by_role("button", name="Confirm and send"))
    press_key(page, "Enter")
    expect(page.locator("h1")).to_have_text("General enquiry sent")


# 4. The timeout warning --------------------------------------------------------------------------------

def test_timeout_warning_keeps_the_answers_or_ends_on_the_expired_page(page, live_server, services, server_clock,
                                                                        email):
    idle = live_server.app.config["PORTAL_SETTINGS"].draft_idle_minutes
    page.clock.install()
    journey = Journey(page, live_server, services, "enquiry", email, errors=False)
    steps, _rows = enquiry(email)
    journey.start()
    journey.walk(steps, until="email-address")
    page.get_by_label(EMAIL, exact=True).fill(email)  # typed, not yet sent

    dialog = page.get_by_role("dialog", name="You're about to be timed out")
    expect(dialog).to_be_hidden()
    page.clock.fast_forward(f"{idle - 2:02d}:00")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("we'll delete your answers in 2 minutes")
    assert dialog.evaluate("dialog => dialog.contains(document.activeElement)"), "focus is outside the dialog"
    axe(page, "enquiry: timeout warning open")

    with page.expect_response(lambda r: r.url.endswith("/request/enquiry/keep-alive")) as kept:
        dialog.get_by_role("button", name="Continue with your general enquiry").click()
    assert kept.value.status == 200
    expect(dialog).to_be_hidden()
    expect(page.get_by_label(EMAIL, exact=True)).to_have_value(email)
    journey.press("Continue")  # the draft is still there: the answer is taken
    journey.at("topic", "What is your question about?")

    page.clock.fast_forward(f"{idle - 2:02d}:00")
    expect(dialog).to_be_visible()
    server_clock.advance(minutes=idle, seconds=1)  # on the server, the same idle time has passed
    with page.expect_navigation() as expired:
        page.clock.fast_forward("02:01")
    assert expired.value.status == 410
    expect(page.locator("h1")).to_have_text("Your answers have been deleted")
    axe(page, "enquiry: answers deleted after the timeout warning")


# 5. Upload progress ---------------------------------------------------------------------------------

def test_upload_shows_progress_then_lists_the_file_and_errors_in_place(page, live_server, services, email):
    page.clock.install()
    journey = Journey(page, live_server, services, "sar", email, errors=False)
    steps, _rows = sar(email)
    journey.start()
    journey.walk(steps, until="identity")

    held = []
    page.route("**/request/sar/identity", lambda route: held.append(route) if route.request.method == "POST"
               else route.fallback())
    page.get_by_label("Choose a file", exact=True).set_input_files(PDF)
    upload = page.get_by_role("button", name="Upload file", exact=True)
    upload.click()
    expect(page.get_by_text("Uploading:")).to_be_visible()
    expect(upload).to_be_disabled()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(20)
    assert held and held[0].request.resource_type == "xhr"
    with page.expect_navigation():
        held[0].fallback()
    page.unroute("**/request/sar/identity")
    expect(page.get_by_role("heading", name="Files added")).to_be_visible()
    expect(page.locator(".govuk-summary-list__value", has_text="passport.pdf (PDF,")).to_be_visible()

    journey.upload(EXECUTABLE_AS_PDF, accepted=False)
    journey.error_shown(WRONG_TYPE, "identity")
    expect(page.locator(".govuk-summary-list__value", has_text="passport.pdf (PDF,")).to_be_visible()
    axe(page, "sar: upload rejected in place")

    # The warning still comes, from the page the error was shown on.
    page.clock.fast_forward("58:00")
    expect(page.get_by_role("dialog", name="You're about to be timed out")).to_be_visible()


# 6. Bad input ---------------------------------------------------------------------------------------

def test_over_long_text_and_control_characters(page, live_server, services, email):
    journey = Journey(page, live_server, services, "enquiry", email, errors=False)
    steps, _rows = enquiry(email)
    journey.start()
    journey.walk(steps, until="question")
    question = page.get_by_label("What is your question?", exact=True)
    question.fill("a" * 5001)
    expect(page.locator(".govuk-character-count__status")).to_have_text("You have 1 character too many")
    journey.press("Continue")
    journey.error_shown("Question must be 5,000 characters or less", "description")
    expect(question).to_have_value("a" * 5001)  # kept to be shortened, not lost
    axe(page, "enquiry: question too long")

    question.fill("When do resident\x07 permits\u200b renew?\u202e\x00")
    journey.press("Continue")
    assert summary_rows(page)["Question"] == "When do resident permits renew?"


def test_track_your_request_by_reference_and_code_and_its_states(page, live_server, services, email):
    journey = Journey(page, live_server, services, "enquiry", email, errors=False)
    reference = journey.submit(*enquiry(email))
    page.goto(live_server.url("/request/track"))
    expect(page.locator("h1")).to_have_text("Track your request")
    axe(page, "track: start")
    journey.press("Continue")
    axe(page, "track: start with errors")
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Email address").fill(email)
    journey.press("Continue")
    expect(page.locator("h1")).to_have_text("Check your email")
    axe(page, "track: code")
    page.get_by_label("Security code", exact=True).fill(latest_code(services, email))
    journey.press("Continue")
    expect(page.locator("h1")).to_have_text("Your general enquiry")
    expect(page.locator("main .govuk-tag")).to_have_text("Received")
    axe(page, "track: received")
    from tests.unit.test_api_keys import bearer, make_key

    key = make_key(live_server.app, "submissions:status")
    live_server.app.test_client().put(f"/api/v1/submissions/{reference}/status", headers=bearer(key), json={
        "status": "clarification_needed", "message": "Which street is your permit for?"})
    page.reload()
    expect(page.locator("main .govuk-tag")).to_have_text("We need more information from you")
    page.get_by_label("Email me when the status of my request changes").check()
    journey.press("Save")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("We'll email you when the status")
    axe(page, "track: clarification needed, emails on")
    # Closed: the feedback questions, their errors, then the thanks.
    live_server.app.test_client().put(f"/api/v1/submissions/{reference}/status", headers=bearer(key), json={
        "status": "closed"})
    page.reload()
    expect(page.locator("#feedback")).to_have_text("Tell us what you think")
    axe(page, "track: closed, feedback asked")
    journey.press("Send feedback", status=400)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select whether we answered your question")
    axe(page, "track: feedback with errors")
    page.get_by_role("link", name="Select whether we answered your question").click()
    expect(page.locator("#answered_question")).to_be_focused()
    page.get_by_label("Partly").check()
    page.get_by_label("Satisfied", exact=True).check()
    page.get_by_label("How could we improve this service? (optional)").fill("Tell me sooner.")
    journey.press("Send feedback")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Thank you for your feedback")
    expect(page.get_by_text("Did we answer your question?")).to_have_count(0)
    axe(page, "track: feedback given")


# 7. In Welsh ------------------------------------------------------------------------------------------

def in_welsh(live_server, read):
    """What the form says in Welsh (its own words are capforms'; until they are Welsh, they read in English)."""
    with live_server.app.test_request_context("/?lang=cy"):
        return read()


def test_a_whole_foi_request_in_welsh(page, live_server, services, server_clock, email):
    """The FOI request from the Welsh list of forms to its tracking page: every state in Welsh with axe, the
    error states, the timeout warning's countdown in Welsh, the emails in Welsh, and the switch to English and
    back. Answers are chosen by their values: the options' words are the form's."""
    form = FORMS["foi"]
    titles = in_welsh(live_server, lambda: {p.id: p.title for p in form.pages})
    idle = live_server.app.config["PORTAL_SETTINGS"].draft_idle_minutes
    page.clock.install()

    def at(page_id: str) -> None:
        expect(page).to_have_url(re.compile(rf"/request/foi/{page_id}\?lang=cy$"))
        expect(page.locator("h1")).to_have_text(titles[page_id])
        assert page.locator("html").get_attribute("lang") == "cy"

    def press(name: str, status: int = 200) -> None:
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=name, exact=True).click()
        assert navigation.value.status == status, f"{name}: HTTP {navigation.value.status}"

    def error_shown(message: str, label: str) -> None:
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_be_focused()
        expect(summary.locator(".govuk-error-summary__title")).to_have_text("Mae problem wedi codi")
        if message:
            expect(summary.get_by_role("link")).to_contain_text(message)
        expect(page.locator(".govuk-error-message .govuk-visually-hidden").first).to_have_text("Gwall:")
        assert page.title().startswith("Gwall: ")
        axe(page, f"FOI in Welsh: {label}")

    page.goto(live_server.url("/request/?lang=cy"))
    expect(page.locator("h1")).to_have_text("Gwneud cais, cwyn neu ymholiad")
    axe(page, "FOI in Welsh: the list of forms")
    with page.expect_navigation():
        page.locator("main a[href^='/request/foi?']").click()
    expect(page.locator("h1")).to_have_text(in_welsh(live_server, lambda: form.title))
    expect(page.locator("main")).to_contain_text("Ffyrdd eraill o ofyn")
    axe(page, "FOI in Welsh: start page")
    with page.expect_navigation():
        page.get_by_role("button", name="Dechrau nawr").click()

    at("about-you")
    axe(page, "FOI in Welsh: a question")
    press("Parhau")
    error_shown("", "a question, not answered")  # the message is the form's (capforms)
    page.locator("input[name='about_yourself'][value='no']").check()
    press("Parhau")
    for page_id, field, typed in (("full-name", "full_name", "Zoë O'Brien"), ("email-address", "email", email)):
        at(page_id)
        page.locator(f"#{field}").fill(typed)
        press("Parhau")
    at("request-description")
    expect(page.locator("main")).to_contain_text("adran 21 o Ddeddf Rhyddid Gwybodaeth 2000")
    expect(page.locator(".govuk-character-count__status")).to_contain_text("nod ar ôl")  # GOV.UK Frontend's, in Welsh
    page.locator("#description").fill("The number of potholes repaired in Hertford in 2025.")
    axe(page, "FOI in Welsh: the description, before you ask")
    press("Parhau")
    for page_id, field, value in (("environmental", "environmental", "no"), ("format", "format", "email"),
                                  ("postal-address-wanted", "wants_post", "no")):
        at(page_id)
        page.locator(f"input[name='{field}'][value='{value}']").check()
        press("Parhau")

    expect(page).to_have_url(re.compile(r"/request/foi/check-answers\?lang=cy$"))
    expect(page.locator("h1")).to_have_text("Gwiriwch eich atebion cyn anfon eich cais")
    axe(page, "FOI in Welsh: check answers")
    dialog = page.locator("dialog.app-timeout-dialog")
    page.clock.fast_forward(f"{idle - 2:02d}:00")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text("Mae eich sesiwn ar fin dod i ben")
    expect(dialog).to_contain_text("Er mwyn diogelu eich gwybodaeth, byddwn yn dileu eich atebion ymhen 2 munud.")
    axe(page, "FOI in Welsh: timeout warning open")
    server_clock.advance(minutes=idle - 2)
    with page.expect_response(lambda r: r.url.startswith(live_server.url("/request/foi/keep-alive"))):
        dialog.locator("[data-continue]").click()
    expect(dialog).to_be_hidden()
    press("Parhau")

    expect(page).to_have_url(re.compile(r"/request/foi/confirm-email\?lang=cy$"))
    expect(page.locator("h1")).to_have_text("Gwiriwch eich e-bost")
    [code_email] = [m for m in mail_to(services, email) if "yw eich cod i gadarnhau" in m.subject]
    assert "?lang=cy" in code_email.body
    code = CODE.search(code_email.body).group(1)
    axe(page, "FOI in Welsh: confirm email")
    press("Cadarnhau ac anfon")
    error_shown("Rhowch y cod diogelwch", "confirm email, no code")
    page.get_by_label("Cod diogelwch", exact=True).fill(wrong_code(code))
    press("Cadarnhau ac anfon")
    error_shown("Nid yw’r cod diogelwch yn gywir", "confirm email, wrong code")
    page.get_by_label("Cod diogelwch", exact=True).fill(code)
    press("Cadarnhau ac anfon")

    expect(page).to_have_url(re.compile(r"/request/foi/confirmation\?lang=cy$"))
    panel = page.locator(".govuk-panel__body").inner_text()
    reference = re.search(rf"\bFOI-\d{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]\b", panel).group(0)
    assert panel.startswith("Eich cyfeirnod yw")
    expect(page.locator("main")).to_contain_text("Rhaid i ni ymateb erbyn ")
    expect(page.locator("main")).to_contain_text("o dan Ddeddf Rhyddid Gwybodaeth 2000, adran 10")
    axe(page, "FOI in Welsh: confirmation")
    [acknowledgement] = [m for m in mail_to(services, email) if reference in m.subject]
    assert acknowledgement.subject.startswith("Rydym wedi cael eich ") and "?lang=cy" in acknowledgement.body

    with page.expect_navigation():
        page.get_by_role("link", name="olrhain eich cais", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Eich ")
    expect(page.locator("main")).to_contain_text("Wedi dod i law")
    axe(page, "FOI in Welsh: track your request")
    page.get_by_role("checkbox", name="Anfon e-bost ataf pan fydd statws fy nghais yn newid").check()
    press("Cadw")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Byddwn yn anfon e-bost atoch pan fydd statws eich cais yn newid.")
    axe(page, "FOI in Welsh: track your request, emails on")

    # To English and back: the same page
    with page.expect_navigation():
        page.get_by_role("navigation", name="Dewis iaith").get_by_role("link", name="English").click()
    expect(page.locator("main")).to_contain_text("Received")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Choose a language").get_by_role("link", name="Cymraeg").click()
    expect(page.locator("main")).to_contain_text("Wedi dod i law")
