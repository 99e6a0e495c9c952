"""The HTTPS tier: the production topology (tests/support/production.py) started once for the tier, and
Debian's Chromium resolving portal.test to loopback and trusting only the test certificate's key."""
from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.support.browser import checked_page, launched_chromium, unique_email
from tests.support.production import HOST, Production, production_portal


@pytest.fixture(scope="session")
def production(postgres_admin) -> Production:
    with production_portal(postgres_admin) as portal:
        yield portal


@pytest.fixture(scope="session")
def https_browser(playwright, production) -> Browser:
    # Trust this one certificate key, as a browser trusts a public CA's: no ignore-all-errors switch, so the
    # pages are a secure context exactly as in production.
    args = (f"--host-resolver-rules=MAP {HOST} 127.0.0.1",
            f"--ignore-certificate-errors-spki-list={production.certificates.spki_sha256}")
    with launched_chromium(playwright, args) as chromium:
        yield chromium


@pytest.fixture
def page(https_browser, production) -> Page:
    with checked_page(https_browser, production.base_url, javascript=True) as page:
        yield page


@pytest.fixture
def page_without_js(https_browser, production) -> Page:
    with checked_page(https_browser, production.base_url, javascript=False) as page:
        yield page


@pytest.fixture
def email(request) -> str:
    return unique_email(request.node.name)
