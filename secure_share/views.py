"""The requester's pages: sign in with the link and an emailed code, download, sign out, remove.

The link's token is in every path and is checked on every request (signature, link version, the
share still open, expiry to the minute). Before sign-in nothing about the documents is shown. The
sign-in lives in its own cookie (`share_session`: HttpOnly, SameSite=Strict, Secure outside
development, path /documents) naming a server-side session that sign-out ends at once.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import secrets

from flask import (Blueprint, abort, current_app, redirect, render_template, request, session as cookie, url_for)

from portal.adapters.ports import EmailMessage
from portal.current import now as _now, services as _services, settings as _settings
from portal.dates import govuk_datetime
from portal.db import session as db_session
from portal.downloads import plan_range
from portal.jobs import enqueue_email
from portal.security import limiter
from secure_share import downloads, service
from secure_share.devices import describe_device

log = logging.getLogger(__name__)
bp = Blueprint("secure_share", __name__, url_prefix="/documents", template_folder="templates")

SESSION_COOKIE = "share_session"
COOKIE_PATH = "/documents"
BROWSER = "share_browser"  # in the Flask session: the id of this browser, to which codes are bound
KNOWN = "share_known"  # shares this browser has signed in to: only their closed pages show the case reference
REMOVED = "share_removed"  # the share this browser has just removed, for the confirmation page
NOTICE = "share_notice"
WARNING_BEFORE = dt.timedelta(minutes=2)  # as portal.js: the warning shows 2 minutes before the timeout


class SignInNeeded(Exception):
    """No live session for this share in this browser: back to the sign-in page."""


def _idle() -> dt.timedelta:
    return dt.timedelta(minutes=_settings().share_idle_minutes)


def _device() -> str:
    return describe_device(request.user_agent.string or "")


def _share(token: str):
    return service.resolve(db_session(), _settings(), token, _now())


def _session_token() -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def _signed_in(token: str):
    """The share, when this browser holds a live session for THIS share; the idle clock restarts."""
    share = _share(token)
    if service.current_session(db_session(), share, _session_token(), _now(), _idle()) is None:
        raise SignInNeeded()
    return share


def _forget_session(response):
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, secure=_settings().session_cookie_secure,
                           httponly=True, samesite="Strict")
    return response


def _tell_case_system(share_id: str, event: str) -> None:
    """After the commit: a queue that is down must never turn a download or a removal into an error."""
    try:
        from secure_share.jobs import notify_case_system

        notify_case_system(share_id, event)
    except Exception:
        log.exception("could not queue the case system notice %r for share %s", event, share_id)


# Errors and common headers -----------------------------------------------------------------

@bp.errorhandler(SignInNeeded)
def _sign_in_needed(_error):
    return redirect(url_for(".sign_in", token=request.view_args["token"]))


@bp.errorhandler(service.LinkInvalid)
def _link_invalid(_error):
    return render_template("secure_share/link_invalid.html"), 404


@bp.errorhandler(service.ShareClosed)
def _closed(error):
    share = error.share
    known = share.id in cookie.get(KNOWN, [])
    page = share.status if share.status in ("expired", "revoked", "removed") else "revoked"
    return render_template(f"secure_share/closed_{page}.html", share=share, known=known), 410


@bp.errorhandler(service.TooManyCodes)
def _too_many_codes(_error):
    return render_template("secure_share/too_many_codes.html"), 429


@bp.after_request
def _not_indexed(response):
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.context_processor
def _share_globals():
    return {"idle_minutes": _settings().share_idle_minutes}


# Sign in -----------------------------------------------------------------------------------

@bp.get("/<token>")
def sign_in(token):
    """Consumes nothing and shows nothing of the documents: mail scanners and link previews follow links."""
    share = _share(token)
    db = db_session()
    if service.current_session(db, share, _session_token(), _now(), _idle()) is not None:
        return redirect(url_for(".files", token=token))
    timed_out = service.peek_session(db, share, _session_token()) is not None
    return render_template("secure_share/sign_in.html", token=token, timed_out=timed_out,
                           masked=service.masked_email(share.recipient_email))


def _code_email(share, code: str) -> EmailMessage:
    body_name = _settings().public_body_name
    body = (f"{code} is your security code to get your documents from {body_name}.\n\n"
            f"The code expires in {int(service.CODE_VALID.total_seconds() // 60)} minutes. "
            "It only works in the browser where you asked for it.\n\n"
            f"Do not share this code with anyone. {body_name} will never ask you for it.\n\n"
            "If you did not ask for a code, you can ignore this email: no one can get your documents "
            "without the code.\n")
    return EmailMessage(share.recipient_email, f"{code} is your security code", body, share.id)


@bp.post("/<token>/code")
@limiter.limit("20 per hour")
def send_code(token):
    share = _share(token)
    db = db_session()
    browser = cookie.get(BROWSER)
    if not browser:
        browser = cookie[BROWSER] = secrets.token_hex(16)
    again = service.code_state(db, share, browser, _now()) != "none"
    client = service.client_key(_settings().secret_key, request.remote_addr)
    code = service.request_code(db, share, browser, client, _now(), _settings().secret_key)
    enqueue_email(_code_email(share, code))
    if again:
        cookie[NOTICE] = "new code"
    return redirect(url_for(".enter_code", token=token))


def _code_page(share, token: str, state: str, error: str | None = None, typed: str = ""):
    return render_template("secure_share/code.html", token=token, state=state, error=error, typed=typed,
                           masked=service.masked_email(share.recipient_email), notice=cookie.pop(NOTICE, None),
                           minutes=int(service.CODE_VALID.total_seconds() // 60))


@bp.get("/<token>/code")
def enter_code(token):
    share = _share(token)
    browser = cookie.get(BROWSER)
    state = service.code_state(db_session(), share, browser, _now()) if browser else "none"
    if state == "none":
        return redirect(url_for(".sign_in", token=token))
    return _code_page(share, token, state)


@bp.post("/<token>/sign-in")
@limiter.limit("60 per hour")
def check_code(token):
    share = _share(token)
    db = db_session()
    browser = cookie.get(BROWSER)
    if not browser:
        return redirect(url_for(".sign_in", token=token))
    typed = request.form.get("code", "")
    digits = re.sub(r"[\s-]", "", typed)
    if not digits:
        return _code_page(share, token, "active", "Enter the security code", typed)
    if not re.fullmatch(r"\d{6}", digits):  # a slip of the finger costs no try
        return _code_page(share, token, "active", "The security code must be 6 numbers", typed)
    result = service.check_code(db, share, browser, digits, _now(), _settings().secret_key, _device())
    if result.reason == "none":
        return redirect(url_for(".sign_in", token=token))
    if result.reason in ("locked", "expired"):
        return _code_page(share, token, result.reason)
    if not result.ok:
        tries = "1 more time" if result.attempts_left == 1 else f"{result.attempts_left} more times"
        return _code_page(share, token, "active",
                          f"The security code is not correct. Check the email and try again. You can try {tries}", typed)
    session_token = service.start_session(db, share, _now(), _device())
    cookie[KNOWN] = [share.id, *[s for s in cookie.get(KNOWN, []) if s != share.id]][:10]
    response = redirect(url_for(".files", token=token))
    response.set_cookie(SESSION_COOKIE, session_token, path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=_settings().session_cookie_secure)
    return response


# The share page and what it links to -------------------------------------------------------

def _ready(share) -> list:
    return [d for d in service.live_documents(share) if d.scan_status != "pending"]


@bp.get("/<token>/files")
def files(token):
    share = _signed_in(token)
    ready = _ready(share)
    return render_template(
        "secure_share/files.html", token=token, share=share, documents=service.live_documents(share),
        time_left=service.time_left(_now(), share.expires_at), removal=service.removal_moment(share.expires_at),
        zip_size=downloads.zip_size(ready) if len(ready) > 1 else None,
        paragraphs=[p.strip() for p in re.split(r"\n\s*\n", share.message or "") if p.strip()],
    )


@bp.get("/<token>/files/<document_id>")
def download(token, document_id):
    share = _signed_in(token)
    document = service.document_of(share, document_id)
    if document.scan_status == "pending":
        return render_template("secure_share/scanning.html", token=token), 409, {"Retry-After": "60"}
    plan = plan_range(request, document.size, document.sha256)
    if plan.status == 416:
        return downloads.unsatisfiable(document)
    response = downloads.document_response(_services().store, document, plan)  # the store is opened first
    if request.method == "GET":  # once per request, not per chunk; a HEAD downloads nothing
        served = f"{plan.start}-{plan.end}" if plan.status == 206 else None
        if service.record_download(db_session(), share, _now(), _device(), document, served):
            _tell_case_system(share.id, "first download")
    return response


@bp.get("/<token>/files/all.zip")
def download_all(token):
    share = _signed_in(token)
    ready = _ready(share)
    store = _services().store
    if not ready or not all(store.exists(d.store_key) for d in ready):  # never a zip that breaks half way
        abort(404)
    response = downloads.zip_response(store, ready, f"Documents from {_settings().public_body_name}")
    if request.method == "GET" and service.record_download(db_session(), share, _now(), _device(), None):
        _tell_case_system(share.id, "first download")
    return response


def _history_rows(share, events) -> list[tuple[str, str, str]]:
    documents = {d.id: d for d in share.documents}
    body_name = _settings().public_body_name

    def title(event) -> str:
        document = documents.get(event.document_id)
        return f"{document.title} ({document.kind})" if document else "a document that has since been removed"

    words = {
        "sent": lambda e: f"Link sent to you by {body_name}",
        "resent": lambda e: f"New link sent to you by {body_name}. Earlier links stopped working",
        "signed in": lambda e: "Signed in",
        "signed out": lambda e: "Signed out",
        "downloaded": lambda e: (f"Downloaded part of {title(e)}" if (e.detail or {}).get("range")
                                 else f"Downloaded {title(e)}"),
        "downloaded all": lambda e: "Downloaded all the documents as a zip file",
        "code failed": lambda e: "Wrong security code entered",
        "locked: too many wrong codes": lambda e: "Security code stopped working after too many wrong tries",
    }
    return [(govuk_datetime(e.at), words[e.kind](e), e.device) for e in events if e.kind in words]


@bp.get("/<token>/history")
def history(token):
    share = _signed_in(token)
    return render_template("secure_share/history.html", token=token, share=share,
                           rows=_history_rows(share, service.history(db_session(), share)))


@bp.get("/<token>/remove")
def remove(token):
    share = _signed_in(token)
    return render_template("secure_share/remove.html", token=token, share=share)


@bp.post("/<token>/remove")
@limiter.limit("30 per hour")
def remove_confirmed(token):
    share = _signed_in(token)
    service.remove_by_requester(db_session(), share, _services().store, _now(), _device())
    _tell_case_system(share.id, "removed")
    cookie[REMOVED] = share.id
    return _forget_session(redirect(url_for(".removed", token=token)))


@bp.get("/<token>/removed")
def removed(token):
    try:
        _share(token)
    except service.ShareClosed as closed:
        if closed.share.status == "removed" and cookie.get(REMOVED) == closed.share.id:
            return render_template("secure_share/removed.html", share=closed.share)
        raise
    return redirect(url_for(".files", token=token))


# Signing out -------------------------------------------------------------------------------

@bp.post("/<token>/sign-out")
def sign_out(token):
    share = _share(token)
    service.sign_out(db_session(), share, _session_token(), _now(), _device())
    return _forget_session(redirect(url_for(".signed_out", token=token)))


@bp.get("/<token>/signed-out")
def signed_out(token):
    _share(token)
    return render_template("secure_share/signed_out.html", token=token)


@bp.get("/<token>/timed-out")
def timed_out(token):
    """Where the timeout warning sends an idle page. Another tab in use since keeps the session."""
    share = _share(token)
    db = db_session()
    row = service.peek_session(db, share, _session_token())
    if row is not None and row.ended_at is None and _now() - row.last_seen_at < _idle() - WARNING_BEFORE:
        return redirect(url_for(".files", token=token))
    service.sign_out(db, share, _session_token(), _now(), _device())
    return _forget_session(current_app.make_response(render_template("secure_share/timed_out.html", token=token)))


@bp.post("/<token>/keep-alive")
@limiter.limit("120 per hour")
def keep_alive(token):
    """The timeout warning's "Stay signed in": any request with the session restarts the idle clock."""
    share = _share(token)
    if service.current_session(db_session(), share, _session_token(), _now(), _idle()) is None:
        return {"signed_in": False}, 401
    return {"signed_in": True, "idle_minutes": _settings().share_idle_minutes}
