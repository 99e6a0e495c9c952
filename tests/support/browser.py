"""Debian's Chromium for the browser tiers, and the problems a page reports while a test drives it.

Every page opened with `open_page` records console errors, page errors and CSP violations;
`check_no_problems` fails the test that caused any.
"""
from __future__ import annotations

import contextlib
import re
import uuid
from dataclasses import dataclass, field
from typing import Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


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


def open_page(browser: Browser, base_url: str, *, javascript: bool):
    context = browser.new_context(java_script_enabled=javascript, base_url=base_url,
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


def check_no_problems(problems: PageProblems) -> None:
    if problems:
        pytest.fail("the browser reported problems:\n" + problems.report(), pytrace=False)


def unique_email(test_name: str) -> str:
    """An address only this test uses, so its codes and emails are told apart from every other test's."""
    slug = re.sub(r"[^a-z0-9]+", "-", test_name.lower()).strip("-")[:40]
    return f"{slug}.{uuid.uuid4().hex[:8]}@example.com"


@contextlib.contextmanager
def launched_chromium(playwright, extra_args: tuple[str, ...] = ()) -> Iterator[Browser]:
    """A Chromium of its own from the test run's one Playwright (the sync API allows one per thread)."""
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args],
                                          headless=True)
    try:
        yield chromium
    finally:
        chromium.close()


@contextlib.contextmanager
def checked_page(browser: Browser, base_url: str, *, javascript: bool) -> Iterator[Page]:
    """A fresh page; when the test is over, any console error, page error or CSP violation fails it."""
    context, page, problems = open_page(browser, base_url, javascript=javascript)
    try:
        yield page
    finally:
        context.close()
    check_no_problems(problems)
