"""Secure Share in Chromium against the live server: the requester's whole journey with axe-core (WCAG 2.2 A
and AA) on every state (sign in, code sent, wrong code, locked, the share page, history, removal, expired,
cancelled, a broken link, signed out), real downloads of one document and of the zip, the same journey
without JavaScript, sign-in with the keyboard only, and the idle timeout warning."""
from __future__ import annotations

import contextlib
import io
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from portal.dates import govuk_datetime
from portal.formatting import human_size, masked_email
from secure_share import downloads, service, signing_in
from secure_share.models import Share
from tests.browser.test_shell_accessibility import assert_axe_passes, assert_govuk_page_content
from tests.share_helpers import MadeShare, change, make_share, pdf

pytestmark = pytest.mark.browser

CODE = re.compile(r"^(\d{6}) is your security code$")
BODY = "Example Council"
RECORDS = "John Smith medical records.pdf"
LETTER = "Covering letter.pdf"

SIGN_IN = f"Get your documents from {BODY}"
CHECK_EMAIL = "Check your email"
LOCKED = "You've entered the wrong code too many times"
FILES = f"Your documents from {BODY}"
HISTORY = "Access and download history"
REMOVE = "Are you sure you want to remove these documents?"
REMOVED = "Your documents have been removed"
CLOSED_REMOVED = "These documents have been removed"
EXPIRED = "These documents are no longer available"
CANCELLED = "This link has been cancelled"
LINK_INVALID = "This link does not work"
SIGNED_OUT = "You have signed out"
TIMED_OUT = "For your security, we signed you out"
WARNING = "You're about to be signed out"


# Fixtures -----------------------------------------------------------------------------------

# services, server_clock, email and fresh rate limits come from tests/browser/conftest.py.


@pytest.fixture
def share(live_server, services, email) -> MadeShare:
    """A sent share of two PDFs, with a message, for this test's own address."""
    return make_share(live_server.app, services, [(RECORDS, pdf(2000, seed=1)), (LETTER, pdf(70_000, seed=2))],
                      email=email, message="Here are the records you asked for.\n\nThe letter explains them.")


# Helpers ------------------------------------------------------------------------------------

def codes_to(services, address: str) -> list[str]:
    return [CODE.match(m.subject).group(1) for m in services.mailer.sent
            if m.to == address and CODE.match(m.subject)]


def latest_code(services, address: str) -> str:
    codes = codes_to(services, address)
    assert codes, f"no security code was emailed to {address}"
    return codes[-1]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def heading(page: Page, text: str, language: str = "en") -> None:
    expect(page.locator("h1")).to_have_text(text)
    assert_govuk_page_content(page, language)


def press(page: Page, name: str):
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=name, exact=True).click()
    return navigation.value


def follow(page: Page, name: str):
    with page.expect_navigation() as navigation:
        page.get_by_role("link", name=name, exact=True).click()
    return navigation.value


def ask_for_code(page: Page, live_server, share: MadeShare) -> None:
    response = page.goto(live_server.url(share.url))
    assert response.status == 200
    heading(page, SIGN_IN)
    response = press(page, "Send the security code")
    assert response.status == 200
    heading(page, CHECK_EMAIL)


def enter_code(page: Page, code: str):
    page.get_by_label("Security code", exact=True).fill(code)
    return press(page, "Continue")


def sign_in(page: Page, live_server, services, share: MadeShare, email: str) -> None:
    ask_for_code(page, live_server, share)
    response = enter_code(page, latest_code(services, email))
    assert response.status == 200
    expect(page).to_have_url(live_server.url(f"{share.url}/files"))
    heading(page, FILES)


def error_shown(page: Page, text: str) -> None:
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(text)
    assert summary.get_by_role("link").get_attribute("href") == "#code"
    expect(page.locator("#code-error")).to_contain_text(text)
    assert page.title().startswith("Error: ")


def document_links(page: Page) -> list[str]:
    return [text.strip() for text in page.locator(".app-document-list a").all_inner_texts()]


