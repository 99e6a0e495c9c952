"""A live portal on 127.0.0.1 and Debian's Chromium driven by Playwright, with the real CSP in force.

Every page fixture records console errors, page errors and CSP violations, and fails the test
that caused any.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from flask import Flask, abort, render_template_string, request
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from werkzeug.serving import make_server

from accessibility.pages import TEST_ABORT, TEST_CRASH, TEST_FORM, TEST_FORM_FIELD, TEST_FORM_QUESTION
from portal.app import create_app
from portal.services import Services
from tests.conftest import make_settings
from tests.fakes import FakeCaseSystem, FakeClock, FakeMailer, FakePostcodes, FakeScanner, FakeStore

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]

FORM_PAGE = """{% extends "govuk_templates/base.html" %}
{% from "govuk_frontend_jinja/components/input/macro.html" import govukInput %}
{% block title %}{{ heading }}{% endblock %}
{% block main_content %}
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
  {% if answer is none %}
    <form method="post" action="{{ request.path }}" novalidate>
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
      {{ govukInput({'label': {'text': heading, 'isPageHeading': true, 'classes': 'govuk-label--l'},
                     'id': field, 'name': field, 'autocomplete': 'name', 'spellcheck': false}) }}
      {{ govukButton({'text': 'Continue'}) }}
    </form>
  {% else %}
    <h1 class="govuk-heading-l">{{ heading }}</h1>
    <p class="govuk-body">You answered: <strong id="answer">{{ answer }}</strong></p>
  {% endif %}
  </div>
</div>
{% endblock %}
"""


def add_test_routes(app: Flask) -> None:
    """Routes only the browser suite has: one per error status, a crash, and a one-question form."""

    @app.get(TEST_ABORT.replace("{code}", "<int:code>"))
    def _abort(code):
        abort(code)

    @app.get(TEST_CRASH)
    def _crash():
        raise RuntimeError("an unexpected failure the user must not see")

    @app.route(TEST_FORM, methods=["GET", "POST"])
    def _form():
        if request.method == "POST":
            return render_template_string(FORM_PAGE, heading="Your answer was received", field=TEST_FORM_FIELD,
                                          answer=request.form.get(TEST_FORM_FIELD, ""))
        return render_template_string(FORM_PAGE, heading=TEST_FORM_QUESTION, field=TEST_FORM_FIELD, answer=None)


@dataclass
class LiveServer:
    base_url: str
    app: Flask

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> LiveServer:
    # One browser suite makes hundreds of requests from one address; rate limits have their own unit tests.
    settings = make_settings(tmp_path_factory.mktemp("browser-var"), ratelimit_default="100000 per minute")
    services = Services(store=FakeStore(), mailer=FakeMailer(), scanner=FakeScanner(), postcodes=FakePostcodes(),
                        case_system=FakeCaseSystem(), clock=FakeClock())
    app = create_app(settings, services)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # an unexpected exception gets the 500 page, as in production
    database = app.extensions["portal.db"]
    database.upgrade()
    add_test_routes(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        database.dispose()


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageProblems:
    """What the browser complained about while a test ran."""
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.console_errors or self.page_errors or self.csp_violations)

    def report(self) -> str:
        lines = [f"console error: {m}" for m in self.console_errors]
        lines += [f"page error: {m}" for m in self.page_errors]
        lines += [f"CSP violation: {m}" for m in self.csp_violations]
        return "\n".join(lines)


# Added to every document before its own scripts, so each securitypolicyviolation event is
# reported as a console error. With JavaScript off it cannot run; Chromium's own console error
# ("... violates the following Content Security Policy directive ...") still reports the violation.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`securitypolicyviolation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
                + ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


def _open_page(browser: Browser, live_server: LiveServer, *, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript, base_url=live_server.base_url,
                                  viewport={"width": 1280, "height": 900}, locale="en-GB")
    problems = PageProblems()
    page = context.new_page()
    page.set_default_timeout(10_000)

    documents: set[str] = set()

    def on_response(response) -> None:
        if response.request.is_navigation_request():
            documents.add(response.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "")
        if message.text.startswith("Failed to load resource: the server responded") and url in documents:
            return  # an error page's own status: the tests assert it
        if message.text.startswith("securitypolicyviolation") or "Content Security Policy" in message.text:
            problems.csp_violations.append(f"{message.text} ({url})")
        else:
            problems.console_errors.append(f"{message.text} ({url})")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.add_init_script(CSP_LISTENER)
    return context, page, problems


def _check_no_problems(problems: PageProblems) -> None:
    if problems:
        pytest.fail("the browser reported problems:\n" + problems.report(), pytrace=False)


@pytest.fixture
def page(browser, live_server) -> Page:
    """A fresh page with JavaScript on; the test fails on any console error or CSP violation."""
    context, page, problems = _open_page(browser, live_server, javascript=True)
    try:
        yield page
    finally:
        context.close()
    _check_no_problems(problems)


@pytest.fixture
def page_without_js(browser, live_server) -> Page:
    """A fresh page with JavaScript switched off, as some users browse."""
    context, page, problems = _open_page(browser, live_server, javascript=False)
    try:
        yield page
    finally:
        context.close()
    _check_no_problems(problems)


# Shared by the service journeys ----------------------------------------------------------------

@pytest.fixture
def services(live_server):
    return live_server.app.extensions["portal.services"]


@pytest.fixture(autouse=True)
def fresh_rate_limits(live_server):
    """Every browser test comes from 127.0.0.1: each starts with the per-route limits unspent."""
    from portal.security import limiter

    limiter.reset()


@pytest.fixture
def server_clock(services):
    """The live server's FakeClock, put back where it was after the test."""
    clock = services.clock
    before = clock.current
    yield clock
    clock.current = before


@pytest.fixture
def email(request) -> str:
    """An address only this test uses, so its codes and emails are told apart in the shared FakeMailer."""
    import re
    import uuid

    slug = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40]
    return f"{slug}.{uuid.uuid4().hex[:8]}@example.com"
