"""The requester's side of Secure Share through the test client: every page and state, links, codes, sessions."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from sqlalchemy import func, select

from secure_share import links, service, signing_in
from secure_share.models import Share, ShareEvent, ShareSession, SignInCode
from tests.pages import PageClient, check_page, text_of
from tests.share_helpers import (ask_for_code, change, change_document, csrf_from, enter_code, errors_in, last_code,
                                 make_share, pdf, post_from, session_cookie, sign_in)
from tests.share_helpers import notices  # noqa: F401 - a fixture

UTC = dt.timezone.utc
ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/125.0.0.0 Mobile Safari/537.36")


pytestmark = pytest.mark.usefixtures("no_rate_limits")


@pytest.fixture
def share(app, services):
    return make_share(app, services, [("John Smith SAR response letter.pdf", pdf(3000)),
                                      ("John Smith medical records.pdf", pdf(5000, 2))])


def events(app, share_id: str, kind: str | None = None) -> list[ShareEvent]:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        query = select(ShareEvent).where(ShareEvent.share_id == share_id).order_by(ShareEvent.id)
        if kind:
            query = query.where(ShareEvent.kind == kind)
        return list(session.scalars(query))


def share_row(app, share_id: str) -> Share:
    with app.app_context(), app.extensions["portal.db"].sessionmaker(expire_on_commit=False) as session:
        return session.get(Share, share_id)


def h1(soup) -> str:
    return " ".join(soup.h1.get_text().split())


# The link and the sign-in page --------------------------------------------------------------

def test_sign_in_page_reveals_nothing_about_the_documents_and_consumes_nothing(app, client, services, share):
    response = client.raw.get(share.url)
    soup = client.get_page(share.url)
    page = text_of(soup)
    assert h1(soup) == "Get your documents from Example Council"
    assert "We'll email a security code to j***@example.com" in page
    assert soup.find("button", string=lambda s: s and "Send the security code" in s)
    html = re.sub(r'nonce="[^"]*"', "", response.get_data(as_text=True))  # a random nonce can hold "KB"
    for secret in ("John Smith", "SAR response", "medical records", "PDF", "KB", "SAR-2026-000123", "jane.smith",
                   "Jane", "documents/" + share.token + "/files"):
        assert secret not in html, secret
    # A GET (a mail scanner, a link preview) sends no code and changes nothing.
    client.get_page(share.url)
    assert services.mailer.sent == []
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(SignInCode)) == 0
    assert [e.kind for e in events(app, share.id)] == ["created", "document added", "document added", "sent",
                                                       "link opened", "link opened", "link opened"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert "share_session" not in response.headers.get("Set-Cookie", "")


def test_sending_the_code_emails_it_and_shows_check_your_email(client, services, share):
    response = ask_for_code(client, share)
    message = services.mailer.sent[-1]
    code = last_code(services.mailer)
    assert message.to == "jane.smith@example.com"
    assert message.subject == f"{code} is your security code"
    assert code in message.body and "15 minutes" in message.body and "Do not share this code" in message.body
    assert message.reference == share.id  # logs get the share id, never the address
    soup = client.get_page(response.headers["Location"])
    assert h1(soup) == "Check your email"
    assert "We've sent a security code to j***@example.com" in text_of(soup)
    field = soup.find("input", id="code")
    assert (field["inputmode"], field["autocomplete"], field["name"]) == ("numeric", "one-time-code", "code")
    assert soup.find("form", action=f"{share.url}/code").find("button").get_text(strip=True) == "Send a new code"


def test_the_code_page_without_a_code_goes_back_to_sign_in(client, share):
    response = client.raw.get(f"{share.url}/code")
    assert response.status_code == 302 and response.headers["Location"].endswith(share.url)


def test_right_code_signs_in_with_a_strict_httponly_cookie_for_documents_only(app, client, services, share):
    ask_for_code(client, share)
    response = enter_code(client, share, last_code(services.mailer))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{share.url}/files")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("share_session="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/documents" in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie  # gone when the browser closes
    assert [e.kind for e in events(app, share.id, "signed in")] == ["signed in"]


def test_the_session_cookie_is_secure_when_settings_say_so(tmp_path, services):
    from tests.conftest import migrated_app

    application = migrated_app(tmp_path, services, session_cookie_secure=True)
    try:
        made = make_share(application, services)
        browser = application.test_client()
        https = {"base_url": "https://localhost", "headers": {"Referer": f"https://localhost{made.url}"}}
        page = browser.get(made.url, **https)
        browser.post(f"{made.url}/code", data={"csrf_token": csrf_from(page.get_data(as_text=True))}, **https)
        response = browser.post(f"{made.url}/sign-in", **https, data={
            "code": last_code(services.mailer), "csrf_token": csrf_from(page.get_data(as_text=True))})
        assert response.status_code == 302
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("share_session="))
        assert "Secure" in cookie and "SameSite=Strict" in cookie and "HttpOnly" in cookie
    finally:
        application.extensions["portal.db"].dispose()


@pytest.mark.parametrize("typed, message", [
    ("", "Enter the security code"),
    ("12345", "The security code must be 6 numbers"),
    ("12a456", "The security code must be 6 numbers"),
])
def test_a_mistyped_code_says_what_to_do_and_costs_no_try(app, client, services, share, typed, message):
    ask_for_code(client, share)
    response = enter_code(client, share, typed)
    assert response.status_code == 200 and errors_in(response) == [message]
    soup = check_page(response.get_data(as_text=True))
    assert soup.title.get_text().startswith("Error: Check your email")
    assert soup.select_one(".govuk-error-summary a")["href"] == "#code"
    assert soup.find("input", id="code")["value"] == typed
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalar(select(SignInCode.attempts)) == 0
    assert enter_code(client, share, f" {last_code(services.mailer)[:3]} {last_code(services.mailer)[3:]} ").status_code == 302


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_wrong_code_says_how_many_tries_are_left(app, client, services, share):
    ask_for_code(client, share)
    response = enter_code(client, share, _wrong(last_code(services.mailer)))
    assert errors_in(response) == ["The security code is not correct. Check the newest email we sent you and try "
                                   "again. You can try 4 more times"]
    assert check_page(response.get_data(as_text=True)).title.get_text().startswith("Error: ")
    assert [e.detail["attempts_left"] for e in events(app, share.id, "code failed")] == [4]


def test_five_wrong_codes_lock_the_code_and_a_new_code_works(app, client, services, share):
    ask_for_code(client, share)
    code = last_code(services.mailer)
    for _ in range(4):
        enter_code(client, share, _wrong(code))
    fifth = enter_code(client, share, _wrong(code))
    soup = check_page(fifth.get_data(as_text=True))
    assert h1(soup) == "You've entered the wrong code too many times"
    assert soup.find("input", id="code") is None
    # The right code is refused now: a guesser cannot keep going.
    assert h1(check_page(client.raw.post(f"{share.url}/sign-in", data={
        "code": code, "csrf_token": csrf_from(fifth.get_data(as_text=True))}).get_data(as_text=True))) \
        == "You've entered the wrong code too many times"
    assert h1(client.get_page(f"{share.url}/code")) == "You've entered the wrong code too many times"
    assert session_cookie(client) is None
    # "Send a new code" from the locked page, then the new code signs in.
    response = post_from(client, f"{share.url}/code", f"{share.url}/code")
    assert response.status_code == 302
    soup = client.get_page(f"{share.url}/code")
    assert "We've sent you a new security code" in text_of(soup)
    assert enter_code(client, share, last_code(services.mailer)).status_code == 302
    assert client.raw.get(f"{share.url}/files").status_code == 200


def test_an_expired_code_asks_for_a_new_one(client, services, share):
    ask_for_code(client, share)
    code = last_code(services.mailer)
    services.clock.advance(minutes=15, seconds=1)
    soup = client.get_page(f"{share.url}/code")
    assert h1(soup) == "Your security code has expired"
    response = client.raw.post(f"{share.url}/sign-in", data={"code": code, "csrf_token": csrf_from(str(soup))})
    assert h1(check_page(response.get_data(as_text=True))) == "Your security code has expired"
    post_from(client, f"{share.url}/code", f"{share.url}/code")
    assert enter_code(client, share, last_code(services.mailer)).status_code == 302


def test_the_newest_code_works_in_any_browser_and_asking_again_at_once_sends_nothing(app, client, services, share):
    """The requester asks on a laptop and signs in on a phone; a second click sends no second email."""
    ask_for_code(client, share)
    code = last_code(services.mailer)
    ask_for_code(client, share)  # a double click, a second tab
    assert len(services.mailer.sent) == 1
    soup = client.get_page(f"{share.url}/code")
    assert "We sent you a security code at" in text_of(soup) and "Use the code in that email" in text_of(soup)
    phone = PageClient(app)
    ask_for_code(phone, share)
    assert len(services.mailer.sent) == 1
    assert enter_code(phone, share, code).status_code == 302
    assert phone.raw.get(f"{share.url}/files").status_code == 200
    # The code is used: the laptop is sent back to ask for a new one.
    response = client.raw.post(f"{share.url}/sign-in", data={"code": code, "csrf_token": csrf_from(str(soup))})
    assert response.status_code == 302 and response.headers["Location"].endswith(share.url)


def test_a_used_code_cannot_be_replayed(client, services, share):
    sign_in(client, share, services.mailer)
    code = last_code(services.mailer)
    post_from(client, f"{share.url}/files", f"{share.url}/sign-out")
    response = post_from(client, share.url, f"{share.url}/sign-in", {"code": code})
    assert response.status_code == 302 and response.headers["Location"].endswith(share.url)
    assert session_cookie(client) is None


def test_codes_used_up_faster_than_they_are_sent_get_the_429_page_with_the_real_wait(client, services, share):
    for _ in range(signing_in.CODE_EMAILS_AT_ONCE):
        ask_for_code(client, share)
        services.clock.advance(seconds=61)
    assert len(services.mailer.sent) == signing_in.CODE_EMAILS_AT_ONCE
    ask_for_code(client, share)  # none to send yet, but the newest code is live: it is the one to use
    assert len(services.mailer.sent) == signing_in.CODE_EMAILS_AT_ONCE
    for _ in range(signing_in.CODE_ATTEMPTS):
        enter_code(client, share, _wrong(last_code(services.mailer)))
    response = post_from(client, f"{share.url}/code", f"{share.url}/code")
    assert response.status_code == 429
    soup = check_page(response.get_data(as_text=True))
    assert h1(soup) == "You've asked for too many security codes"
    # 3 codes at minutes 0, 1 and 2; the next may go at minute 15, 12 minutes after this request (at 3:03).
    assert "Wait 12 minutes, then use the link in your email again" in text_of(soup)
    assert response.headers["Retry-After"] == str(12 * 60 - 3)
    services.clock.advance(minutes=12)
    ask_for_code(client, share)
    assert len(services.mailer.sent) == signing_in.CODE_EMAILS_AT_ONCE + 1


# Links that do not work -------------------------------------------------------------------------

def _old_token(secret: str, share_id: str, monkeypatch) -> str:
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - (service.LINK_MAX_AGE.days + 1) * 86400)
    try:
        return links.make_token(secret, share_id, 0)
    finally:
        monkeypatch.setattr(time, "time", real)


@pytest.mark.parametrize("how", ["forged", "tampered", "other secret", "too old", "not a share", "draft"])
def test_a_bad_link_gets_this_link_does_not_work(app, client, services, share, how, monkeypatch):
    secret = app.config["PORTAL_SETTINGS"].secret_key
    if how == "forged":
        token = "eyJhIjoiYiJ9.Zz-ZZZ.not-a-signature"
    elif how == "tampered":
        token = share.token[:-3] + ("AAA" if not share.token.endswith("AAA") else "BBB")
    elif how == "other secret":
        token = links.make_token("another-secret-" + "y" * 32, share.id, 0)
    elif how == "too old":
        token = _old_token(secret, share.id, monkeypatch)
    elif how == "not a share":
        token = links.make_token(secret, "0" * 24, 0)
    else:
        settings = app.config["PORTAL_SETTINGS"]
        with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
            draft = service.create_share(session, services.clock.now(), settings, {
                "case_reference": "X-1", "recipient_name": "A", "recipient_email": "a@example.com"})
            session.commit()
            token = links.make_token(secret, draft.id, 0)
    for path in ("", "/code", "/files", "/history", "/remove", "/signed-out", f"/files/{share.documents[0]}"):
        soup = client.get_page(f"/documents/{token}{path}", status=404)
        assert h1(soup) == "This link does not work"
        assert "latest email from Example Council" in text_of(soup)
        assert "SAR-2026-000123" not in text_of(soup)
    assert client.raw.post(f"/documents/{token}/code", data={"csrf_token": client.csrf_token(share.url)}).status_code == 404
    assert services.mailer.sent == []


def test_a_resent_link_kills_the_old_one_at_once_even_for_a_signed_in_browser(app, client, services, share):
    sign_in(client, share, services.mailer)
    change(app, share.id, lambda session, row: service.send(session, row, services.clock.now(), resend=True))
    assert h1(client.get_page(f"{share.url}/files", status=404)) == "This link does not work"
    assert client.raw.get(f"{share.url}/files/{share.documents[0]}").status_code == 404
    new = links.make_token(app.config["PORTAL_SETTINGS"].secret_key, share.id, 1)
    assert h1(PageClient(app).get_page(f"/documents/{new}")) == "Get your documents from Example Council"


# Closed shares ---------------------------------------------------------------------------------------

def test_expiry_is_enforced_to_the_minute(app, client, services):
    services.clock.current = dt.datetime(2026, 6, 25, 15, 50, tzinfo=UTC)
    made = make_share(app, services, expires_at=dt.datetime(2026, 6, 25, 17, 0, tzinfo=UTC))
    services.clock.current = dt.datetime(2026, 6, 25, 16, 50, tzinfo=UTC)
    sign_in(client, made, services.mailer)
    services.clock.current = dt.datetime(2026, 6, 25, 16, 59, 59, tzinfo=UTC)
    assert "less than an hour left" in text_of(client.get_page(f"{made.url}/files"))
    assert client.raw.get(f"{made.url}/files/{made.documents[0]}").status_code == 200
    services.clock.current = dt.datetime(2026, 6, 25, 17, 0, tzinfo=UTC)
    for path in ("/files", f"/files/{made.documents[0]}", "/files/all.zip", "", "/history"):
        soup = client.get_page(f"{made.url}{path}", status=410)
        assert h1(soup) == "These documents are no longer available"
        assert "You could download them until 25 June 2026 at 6:00pm." in text_of(soup)
    row = share_row(app, made.id)
    assert (row.status, row.closed_at) == ("expired", dt.datetime(2026, 6, 25, 17, 0, tzinfo=UTC))
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalars(select(ShareSession.ended_at)).all() == [services.clock.now()]


def test_closed_pages_show_the_case_reference_only_to_a_browser_that_signed_in(app, client, services, share):
    sign_in(client, share, services.mailer)
    stranger = PageClient(app)
    change(app, share.id, lambda session, row: service.revoke(session, row, services.clock.now()))
    mine, theirs = text_of(client.get_page(share.url, status=410)), text_of(stranger.get_page(share.url, status=410))
    assert "quote your reference SAR-2026-000123" in mine
    assert "SAR-2026-000123" not in theirs and "Tell them the email address the link was sent to" in theirs


def test_a_revoked_share_stops_working_at_once(app, client, services, share):
    sign_in(client, share, services.mailer)
    services.clock.advance(minutes=5)
    change(app, share.id, lambda session, row: service.revoke(session, row, services.clock.now()))
    for path in ("/files", f"/files/{share.documents[0]}", ""):
        soup = client.get_page(f"{share.url}{path}", status=410)
        assert h1(soup) == "This link has been cancelled"
        assert "Example Council stopped sharing these documents on 1 June 2026 at 10:05am." in text_of(soup)


# The share page --------------------------------------------------------------------------------------

EXPIRES = dt.datetime(2026, 6, 25, 17, 0, tzinfo=UTC)  # 6:00pm in London (BST)


@pytest.mark.parametrize("now, sentence", [
    (dt.datetime(2026, 5, 27, 9, 0, tzinfo=UTC), "You have 29 days left to download your documents."),
    (dt.datetime(2026, 6, 23, 16, 59, tzinfo=UTC), "You have 2 days left to download your documents."),
    (dt.datetime(2026, 6, 24, 12, 0, tzinfo=UTC), "You have 1 day left to download your documents."),
    (dt.datetime(2026, 6, 24, 17, 1, tzinfo=UTC), "You have 23 hours left to download your documents."),
    (dt.datetime(2026, 6, 25, 12, 0, tzinfo=UTC), "You have 5 hours left to download your documents."),
    (dt.datetime(2026, 6, 25, 15, 30, tzinfo=UTC), "You have 1 hour left to download your documents."),
    (dt.datetime(2026, 6, 25, 16, 1, tzinfo=UTC), "You have less than an hour left to download your documents."),
])
def test_the_share_page_says_exactly_how_long_is_left(app, client, services, now, sentence):
    services.clock.current = dt.datetime(2026, 5, 27, 9, 0, tzinfo=UTC)
    made = make_share(app, services, expires_at=EXPIRES)
    services.clock.current = now
    sign_in(client, made, services.mailer)
    soup = client.get_page(f"{made.url}/files")
    assert text_of(soup.find(id="time-left")) == (
        f"{sentence} The documents will be removed from this page on 25 June 2026 at 6:00pm.")
    assert "Any documents you've downloaded will stay on your device." in text_of(soup)


def test_an_expiry_at_midnight_is_not_shown_as_an_ambiguous_midnight(app, client, services):
    made = make_share(app, services, expires_at=dt.datetime(2026, 6, 25, 23, 0, tzinfo=UTC))  # 00:00 on 26 June BST
    sign_in(client, made, services.mailer)
    assert "removed from this page on 25 June 2026 at 11:59pm." in text_of(client.get_page(f"{made.url}/files"))


def test_the_share_page_lists_each_document_with_its_type_and_size(app, client, services, share):
    change_document(app, share.documents[1], size=120 * 1024 * 1024)
    sign_in(client, share, services.mailer)
    soup = client.get_page(f"{share.url}/files")
    assert h1(soup) == "Your documents from Example Council"
    links_ = [(text_of(a), a["href"]) for a in soup.select(".app-document-list a")]
    assert links_ == [("John Smith SAR response letter (PDF, 2.9KB)", f"{share.url}/files/{share.documents[0]}"),
                      ("John Smith medical records (PDF, 120MB)", f"{share.url}/files/{share.documents[1]}")]
    button = soup.find("a", href=f"{share.url}/files/all.zip")
    assert button.get_text(strip=True).startswith("Download all (ZIP, 120MB")
    assert soup.find("a", href=f"{share.url}/history").get_text(strip=True) == "Access and download history"
    assert soup.find("a", href=f"{share.url}/remove").get_text(strip=True) == "Remove these documents"
    sign_out_form = soup.find("form", action=f"{share.url}/sign-out")
    assert sign_out_form["method"] == "post" and sign_out_form.button.get_text(strip=True) == "Sign out"
    dialog = soup.find("dialog", attrs={"data-module": "app-timeout-warning"})
    assert (dialog["data-idle-minutes"], dialog["data-keep-alive-url"], dialog["data-expired-url"]) == (
        "30", f"{share.url}/keep-alive", f"{share.url}/timed-out")


def test_one_document_has_no_zip_button(app, client, services):
    made = make_share(app, services)
    sign_in(client, made, services.mailer)
    soup = client.get_page(f"{made.url}/files")
    assert soup.find("a", href=f"{made.url}/files/all.zip") is None
    assert len(soup.select(".app-document-list a")) == 1


def test_the_case_systems_message_is_shown_as_text(app, client, services):
    made = make_share(app, services, message="Here is our response.\n\nCall us on <b>0123</b> <script>x</script>")
    sign_in(client, made, services.mailer)
    soup = client.get_page(f"{made.url}/files")
    inset = soup.select_one(".govuk-inset-text")
    assert [p.get_text() for p in inset.find_all("p")] == ["Here is our response.",
                                                           "Call us on <b>0123</b> <script>x</script>"]
    assert inset.find("b") is None


# Sessions ----------------------------------------------------------------------------------------------

def test_share_pages_need_a_signed_in_browser(client, share):
    for path in ("/files", f"/files/{share.documents[0]}", "/files/all.zip", "/history", "/remove"):
        response = client.raw.get(f"{share.url}{path}")
        assert response.status_code == 302 and response.headers["Location"].endswith(share.url), path


def test_sign_out_ends_the_session_on_the_server_at_once(app, client, services, share):
    sign_in(client, share, services.mailer)
    stolen = session_cookie(client)
    response = post_from(client, f"{share.url}/files", f"{share.url}/sign-out")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{share.url}/signed-out")
    assert any(c.startswith("share_session=;") for c in response.headers.getlist("Set-Cookie"))
    soup = client.get_page(response.headers["Location"])
    assert h1(soup) == "You have signed out"
    assert "You can sign in again using the link you were sent." in text_of(soup)
    # The old cookie, kept by someone, is refused by the server.
    client.raw.set_cookie("share_session", stolen, path="/documents")
    for path in ("/files", f"/files/{share.documents[0]}", "/history"):
        assert client.raw.get(f"{share.url}{path}").status_code == 302
    assert [e.kind for e in events(app, share.id) if e.kind.startswith("signed")] == ["signed in", "signed out"]


def test_a_session_for_one_share_does_not_open_another(app, client, services, share):
    other = make_share(app, services, email="someone.else@example.com")
    sign_in(client, share, services.mailer)
    for path in ("/files", f"/files/{other.documents[0]}"):
        response = client.raw.get(f"{other.url}{path}")
        assert response.status_code == 302 and response.headers["Location"].endswith(other.url)


def test_a_signed_in_browser_following_the_link_goes_straight_to_the_documents(client, services, share):
    sign_in(client, share, services.mailer)
    response = client.raw.get(share.url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{share.url}/files")


def test_thirty_idle_minutes_sign_you_out(client, services, share):
    sign_in(client, share, services.mailer)
    services.clock.advance(minutes=29)
    client.get_page(f"{share.url}/files")  # activity restarts the idle clock
    services.clock.advance(minutes=30)
    assert client.raw.get(f"{share.url}/files").status_code == 200
    services.clock.advance(minutes=30, seconds=1)
    response = client.raw.get(f"{share.url}/files")
    assert response.status_code == 302 and response.headers["Location"].endswith(share.url)
    soup = client.get_page(share.url)
    assert "we signed you out because you did not do anything for 30 minutes" in text_of(soup)


def test_keep_alive_restarts_the_idle_clock(client, services, share):
    sign_in(client, share, services.mailer)
    token = client.csrf_token(f"{share.url}/files")
    services.clock.advance(minutes=29)
    response = client.raw.post(f"{share.url}/keep-alive", headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json() == {"signed_in": True, "idle_minutes": 30}
    services.clock.advance(minutes=29)
    assert client.raw.get(f"{share.url}/files").status_code == 200
    assert client.raw.post(f"{share.url}/keep-alive").status_code == 400  # no CSRF token
    post_from(client, f"{share.url}/files", f"{share.url}/sign-out")
    assert client.raw.post(f"{share.url}/keep-alive", headers={"X-CSRFToken": token}).status_code == 401


def test_the_timeout_warning_lands_on_a_signed_out_page(app, client, services, share):
    sign_in(client, share, services.mailer)
    services.clock.advance(minutes=30)
    response = client.raw.get(f"{share.url}/timed-out")
    soup = check_page(response.get_data(as_text=True))
    assert response.status_code == 200 and h1(soup) == "For your security, we signed you out"
    assert any(c.startswith("share_session=;") for c in response.headers.getlist("Set-Cookie"))
    assert [e.kind for e in events(app, share.id, "signed out: idle")] == ["signed out: idle"]
    assert events(app, share.id, "signed out") == []
    rows = [td.get_text(strip=True) for td in _history_after_signing_in_again(client, services, share)]
    assert "Signed out after 30 minutes without activity" in rows


def _history_after_signing_in_again(client, services, share):
    sign_in(client, share, services.mailer)
    return client.get_page(f"{share.url}/history").select("tbody td")


def test_the_timeout_page_keeps_a_session_another_tab_is_using(client, services, share):
    sign_in(client, share, services.mailer)
    services.clock.advance(minutes=20)
    client.get_page(f"{share.url}/history")  # another tab
    services.clock.advance(minutes=10)
    response = client.raw.get(f"{share.url}/timed-out")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{share.url}/files")


def test_every_post_needs_a_csrf_token(client, services, share):
    sign_in(client, share, services.mailer)
    for path in ("/code", "/sign-in", "/sign-out", "/remove", "/keep-alive"):
        assert client.raw.post(f"{share.url}{path}", data={"code": "123456"}).status_code == 400, path
    assert client.raw.get(f"{share.url}/files").status_code == 200  # nothing happened


# Remove, history -------------------------------------------------------------------------------------

def test_remove_these_documents(app, client, services, share, notices):
    sign_in(client, share, services.mailer)
    soup = client.get_page(f"{share.url}/remove")
    assert h1(soup) == "Are you sure you want to remove these documents?"
    assert soup.select_one(".govuk-back-link")["href"] == f"{share.url}/files"
    assert soup.find("a", string="Cancel")["href"] == f"{share.url}/files"
    response = post_from(client, f"{share.url}/remove", f"{share.url}/remove")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{share.url}/removed")
    soup = client.get_page(response.headers["Location"])
    assert h1(soup) == "Your documents have been removed"
    assert "quote your reference SAR-2026-000123" in text_of(soup)
    assert services.store.files == {}  # deleted from storage, not just hidden
    row = share_row(app, share.id)
    assert row.status == "removed" and row.files_deleted_at == services.clock.now()
    assert notices == [(share.id, "removed")]
    assert session_cookie(client) is None
    # The link now says what happened; a browser that never signed in is not told the reference.
    soup = PageClient(app).get_page(share.url, status=410)
    assert h1(soup) == "These documents have been removed"
    assert "SAR-2026-000123" not in text_of(soup)
    assert h1(PageClient(app).get_page(f"{share.url}/removed", status=410)) == "These documents have been removed"


def test_the_removed_page_is_not_a_way_round_sign_in(client, share):
    response = client.raw.get(f"{share.url}/removed")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{share.url}/files")
    assert client.raw.get(f"{share.url}/files").status_code == 302


def test_access_and_download_history_in_plain_words(app, client, services, share):
    client.raw.environ_base["HTTP_USER_AGENT"] = ANDROID_CHROME
    ask_for_code(client, share)
    enter_code(client, share, _wrong(last_code(services.mailer)))
    services.clock.advance(minutes=1)
    enter_code(client, share, last_code(services.mailer))
    client.get_page(f"{share.url}/files")
    services.clock.advance(minutes=1)
    assert client.raw.get(f"{share.url}/files/{share.documents[1]}").data
    response = client.raw.get(f"{share.url}/files/{share.documents[0]}")
    next(iter(response.response))
    response.close()  # the browser gave up half way
    assert client.raw.get(f"{share.url}/files/{share.documents[0]}", headers={"Range": "bytes=0-99"}).data
    client.get_page(f"{share.url}/history")
    soup = client.get_page(f"{share.url}/history")
    assert h1(soup) == "Access and download history"
    rows = [[text_of(td) for td in tr.find_all("td")] for tr in soup.select("tbody tr")]
    android = "Chrome Mobile on an Android phone or tablet"
    at = "1 June 2026 at 10:02am"
    assert rows == [
        [at, "Viewed this history", android],
        [at, "Downloaded part of John Smith SAR response letter (PDF) (100 bytes)", android],
        [at, "Started downloading part of John Smith SAR response letter (PDF)", android],
        [at, "Download of John Smith SAR response letter (PDF) stopped after 0 bytes of 2.9KB: the connection closed",
         android],
        [at, "Started downloading John Smith SAR response letter (PDF)", android],
        [at, "Downloaded John Smith medical records (PDF) (4.9KB)", android],
        [at, "Started downloading John Smith medical records (PDF)", android],
        ["1 June 2026 at 10:01am", "Viewed the list of documents", android],
        ["1 June 2026 at 10:01am", "Signed in", android],
        ["1 June 2026 at 10:00am", "Wrong security code entered", android],
        ["1 June 2026 at 10:00am", "Link opened", android],
        ["1 June 2026 at 10:00am", "Link sent to you by Example Council", "Not applicable"],
    ]
    assert [th.get_text(strip=True) for th in soup.select("thead th")] == [
        "Date and time", "What happened", "Browser and device"]


def test_the_requesters_events_carry_a_keyed_hash_of_their_address_never_the_address(app, client, services, share):
    from secure_share import audit

    client.raw.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    sign_in(client, share, services.mailer)
    assert client.raw.get(f"{share.url}/files/{share.documents[0]}").data
    secret = app.config["PORTAL_SETTINGS"].secret_key
    expected = audit.address_hash(secret, "203.0.113.7")
    assert len(expected) == 64 and expected != audit.address_hash(secret, "203.0.113.8")
    trail = events(app, share.id)
    assert {e.kind: e.address_hash for e in trail if e.actor == "requester"} == {
        "link opened": expected, "code sent": expected, "signed in": expected, "download started": expected,
        "download completed": expected}
    assert {e.address_hash for e in trail if e.actor != "requester"} == {""}
    assert not any("203.0.113" in repr((e.device, e.detail, e.address_hash)) for e in trail)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        api_events = audit.events_json(session, share_row(app, share.id))
    assert [e.get("address_hash") for e in api_events if e["actor"] == "requester"] == [expected] * 5


def test_every_requester_page_is_a_noindex_no_store_gov_uk_page(app, client, services, share):
    def visit(url, status=200):
        response = client.raw.get(url)
        assert response.status_code == status, url
        soup = check_page(response.get_data(as_text=True))
        assert response.headers["Cache-Control"] == "no-store", url
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow", url
        assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow", url
        assert soup.select_one(".govuk-header, .govuk-generic-header") and soup.select_one(".govuk-footer"), url

    visit(share.url)
    visit("/documents/not-a-token", 404)
    ask_for_code(client, share)
    visit(f"{share.url}/code")
    enter_code(client, share, last_code(services.mailer))
    for path in ("/files", "/history", "/remove", "/signed-out"):
        visit(f"{share.url}{path}")
    change(app, share.id, lambda session, row: service.revoke(session, row, services.clock.now()))
    visit(share.url, 410)