def expected_link(title: str, data: bytes) -> str:
    return f"{title.removesuffix('.pdf')} (PDF, {human_size(len(data))})"


# 1. The journey with JavaScript, axe on every state ------------------------------------------

def test_requester_journey_with_axe_on_every_state(page, live_server, services, share, email):
    page.goto(live_server.url(share.url))
    heading(page, SIGN_IN)
    masked = masked_email(email)
    expect(page.locator("main")).to_contain_text(f"We'll email a security code to {masked}.")
    expect(page.locator("main")).not_to_contain_text("medical records")  # nothing shown before sign-in
    assert_axe_passes(page, "share: sign in")

    press(page, "Send the security code")
    heading(page, CHECK_EMAIL)
    expect(page.locator("main")).to_contain_text(f"We've sent a security code to {masked}.")
    assert len(codes_to(services, email)) == 1
    assert_axe_passes(page, "share: code sent")

    code = latest_code(services, email)
    enter_code(page, "")
    error_shown(page, "Enter the security code")
    assert_axe_passes(page, "share: no code entered")
    enter_code(page, "12ab")
    error_shown(page, "The security code must be 6 numbers")
    expect(page.get_by_label("Security code", exact=True)).to_have_value("12ab")
    enter_code(page, wrong(code))
    error_shown(page, "The security code is not correct. Check the newest email we sent you and try again. You can try 4 more times")
    assert_axe_passes(page, "share: wrong code")

    enter_code(page, code)
    expect(page).to_have_url(live_server.url(f"{share.url}/files"))
    heading(page, FILES)
    records, letter = share.documents
    assert document_links(page) == [expected_link(RECORDS, share.data[records]),
                                    expected_link(LETTER, share.data[letter])]
    with live_server.app.app_context(), live_server.app.extensions["portal.db"].sessionmaker() as session:
        made = session.get(service.Share, share.id)
        expires_at = made.expires_at
        zip_size = downloads.zip_size(list(made.documents))
        store_keys = [document.store_key for document in made.documents]
    now = services.clock.now()
    expect(page.locator("#time-left")).to_have_text(
        f"{service.time_left(now, expires_at)} The documents will be removed from this page on "
        f"{govuk_datetime(service.removal_moment(expires_at))}.")
    expect(page.locator("#time-left")).to_contain_text("You have 30 days left to download your documents.")
    expect(page.locator(".govuk-inset-text p")).to_have_text(["Here are the records you asked for.",
                                                             "The letter explains them."])
    expect(page.get_by_role("dialog")).to_have_count(0)  # the timeout warning is not shown yet
    assert_axe_passes(page, "share: documents")

    # One document: the browser saves it under its own name, byte for byte.
    with page.expect_download() as one:
        page.get_by_role("link", name=expected_link(LETTER, share.data[letter])).click()
    assert one.value.failure() is None
    assert one.value.suggested_filename == LETTER
    with open(one.value.path(), "rb") as saved:
        assert saved.read() == share.data[letter]

    # All of them: a zip that opens and holds each document under its name.
    download_all = page.get_by_role("button", name=f"Download all (ZIP, {human_size(zip_size)})")
    with page.expect_download() as everything:
        download_all.click()
    assert everything.value.failure() is None
    assert everything.value.suggested_filename == f"Documents from {BODY}.zip"
    with open(everything.value.path(), "rb") as saved:
        archive = zipfile.ZipFile(io.BytesIO(saved.read()))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted([RECORDS, LETTER])
    assert archive.read(RECORDS) == share.data[records] and archive.read(LETTER) == share.data[letter]
    heading(page, FILES)  # a download does not leave the page

    follow(page, "Access and download history")
    heading(page, HISTORY)
    table = page.get_by_role("table", name="What happened, and when")
    happened = [text.strip() for text in table.locator("tbody tr td:nth-child(2)").all_inner_texts()]
    assert happened == [f"Downloaded all the documents as a zip file ({human_size(zip_size)})",
                        "Started downloading all the documents as a zip file",
                        f"Downloaded Covering letter (PDF) ({human_size(len(share.data[letter]))})",
                        "Started downloading Covering letter (PDF)", "Viewed the list of documents", "Signed in",
                        "Wrong security code entered", "Link opened", f"Link sent to you by {BODY}"], happened
    expect(page.locator("main")).to_contain_text("SAR-2026-000123")  # signed in: the reference is shown
    assert_axe_passes(page, "share: history")
    follow(page, "Back to your documents")
    heading(page, FILES)

    follow(page, "Remove these documents")
    heading(page, REMOVE)
    assert_axe_passes(page, "share: remove confirmation")
    follow(page, "Cancel")
    heading(page, FILES)
    follow(page, "Remove these documents")
    response = press(page, "Remove these documents")
    assert response.status == 200
    heading(page, REMOVED)
    expect(page.locator(".govuk-panel__title")).to_have_text(REMOVED)
    assert_axe_passes(page, "share: removed")
    assert store_keys and not any(services.store.exists(key) for key in store_keys), "the files outlived the removal"

    response = page.goto(live_server.url(f"{share.url}/files"))
    assert response.status == 410
    heading(page, CLOSED_REMOVED)
    expect(page.locator("main")).to_contain_text("SAR-2026-000123")  # this browser signed in to it
    expect(page.get_by_role("link", name="information.requests@example.gov.uk")).to_have_attribute(
        "href", "mailto:information.requests@example.gov.uk")
    assert_axe_passes(page, "share: removed, link used again")


