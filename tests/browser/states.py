"""A feature's page states checked the same way everywhere: visited with JavaScript and without, the GOV.UK page
content there, axe-core on each rendering, then what a person sees in that state (`seen(page, javascript)`)."""
from __future__ import annotations

from typing import Callable

from playwright.sync_api import Page

from accessibility.pages import PageCheck
from tests.browser.test_shell_accessibility import (assert_axe_passes, assert_govuk_page_content,
                                                    page_scripts_disabled, visit)


def check_with_javascript(page: Page, live_server, check: PageCheck, seen: Callable[[Page, bool], None]) -> None:
    visit(page, check, live_server)
    assert_govuk_page_content(page)
    assert_axe_passes(page, check.name)
    seen(page, True)


def check_without_javascript(page: Page, live_server, check: PageCheck, seen: Callable[[Page, bool], None]) -> None:
    """Rendered with the page's scripts off; axe (which needs scripting) then runs on that rendering."""
    with page_scripts_disabled(page) as enable_scripts:
        visit(page, check, live_server)
        assert "js-enabled" not in page.locator("body").get_attribute("class").split()
        assert_govuk_page_content(page)
        seen(page, False)
        enable_scripts()
        assert_axe_passes(page, f"{check.name}, JavaScript off")
