"""A stranger who has a share's link (secure_share/signing_in.py says what they can and cannot do).

Parallel attacks against a real server are in tests/integration/test_code_limits_parallel.py.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from secure_share import service, signing_in
from secure_share.models import Share, ShareEvent, SignInCode
from tests.pages import PageClient, check_page, text_of
from tests.share_helpers import ask_for_code, csrf_from, enter_code, last_code, make_share
from tests.share_helpers import notices  # noqa: F401 - a fixture


pytestmark = pytest.mark.usefixtures("no_rate_limits")


@pytest.fixture
def share(app, services):
    return make_share(app, services)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _row(app, share_id: str) -> Share:
    with app.app_context(), app.extensions["portal.db"].sessionmaker(expire_on_commit=False) as session:
        return session.get(Share, share_id)


def _code_emails(mailer) -> list:
    return [m for m in mailer.sent if "is your security code" in m.subject]


def test_a_stranger_asking_for_codes_all_day_sends_a_few_emails_and_never_leaves_the_requester_without_a_code(
        app, services, share):
    stranger = PageClient(app)
    sent_at: list[dt.datetime] = []
    start = services.clock.now()
    for _minute in range(6 * 60):
        before = len(_code_emails(services.mailer))
        ask_for_code(stranger, share)
        if len(_code_emails(services.mailer)) > before:
            sent_at.append(services.clock.now())
        # At every moment the newest code in the requester's inbox works.
        with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
            assert signing_in.code_state(session, session.get(Share, share.id), services.clock.now()) == "active"
        services.clock.advance(minutes=1)
    in_hour = [sum(1 for t in sent_at if start + dt.timedelta(hours=h) <= t < start + dt.timedelta(hours=h + 1))
               for h in range(6)]
    assert in_hour[0] <= signing_in.CODE_EMAILS_AT_ONCE + 4 and max(in_hour[1:]) <= 4, in_hour
    # And the requester, in their own browser, signs in with it.
    requester = PageClient(app)
    assert enter_code(requester, share, last_code(services.mailer)).status_code == 302
    assert requester.raw.get(f"{share.url}/files").status_code == 200


def test_a_right_code_costs_the_share_nothing_and_wrong_ones_count_over_its_life(app, services, share):
    requester = PageClient(app)
    ask_for_code(requester, share)
    enter_code(requester, share, _wrong(last_code(services.mailer)))
    assert enter_code(requester, share, last_code(services.mailer)).status_code == 302
    assert _row(app, share.id).failed_codes == 1


def test_twenty_wrong_codes_lock_the_link_until_the_body_resends_it(app, services, share, notices):
    stranger = PageClient(app)
    guesses = 0
    while guesses < signing_in.FAILED_CODES_LIMIT - 1:
        services.clock.advance(minutes=16)  # a new code to guess at, whatever the pace of emails
        ask_for_code(stranger, share)
        for _ in range(min(signing_in.CODE_ATTEMPTS, signing_in.FAILED_CODES_LIMIT - 1 - guesses)):
            enter_code(stranger, share, _wrong(last_code(services.mailer)))
            guesses += 1
    assert _row(app, share.id).status == "sent"
    code = last_code(services.mailer)
    page = stranger.get_page(f"{share.url}/code")
    response = stranger.raw.post(f"{share.url}/sign-in", data={"code": _wrong(code), "csrf_token": csrf_from(str(page))})
    assert response.status_code == 403
    soup = check_page(response.get_data(as_text=True))
    assert soup.h1.get_text(strip=True) == "This link has been locked"
    row = _row(app, share.id)
    assert (row.status, row.failed_codes, row.locked_at) == ("locked", 20, services.clock.now())
    # The case system is told, and the requester is emailed what to do, once.
    assert notices == [(share.id, "locked")]
    locked = [m for m in services.mailer.sent if "has been locked" in m.subject]
    assert len(locked) == 1 and locked[0].to == "jane.smith@example.com" and "SAR-2026-000123" in locked[0].body
    # The right code no longer opens it, and asking for a code sends nothing.
    emails = len(services.mailer.sent)
    requester = PageClient(app)
    assert requester.raw.get(share.url).status_code == 403
    response = stranger.raw.post(f"{share.url}/sign-in", data={"code": code, "csrf_token": csrf_from(str(page))})
    assert response.status_code == 403 and "share_session" not in response.headers.get("Set-Cookie", "")
    assert stranger.raw.post(f"{share.url}/code", data={"csrf_token": csrf_from(str(page))}).status_code == 403
    assert len(services.mailer.sent) == emails
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        kinds = list(session.scalars(select(ShareEvent.kind).where(ShareEvent.share_id == share.id)))
        assert kinds.count("link locked: too many wrong codes") == 1
        # The body resends: a new link that works, and the old one never again.
        shared = session.get(Share, share.id)
        link = service.send_link(session, shared, services.clock.now(), app.config["PORTAL_SETTINGS"], resend=True)
        session.commit()
        assert (shared.status, shared.failed_codes, shared.locked_at) == ("sent", 0, None)
    token = link.rsplit("/", 1)[1]
    assert requester.raw.get(share.url).status_code == 404
    fresh, resent = PageClient(app), dataclasses.replace(share, token=token)
    ask_for_code(fresh, resent)
    assert enter_code(fresh, resent, last_code(services.mailer)).status_code == 302


def test_the_locked_page_and_the_api_say_what_happened(app, services, share):
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        row = session.get(Share, share.id)
        row.failed_codes = signing_in.FAILED_CODES_LIMIT - 1
        session.commit()
    client = PageClient(app)
    ask_for_code(client, share)
    response = enter_code(client, share, _wrong(last_code(services.mailer)))
    text = text_of(check_page(response.get_data(as_text=True)))
    assert "Someone entered the wrong security code too many times" in text
    assert "Your documents are safe" in text and "new link" in text
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        body = service.share_json(session.get(Share, share.id), app.config["PORTAL_SETTINGS"])
        assert (body["status"], body["failed_codes"]) == ("locked", 20) and body["locked_at"]
        assert session.scalar(select(SignInCode.attempts)) == 1