def test_five_wrong_codes_lock_the_code_until_a_new_one(page, live_server, services, share, email):
    ask_for_code(page, live_server, share)
    first = latest_code(services, email)
    for left in (4, 3, 2, 1):
        enter_code(page, wrong(first))
        tries = "1 more time" if left == 1 else f"{left} more times"
        error_shown(page, f"The security code is not correct. Check the newest email we sent you and try again. You can try {tries}")
    enter_code(page, wrong(first))
    heading(page, LOCKED)
    expect(page.get_by_label("Security code", exact=True)).to_have_count(0)  # no sixth try with this code
    expect(page.locator("main")).to_contain_text("For your security, that code no longer works.")
    assert_axe_passes(page, "share: locked after 5 wrong codes")
    page.reload()  # the state holds for the browser, not just the response
    heading(page, LOCKED)

    press(page, "Send a new code")
    heading(page, CHECK_EMAIL)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "We've sent you a new security code. Only the newest code works.")
    assert_axe_passes(page, "share: new code sent")
    second = latest_code(services, email)
    assert len(codes_to(services, email)) == 2
    if second != first:
        enter_code(page, first)
        error_shown(page, "The security code is not correct. Check the newest email we sent you and try again. You can try 4 more times")
    response = enter_code(page, second)
    assert response.status == 200
    heading(page, FILES)


def test_asking_again_points_to_the_code_sent_and_the_twentieth_wrong_code_locks_the_link(
        page, live_server, services, share, email):
    ask_for_code(page, live_server, share)
    page.go_back()
    press(page, "Send the security code")  # a second click: no second email, and the page says why
    heading(page, CHECK_EMAIL)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("We sent you a security code at")
    assert len(codes_to(services, email)) == 1
    assert_axe_passes(page, "share: code already sent")
    app = live_server.app
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        session.get(Share, share.id).failed_codes = signing_in.FAILED_CODES_LIMIT - 1
        session.commit()
    enter_code(page, wrong(latest_code(services, email)))
    heading(page, "This link has been locked")
    expect(page.locator("main")).to_contain_text("Your documents are safe")
    assert_axe_passes(page, "share: link locked")


def test_code_expires_after_15_minutes(page, live_server, services, server_clock, share, email):
    ask_for_code(page, live_server, share)
    server_clock.advance(minutes=15, seconds=1)
    enter_code(page, latest_code(services, email))
    heading(page, "Your security code has expired")
    assert_axe_passes(page, "share: code expired")
    press(page, "Send a new code")
    enter_code(page, latest_code(services, email))
    heading(page, FILES)


