"""Secure Share's pages for the shell's browser checks (axe, CSP, no-JS, styles, the status).

A share is made directly with the domain service on the live server; the states behind a security code
(the code page, the share page, history, removal, the timeout warning) are driven in
tests/browser/test_share_browser.py.
"""
from __future__ import annotations

import io

from accessibility.pages import PageCheck, register

PDF = b"%PDF-1.7\n" + bytes((i * 7 + 3) % 251 for i in range(1200))


def _make_share(server, *, revoke: bool = False, lock: bool = False) -> str:
    """A sent share with one PDF; its link's path (/documents/<token>)."""
    from secure_share import links, service

    app = server.app
    services = app.extensions["portal.services"]
    settings = app.config["PORTAL_SETTINGS"]
    data = {"case_reference": "SAR-2026-000777", "recipient_name": "Jane Smith",
            "recipient_email": "jane.smith@example.com", "message": ""}
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        share = service.create_share(session, services.clock.now(), settings, data)
        session.commit()  # add_document stores the file with no transaction open
        service.add_document(session, share, io.BytesIO(PDF), "Medical records.pdf", None, services, settings)
        service.send(session, share, services.clock.now())
        if revoke:
            service.revoke(session, share, services.clock.now())
        if lock:
            from secure_share import signing_in

            signing_in.lock(session, share, services.clock.now())
        session.commit()
        return f"/documents/{links.make_token(settings.secret_key, share.id, share.link_version)}"


def _sign_in_page(page, server):
    return page.goto(server.url(_make_share(server)))


def _signed_out_page(page, server):
    return page.goto(server.url(_make_share(server) + "/signed-out"))


def _revoked_page(page, server):
    return page.goto(server.url(_make_share(server, revoke=True)))


def _locked_page(page, server):
    return page.goto(server.url(_make_share(server, lock=True)))


register(
    PageCheck("share link does not work", "/documents/not-a-real-link", 404),
    PageCheck("share sign in", None, setup=_sign_in_page),
    PageCheck("share signed out", None, setup=_signed_out_page),
    PageCheck("share link cancelled", None, 410, setup=_revoked_page),
    PageCheck("share link locked after too many wrong codes", None, 403, setup=_locked_page),
)
