"""Every page and state the browser checks visit (tests/browser): axe-core, CSP, keyboard, no-JS.

A page is a PageCheck. A plain page is a path and the status it must answer with. A state that
needs data or browser steps first (a form with errors, an expired link) has a `setup` instead:
`setup(page, server)` drives the Playwright page there and returns the navigation's response;
`server` is the live test server (`server.url(path)`, `server.app` for seeding data).

A feature adds its own pages without touching the checks themselves: it puts `register(PageCheck(...), ...)`
in `<feature>/browser_pages.py`, which `all_pages()` imports (the three features are always installed).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

# Routes that only the browser test server has (tests/browser/conftest.py adds them).
TEST_ABORT = "/__test/abort/{code}"  # abort(code)
TEST_CRASH = "/__test/crash"  # an unexpected exception
TEST_FORM = "/__test/form"  # a one-question GOV.UK form, POST to itself
TEST_FORM_FIELD = "answer"
TEST_FORM_QUESTION = "What is your name?"


@dataclass(frozen=True)
class PageCheck:
    name: str
    path: str | None
    status: int = 200
    setup: Callable[["Page", Any], "Response | None"] | None = None

    def __str__(self) -> str:
        return self.name


def submit_form_with_expired_session(page: "Page", server) -> "Response | None":
    """The CSRF failure state: a form answered after the session (and so its CSRF token) was lost."""
    page.goto(server.url(TEST_FORM))
    page.get_by_label(TEST_FORM_QUESTION).fill("Ada Lovelace")
    page.context.clear_cookies()
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Continue").click()
    return navigation.value


PAGES: list[PageCheck] = [
    PageCheck("start", "/"),
    PageCheck("accessibility statement", "/accessibility-statement"),
    PageCheck("cookies", "/cookies"),
    PageCheck("privacy", "/privacy"),
    PageCheck("error 400", TEST_ABORT.format(code=400), 400),
    PageCheck("error 403", TEST_ABORT.format(code=403), 403),
    PageCheck("error 404", "/no-such-page", 404),
    PageCheck("error 410", TEST_ABORT.format(code=410), 410),
    PageCheck("error 413", TEST_ABORT.format(code=413), 413),
    PageCheck("error 429", TEST_ABORT.format(code=429), 429),
    PageCheck("error 500", TEST_CRASH, 500),
    PageCheck("error 503", TEST_ABORT.format(code=503), 503),
    PageCheck("csrf failure", None, 400, setup=submit_form_with_expired_session),
]


def register(*checks: PageCheck) -> None:
    """Add a service's pages and states; names must be unique (they name the tests)."""
    for check in checks:
        if any(existing.name == check.name for existing in PAGES):
            raise ValueError(f"a page check named {check.name!r} is already registered")
        PAGES.append(check)


def all_pages() -> list[PageCheck]:
    """The shell's pages plus every feature's, which each feature's browser_pages registers when imported."""
    import capture.browser_pages  # noqa: F401
    import disclosure_log.alert_browser_pages  # noqa: F401
    import disclosure_log.browser_pages  # noqa: F401
    import secure_share.browser_pages  # noqa: F401

    return list(PAGES)