def test_share_expires_while_signed_in(page, live_server, services, server_clock, share, email):
    sign_in(page, live_server, services, share, email)
    server_clock.advance(days=30, minutes=1)
    response = page.reload()
    assert response.status == 410
    heading(page, EXPIRED)
    expect(page.locator("main")).to_contain_text("SAR-2026-000123")
    assert_axe_passes(page, "share: expired")

    response = page.goto(live_server.url(share.url))  # the sign-in page is closed too
    assert response.status == 410
    heading(page, EXPIRED)


def test_share_cancelled_while_signed_in(page, live_server, services, share, email):
    sign_in(page, live_server, services, share, email)
    change(live_server.app, share.id, lambda session, made: service.revoke(session, made, services.clock.now()))
    response = page.reload()
    assert response.status == 410
    heading(page, CANCELLED)
    expect(page.locator("main")).to_contain_text(f"{BODY} stopped sharing these documents on")
    assert_axe_passes(page, "share: cancelled")
    response = page.goto(live_server.url(f"{share.url}/files/{share.documents[0]}"))
    assert response.status == 410


@pytest.mark.parametrize("damage", ["tampered", "truncated", "nonsense"])
def test_wrong_or_tampered_link(page, live_server, services, share, damage):
    token = share.token
    bad = {"tampered": token[:-1] + ("A" if token[-1] != "A" else "B"),
           "truncated": token[: len(token) // 2],
           "nonsense": "not-a-real-link"}[damage]
    response = page.goto(live_server.url(f"/documents/{bad}"))
    assert response.status == 404
    heading(page, LINK_INVALID)
    expect(page.locator("main")).not_to_contain_text("SAR-2026")
    assert_axe_passes(page, f"share: link {damage}")
    response = page.goto(live_server.url(f"/documents/{bad}/files"))
    assert response.status == 404


def test_sign_out_ends_the_session(page, live_server, services, share, email):
    sign_in(page, live_server, services, share, email)
    response = press(page, "Sign out")
    assert response.status == 200
    expect(page).to_have_url(live_server.url(f"{share.url}/signed-out"))
    heading(page, SIGNED_OUT)
    assert_axe_passes(page, "share: signed out")
    assert not [c for c in page.context.cookies() if c["name"] == "share_session"]

    page.goto(live_server.url(f"{share.url}/files"))
    expect(page).to_have_url(live_server.url(share.url))  # back to sign in
    heading(page, SIGN_IN)
    follow_again = page.goto(live_server.url(f"{share.url}/signed-out"))
    assert follow_again.status == 200
    press(page, "Sign in again")  # a link styled, and announced, as a button
    heading(page, SIGN_IN)


# 2. Without JavaScript ----------------------------------------------------------------------

def test_journey_without_javascript(page_without_js, live_server, services, share, email):
    page = page_without_js
    sign_in(page, live_server, services, share, email)
    assert "js-enabled" not in page.locator("body").get_attribute("class").split()
    records, letter = share.documents
    assert document_links(page) == [expected_link(RECORDS, share.data[records]),
                                    expected_link(LETTER, share.data[letter])]
    expect(page.locator("#time-left")).to_contain_text("You have 30 days left to download your documents.")
    # Without the warning's script, the page says the timeout in words and the dialog stays closed.
    expect(page.locator("main")).to_contain_text("We'll sign you out if you do not do anything for 30 minutes.")
    expect(page.locator("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Download all (ZIP,", exact=False)).to_be_visible()

    with page.expect_download() as one:
        page.get_by_role("link", name=expected_link(RECORDS, share.data[records])).click()
    assert one.value.suggested_filename == RECORDS
    with open(one.value.path(), "rb") as saved:
        assert saved.read() == share.data[records]

    follow(page, "Access and download history")
    heading(page, HISTORY)
    follow(page, "Back to your documents")
    follow(page, "Remove these documents")
    heading(page, REMOVE)
    follow(page, "Cancel")
    heading(page, FILES)

    press(page, "Sign out")
    heading(page, SIGNED_OUT)
    page.goto(live_server.url(f"{share.url}/files"))
    heading(page, SIGN_IN)


@contextlib.contextmanager
def scripts_switch(page: Page):
    """Pages load with their own scripts off (Emulation.setScriptExecutionDisabled), as without JavaScript;
    `audit(label)` switches scripting on just long enough for axe, so axe sees the no-JS rendering."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})

    def audit(label: str) -> None:
        assert "js-enabled" not in page.locator("body").get_attribute("class").split()
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": False})
        try:
            assert_axe_passes(page, f"{label}, JavaScript off")
        finally:
            cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})

    try:
        yield audit
    finally:
        cdp.detach()


def test_states_without_javascript_pass_axe(page, live_server, services, share, email):
    with scripts_switch(page) as audit:
        page.goto(live_server.url(share.url))
        heading(page, SIGN_IN)
        audit("share: sign in")
        press(page, "Send the security code")
        heading(page, CHECK_EMAIL)
        audit("share: code sent")
        enter_code(page, wrong(latest_code(services, email)))
        expect(page.locator(".govuk-error-summary")).to_contain_text("The security code is not correct")
        audit("share: wrong code")
        enter_code(page, latest_code(services, email))
        heading(page, FILES)
        audit("share: documents")
        follow(page, "Access and download history")
        audit("share: history")
        page.goto(live_server.url(f"{share.url}/remove"))
        heading(page, REMOVE)
        audit("share: remove confirmation")
        page.goto(live_server.url(f"{share.url}/files"))
        press(page, "Sign out")
        heading(page, SIGNED_OUT)
        audit("share: signed out")


# 3. Keyboard only ---------------------------------------------------------------------------

def tab_to(page: Page, target, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {target}")


def press_key(page: Page, key: str):
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    return navigation.value


def test_sign_in_with_the_keyboard_only(page, live_server, services, share, email):
    page.goto(live_server.url(share.url))
    tab_to(page, page.get_by_role("button", name="Send the security code"))
    press_key(page, "Enter")
    heading(page, CHECK_EMAIL)

    continue_button = page.get_by_role("button", name="Continue", exact=True)
    tab_to(page, continue_button)
    press_key(page, "Space")  # nothing typed: the summary takes focus, its link takes it to the field
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link", name="Enter the security code")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Security code", exact=True)).to_be_focused()
    page.keyboard.type(latest_code(services, email))
    tab_to(page, continue_button)
    press_key(page, "Enter")
    heading(page, FILES)

    records = share.documents[0]
    link = page.get_by_role("link", name=expected_link(RECORDS, share.data[records]))
    tab_to(page, link)
    with page.expect_download() as saved:
        page.keyboard.press("Enter")
    assert saved.value.suggested_filename == RECORDS
    tab_to(page, page.get_by_role("button", name="Sign out"))
    press_key(page, "Enter")
    heading(page, SIGNED_OUT)


# 4. The idle timeout warning ----------------------------------------------------------------

def test_timeout_warning_keeps_the_session_or_signs_out(page, live_server, services, server_clock, share, email):
    idle = live_server.app.config["PORTAL_SETTINGS"].share_idle_minutes
    page.clock.install()
    sign_in(page, live_server, services, share, email)

    dialog = page.get_by_role("dialog", name=WARNING)
    expect(dialog).to_be_hidden()
    page.clock.fast_forward(f"{idle - 2:02d}:00")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("we'll sign you out in 2 minutes")
    assert dialog.evaluate("dialog => dialog.contains(document.activeElement)"), "focus is outside the dialog"
    assert_axe_passes(page, "share: timeout warning open")

    server_clock.advance(minutes=idle - 2)  # the server saw the same quiet time
    with page.expect_response(lambda r: r.url.endswith(f"{share.url}/keep-alive")) as kept:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert kept.value.status == 200
    expect(dialog).to_be_hidden()
    server_clock.advance(minutes=3)  # past the first idle time: the keep-alive restarted the server's clock
    response = page.reload()
    assert response.status == 200
    heading(page, FILES)

    # Escape also keeps the session (the dialog's cancel), rather than leaving it half open.
    page.clock.fast_forward(f"{idle - 2:02d}:00")
    expect(dialog).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith(f"{share.url}/keep-alive")):
        page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.clock.fast_forward(f"{idle - 2:02d}:00")
    expect(dialog).to_be_visible()
    server_clock.advance(minutes=idle, seconds=1)
    with page.expect_navigation() as timed_out:
        page.clock.fast_forward("02:01")
    assert timed_out.value.status == 200
    expect(page).to_have_url(live_server.url(f"{share.url}/timed-out"))
    heading(page, TIMED_OUT)
    assert_axe_passes(page, "share: timed out")
    assert not [c for c in page.context.cookies() if c["name"] == "share_session"]

    press(page, "Sign in again")  # a link styled, and announced, as a button
    heading(page, SIGN_IN)
    assert_axe_passes(page, "share: sign in after the timeout")


def test_timeout_warning_sign_out_button(page, live_server, services, share, email):
    idle = live_server.app.config["PORTAL_SETTINGS"].share_idle_minutes
    page.clock.install()
    sign_in(page, live_server, services, share, email)
    follow(page, "Access and download history")  # the history page has the warning too
    dialog = page.get_by_role("dialog", name=WARNING)
    page.clock.fast_forward(f"{idle - 2:02d}:00")
    expect(dialog).to_be_visible()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Sign out").click()
    heading(page, SIGNED_OUT)


# Reflow: a long name at 320 CSS pixels -----------------------------------------------------------

def test_a_long_file_name_reflows_at_320_pixels(page, live_server, services, email):
    """WCAG 1.4.10: a name with no spaces ("..._final_v2") breaks inside itself, never widens the page."""
    name = "Call_log_export_for_SAR_2026_000123_Housing_Repairs_and_Maintenance_all_departments_final_v2.pdf"
    made = make_share(live_server.app, services, [(name, pdf(2000, seed=3))], email=email)
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server, services, made, email)
    with page.expect_download() as saved:
        page.get_by_role("link", name=re.compile(r"^Call_log_export")).click()
    assert saved.value.failure() is None
    for path, state in ((f"{made.url}/files", "share: long name at 320px"),
                        (f"{made.url}/history", "share: history with a long name at 320px")):
        page.goto(live_server.url(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert_axe_passes(page, state)


# In Welsh -------------------------------------------------------------------------------------

WELSH_CODE = re.compile(r"^(\d{6}) yw eich cod diogelwch$")


def test_the_journey_in_welsh(page, live_server, services, server_clock, share, email):
    """From the Welsh email's link (?lang=cy): every state in Welsh with axe, the timeout warning's countdown
    in Welsh, and the switch to English and back on the way, which keeps the sign-in."""
    idle = live_server.app.config["PORTAL_SETTINGS"].share_idle_minutes
    page.clock.install()
    page.goto(live_server.url(share.url + "?lang=cy"))
    heading(page, "Cael y dogfennau a anfonodd Cyngor Enghreifftiol atoch", "cy")
    assert_axe_passes(page, "share in Welsh: sign in")

    press(page, "Anfon y cod diogelwch")
    heading(page, "Gwiriwch eich e-bost", "cy")
    [subject] = [m.subject for m in services.mailer.sent if m.to == email]
    code = WELSH_CODE.match(subject).group(1)
    assert_axe_passes(page, "share in Welsh: code sent")

    page.get_by_label("Cod diogelwch", exact=True).fill(wrong(code))
    press(page, "Parhau")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator(".govuk-error-summary__title")).to_have_text("Mae problem wedi codi")
    expect(summary.get_by_role("link")).to_contain_text("Nid yw’r cod diogelwch yn gywir")
    assert page.title().startswith("Gwall: ")
    assert_axe_passes(page, "share in Welsh: wrong code")

    page.get_by_label("Cod diogelwch", exact=True).fill(code)
    press(page, "Parhau")
    expect(page).to_have_url(live_server.url(f"{share.url}/files?lang=cy"))
    heading(page, "Y dogfennau a anfonodd Cyngor Enghreifftiol atoch", "cy")
    expect(page.locator("#time-left")).to_contain_text("Mae gennych 30 diwrnod ar ôl i lawrlwytho eich dogfennau.")
    expect(page.locator("#time-left")).to_contain_text(re.compile(r"2026 am (\d+:\d\d(yb|yh)|hanner dydd|hanner nos)"))
    assert_axe_passes(page, "share in Welsh: documents")

    dialog = page.get_by_role("dialog", name="Rydych ar fin cael eich allgofnodi")
    page.clock.fast_forward(f"{idle - 2:02d}:00")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Er eich diogelwch, byddwn yn eich allgofnodi ymhen 2 munud.")  # portal.js's words
    assert_axe_passes(page, "share in Welsh: timeout warning open")
    server_clock.advance(minutes=idle - 2)
    with page.expect_response(lambda r: r.url.startswith(live_server.url(f"{share.url}/keep-alive"))):
        dialog.get_by_role("button", name="Parhau i fod wedi mewngofnodi").click()
    expect(dialog).to_be_hidden()

    follow(page, "Hanes mynediad a lawrlwytho")
    heading(page, "Hanes mynediad a lawrlwytho", "cy")
    table = page.get_by_role("table", name="Beth ddigwyddodd, a phryd")
    expect(table.locator("tbody tr td:nth-child(2)").last).to_have_text("Anfonodd Cyngor Enghreifftiol ddolen atoch")
    expect(table.locator("tbody tr td:nth-child(3)").first).to_contain_text(" ar ")  # "Chrome ar gyfrifiadur Linux"
    assert_axe_passes(page, "share in Welsh: history")

    # To English and back: the same page, still signed in.
    with page.expect_navigation():
        page.get_by_role("navigation", name="Dewis iaith").get_by_role("link", name="English").click()
    heading(page, HISTORY)
    with page.expect_navigation():
        page.get_by_role("navigation", name="Choose a language").get_by_role("link", name="Cymraeg").click()
    heading(page, "Hanes mynediad a lawrlwytho", "cy")

    follow(page, "Yn ôl i’ch dogfennau")
    follow(page, "Dileu’r dogfennau hyn")
    heading(page, "Ydych chi’n siŵr eich bod eisiau dileu’r dogfennau hyn?", "cy")
    assert_axe_passes(page, "share in Welsh: remove confirmation")
    press(page, "Dileu’r dogfennau hyn")
    heading(page, "Mae eich dogfennau wedi cael eu dileu", "cy")
    assert_axe_passes(page, "share in Welsh: removed")
    response = page.goto(live_server.url(share.url))  # no ?lang: the visit is in Welsh
    assert response.status == 410
    heading(page, "Mae’r dogfennau hyn wedi cael eu dileu", "cy")
    assert_axe_passes(page, "share in Welsh: removed, link used again")


def test_states_in_welsh_without_javascript_pass_axe(page, live_server, services, share, email):
    with scripts_switch(page) as audit:
        page.goto(live_server.url(share.url + "?lang=cy"))
        assert_govuk_page_content(page, "cy")
        audit("share in Welsh: sign in")
        press(page, "Anfon y cod diogelwch")
        page.get_by_label("Cod diogelwch", exact=True).fill("12")
        press(page, "Parhau")
        expect(page.locator(".govuk-error-summary")).to_contain_text("Rhaid i’r cod diogelwch fod yn 6 rhif")
        audit("share in Welsh: code not 6 numbers")
        page.goto(live_server.url("/documents/not-a-real-link"))
        assert_govuk_page_content(page, "cy")
        audit("share in Welsh: link does not work")
