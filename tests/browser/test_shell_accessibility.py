"""Every page and state in accessibility/pages.py, in Chromium with the real CSS, JS and CSP:
axe-core (WCAG 2.2 A and AA) with JavaScript on and off, the status, the GOV.UK styles,
the keyboard route through the start page, and the CSRF failure page keeping the user's answers."""
from __future__ import annotations

import dataclasses
import contextlib
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Response, expect

from accessibility.pages import TEST_FORM, TEST_FORM_QUESTION, PageCheck, all_pages

pytestmark = pytest.mark.browser

PAGES = all_pages()
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE = Axe()
GOVUK_YELLOW = "rgb(255, 221, 0)"
GOVUK_BRAND_BLUE = "rgb(29, 112, 184)"
GENERIC_HEADER_BLACK = "rgb(11, 12, 12)"
SCREENSHOTS = {"start": "start.png", "error 404": "error-404.png"}
SCREENSHOT_DIR = Path(os.environ.get("BROWSER_SCREENSHOTS", "/tmp/screens"))


def visit(page: Page, check: PageCheck, server) -> Response:
    response = check.setup(page, server) if check.setup else page.goto(server.url(check.path))
    assert response is not None, f"{check.name}: no navigation response"
    assert response.status == check.status, f"{check.name}: HTTP {response.status}, expected {check.status}"
    return response


def assert_axe_passes(page: Page, label: str) -> None:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA},
                                     "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"{label} ({page.url}):\n{results.generate_report()}"


def assert_govuk_styles_applied(page: Page) -> None:
    """The GOV.UK Frontend CSS and its fonts were served and used, not blocked by the CSP."""
    styles = page.evaluate("""async () => {
        await document.fonts.ready;  // the fonts the page uses, loaded or failed
        const css = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
        return {
            heading: css("h1", "fontFamily"),
            header: css(".govuk-header, .govuk-generic-header", "backgroundColor"),
            crown: document.querySelector(".govuk-header") !== null,
            container: css(".govuk-width-container", "maxWidth"),
            fontLoaded: document.fonts.check('19px "GDS Transport"')
                && [...document.fonts].some(f => f.family.includes("GDS Transport") && f.status === "loaded"),
        };
    }""")
    if styles["crown"]:
        assert "GDS Transport" in styles["heading"], styles
        assert styles["fontLoaded"], f"the GDS Transport font did not load: {styles}"
    else:  # GOV.UK's typeface is licensed for services on GOV.UK only (govuk_templates/assets.py)
        assert "GDS Transport" not in styles["heading"] and "arial" in styles["heading"], styles
    # GOV.UK's blue header is a Crown body's; any other body's header is GOV.UK Frontend's generic (black) one
    assert styles["header"] == (GOVUK_BRAND_BLUE if styles["crown"] else GENERIC_HEADER_BLACK), styles
    assert styles["container"] == "960px", styles


FOOTER = {"en": ("Accessibility statement", "Cookies", "Privacy"), "cy": ("Datganiad hygyrchedd", "Cwcis", "Preifatrwydd")}


def assert_govuk_page_content(page: Page, language: str = "en") -> None:
    """What a user sees on any page: skip link, header, one heading, main content, footer links, in `language`."""
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("a.govuk-skip-link").get_attribute("href") == "#main-content"
    assert page.locator(".govuk-header, .govuk-generic-header").first.is_visible()
    headings = page.locator("h1")
    assert headings.count() == 1
    assert headings.first.is_visible() and headings.first.inner_text().strip()
    assert page.title().removeprefix("Error: ").removeprefix("Gwall: ").startswith(headings.first.inner_text().strip())
    assert page.locator("main#main-content").is_visible()
    footer = page.locator(".govuk-footer")
    for name in FOOTER[language]:
        assert footer.get_by_role("link", name=name).is_visible(), f"footer link {name!r} missing"


