"""Capture's pages that a URL alone reaches, for the shell's browser checks (axe, CSP, no-JS, styles).

The states behind answers, errors, codes and uploads are driven in tests/browser/test_capture_browser.py.
"""
from __future__ import annotations

from accessibility.pages import PageCheck, register
from capture.definitions import load_all

# The shell's style check reads the <h1>'s own font. A question whose label is the heading puts the
# font on the <label> inside an unstyled <h1 class="govuk-label-wrapper">, so only first pages whose
# heading is a fieldset legend are listed here; the journey tests check every question page with axe.


def _checks() -> list[PageCheck]:
    checks = [PageCheck("capture list of forms", "/request/")]
    for form in sorted(load_all().values(), key=lambda f: f.order):
        checks.append(PageCheck(f"capture {form.id} start", f"/request/{form.id}"))
        first = form.pages[0]
        if first.question and first.question.heading_in_legend:
            # The first question page starts a draft, so a fresh browser reaches it by its address.
            checks.append(PageCheck(f"capture {form.id} first question", f"/request/{form.id}/{first.id}"))
    # A later page with no draft behind it is the "answers deleted" page; a forged email link fails closed.
    checks.append(PageCheck("capture answers deleted", "/request/enquiry/question", 410))
    checks.append(PageCheck("capture email link invalid", "/request/confirm/not-a-real-link", 410))
    return checks


register(*_checks())
