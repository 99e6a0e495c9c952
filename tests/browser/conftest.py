"""A live portal on 127.0.0.1 and Debian's Chromium driven by Playwright, with the real CSP in force.

Every page fixture records console errors, page errors and CSP violations, and fails the test
that caused any.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from flask import Flask, abort, render_template_string, request
from playwright.sync_api import Browser, Page
from werkzeug.serving import make_server

from accessibility.pages import TEST_ABORT, TEST_CRASH, TEST_FORM, TEST_FORM_FIELD, TEST_FORM_QUESTION
from portal.app import create_app
from portal.services import Services
from tests.conftest import make_settings
from tests.support.browser import checked_page, launched_chromium, unique_email
from tests.fakes import FakeCaseSystem, FakeClock, FakeMailer, FakePostcodes, FakeScanner, FakeStore, FakeWebhooks


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
                        case_system=FakeCaseSystem(), clock=FakeClock(), webhooks=FakeWebhooks())
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
def browser(playwright) -> Browser:
    with launched_chromium(playwright) as chromium:
        yield chromium


@pytest.fixture
def page(browser, live_server) -> Page:
    """A fresh page with JavaScript on; the test fails on any console error or CSP violation."""
    with checked_page(browser, live_server.base_url, javascript=True) as page:
        yield page


@pytest.fixture
def page_without_js(browser, live_server) -> Page:
    """A fresh page with JavaScript switched off, as some users browse."""
    with checked_page(browser, live_server.base_url, javascript=False) as page:
        yield page


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
    return unique_email(request.node.name)