@contextlib.contextmanager
def page_scripts_disabled(page: Page):
    """Load pages with their own scripts off, then switch scripting back on so axe can run.

    axe-core needs timers, which never fire in a context created with java_script_enabled=False;
    scripts that were skipped while loading do not run when scripting is switched back on,
    so axe sees the page exactly as a browser without JavaScript rendered it."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        yield lambda: cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
    finally:
        cdp.detach()


@pytest.mark.parametrize("check", PAGES, ids=str)
def test_page_with_javascript(page, live_server, check):
    visit(page, check, live_server)
    assert_govuk_page_content(page)
    assert_govuk_styles_applied(page)
    # The nonce'd inline script and the GOV.UK Frontend module both ran under the CSP.
    body_classes = page.locator("body").get_attribute("class").split()
    assert {"js-enabled", "govuk-frontend-supported"} <= set(body_classes), body_classes
    assert page.locator(".govuk-skip-link").get_attribute("data-govuk-skip-link-init") is not None
    assert_axe_passes(page, check.name)
    if check.name in SCREENSHOTS:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOT_DIR / SCREENSHOTS[check.name], full_page=True)


@pytest.mark.parametrize("check", PAGES, ids=str)
def test_page_without_javascript(page_without_js, live_server, check):
    visit(page_without_js, check, live_server)
    assert_govuk_page_content(page_without_js)
    assert_govuk_styles_applied(page_without_js)
    body_classes = page_without_js.locator("body").get_attribute("class").split()
    assert "js-enabled" not in body_classes and "govuk-frontend-supported" not in body_classes


@pytest.mark.parametrize("check", PAGES, ids=str)
def test_page_without_javascript_passes_axe(page, live_server, check):
    with page_scripts_disabled(page) as enable_scripts:
        visit(page, check, live_server)
        assert "js-enabled" not in page.locator("body").get_attribute("class").split()
        enable_scripts()
        assert_axe_passes(page, f"{check.name}, JavaScript off")


# Welsh: the shell's own pages, each state with axe, and the switcher -------------------------------

SHELL_IN_WELSH = [check for check in PAGES if check.path and check.name in {
    "start", "accessibility statement", "cookies", "privacy", "error 403", "error 404", "error 429", "error 500"}]


@pytest.mark.parametrize("check", SHELL_IN_WELSH, ids=str)
def test_shell_page_in_welsh_with_javascript(page, live_server, check):
    response = page.goto(live_server.url(check.path + "?lang=cy"))
    assert response.status == check.status
    assert_govuk_page_content(page, "cy")
    assert_govuk_styles_applied(page)
    expect(page.locator(".govuk-skip-link")).to_have_text("Neidio i’r prif gynnwys")
    assert page.locator(".govuk-skip-link").get_attribute("data-govuk-skip-link-init") is not None  # initAll ran
    switcher = page.get_by_role("navigation", name="Dewis iaith")
    expect(switcher.locator("[aria-current=true]")).to_have_text("Cymraeg")
    english = switcher.get_by_role("link", name="English")
    assert (english.get_attribute("hreflang"), english.get_attribute("lang")) == ("en", "en")
    assert_axe_passes(page, f"{check.name} in Welsh")


@pytest.mark.parametrize("check", [c for c in SHELL_IN_WELSH if c.name in {"start", "error 404"}], ids=str)
def test_shell_page_in_welsh_without_javascript_passes_axe(page, live_server, check):
    with page_scripts_disabled(page) as enable_scripts:
        page.goto(live_server.url(check.path + "?lang=cy"))
        assert_govuk_page_content(page, "cy")
        enable_scripts()
        assert_axe_passes(page, f"{check.name} in Welsh, JavaScript off")


def test_the_language_switcher_keeps_the_choice_for_the_visit(page, live_server):
    page.goto(live_server.url("/cookies"))
    with page.expect_navigation():
        page.get_by_role("navigation", name="Choose a language").get_by_role("link", name="Cymraeg").click()
    expect(page).to_have_url(live_server.url("/cookies?lang=cy"))
    assert_govuk_page_content(page, "cy")
    with page.expect_navigation():
        page.locator(".govuk-footer").get_by_role("link", name="Preifatrwydd").click()
    expect(page).to_have_url(live_server.url("/privacy?lang=cy"))
    page.goto(live_server.url("/accessibility-statement"))  # an address typed without ?lang: the visit is in Welsh
    assert_govuk_page_content(page, "cy")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Dewis iaith").get_by_role("link", name="English").click()
    assert_govuk_page_content(page, "en")
    page.goto(live_server.url("/"))
    assert_govuk_page_content(page, "en")


def focused(page: Page) -> dict:
    return page.evaluate("""() => {
        const element = document.activeElement;
        const style = getComputedStyle(element);
        return {id: element.id, target: element.dataset.keyboardTarget ?? null, html: element.outerHTML.slice(0, 120),
                background: style.backgroundColor, outlineColor: style.outlineColor,
                outlineStyle: style.outlineStyle};
    }""")


def has_govuk_focus_style(state: dict) -> bool:
    return state["background"] == GOVUK_YELLOW or (state["outlineStyle"] != "none"
                                                   and state["outlineColor"] == GOVUK_YELLOW)


def test_keyboard_route_through_the_start_page(page, live_server):
    page.goto(live_server.url("/"))
    assert focused(page)["html"].startswith("<body"), "something had focus before the first Tab"
    page.keyboard.press("Tab")
    skip = focused(page)
    assert "govuk-skip-link" in skip["html"], f"first Tab focused {skip['html']}"
    assert has_govuk_focus_style(skip), skip

    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main-content", "Enter on the skip link did not move focus to the main content"

    targets = page.evaluate("""() => {
        const links = [...document.querySelectorAll("#main-content a[href], .govuk-footer a[href]")]
            .filter(link => link.getClientRects().length > 0);
        links.forEach((link, index) => { link.dataset.keyboardTarget = String(index); });
        return links.map(link => link.textContent.trim() || link.getAttribute("href"));
    }""")
    assert any("Accessibility statement" in t for t in targets) and len(targets) >= 4, targets
    reached: dict[int, dict] = {}
    for _ in range(len(targets) + 20):
        page.keyboard.press("Tab")
        state = focused(page)
        if state["target"] is not None:
            reached[int(state["target"])] = state
        if len(reached) == len(targets) or state["html"].startswith("<body"):
            break
    missed = [targets[i] for i in range(len(targets)) if i not in reached]
    assert not missed, f"Tab never reached: {missed}"
    unstyled = [state["html"] for state in reached.values() if not has_govuk_focus_style(state)]
    assert not unstyled, f"focused without the GOV.UK yellow focus style: {unstyled}"


def lose_token_by_removing_it(page: Page) -> None:
    page.locator("input[name=csrf_token]").evaluate("input => input.remove()")


def lose_token_with_the_session(page: Page) -> None:
    page.context.clear_cookies()


@pytest.mark.parametrize(("page_fixture", "lose_token"), [
    ("page", lose_token_by_removing_it),
    ("page", lose_token_with_the_session),
    ("page_without_js", lose_token_with_the_session),  # removing an input needs scripting; a lost session does not
], ids=["js-token-removed", "js-session-lost", "no-js-session-lost"])
def test_csrf_failure_keeps_the_answers_and_continue_sends_them(request, live_server, page_fixture, lose_token):
    browser_page = request.getfixturevalue(page_fixture)
    javascript = page_fixture == "page"
    browser_page.goto(live_server.url(TEST_FORM))
    browser_page.get_by_label(TEST_FORM_QUESTION).fill("Grace Hopper")
    lose_token(browser_page)
    with browser_page.expect_navigation() as failed:
        browser_page.get_by_role("button", name="Continue").click()
    assert failed.value.status == 400
    assert browser_page.locator("h1").inner_text() == "Sorry, we could not send your answers"
    assert browser_page.get_by_text("Your answers have not been lost").is_visible()
    assert_govuk_page_content(browser_page)
    if javascript:
        assert_axe_passes(browser_page, "CSRF failure page")

    continue_button = browser_page.get_by_role("button", name="Continue")
    continue_button.focus()
    with browser_page.expect_navigation() as resent:
        browser_page.keyboard.press("Enter")
    assert resent.value.status == 200
    assert browser_page.locator("h1").inner_text() == "Your answer was received"
    assert browser_page.locator("#answer").inner_text() == "Grace Hopper"


def test_a_crown_body_s_pages_wear_gov_uk_s_header_and_typeface(page, live_server):
    """The suite runs as a council (GOV.UK Frontend's generic header, no GDS Transport); a Crown body's pages
    keep GOV.UK's blue header, crown and typeface, and still pass axe."""
    settings = live_server.app.config["PORTAL_SETTINGS"]
    live_server.app.config["PORTAL_SETTINGS"] = dataclasses.replace(settings, copyright_notice="© Crown copyright")
    try:
        page.goto(live_server.url("/cookies"))
        assert_govuk_page_content(page)
        assert_govuk_styles_applied(page)
        expect(page.locator(".govuk-header .govuk-header__logotype")).to_be_visible()
        assert page.title().endswith(" - GOV.UK")
        assert_axe_passes(page, "a Crown body's cookies page")
    finally:
        live_server.app.config["PORTAL_SETTINGS"] = settings
