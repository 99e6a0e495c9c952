"""The requester's pages: sign in with the link and an emailed code, download, sign out, remove.

The link's token is in every path and is checked on every request (signature, link version, the
share still open, expiry to the minute). Before sign-in nothing about the documents is shown. The
sign-in lives in its own cookie (`share_session`: HttpOnly, SameSite=Strict, Secure outside
development, path /documents) naming a server-side session that sign-out ends at once.

Each page commits once, after its service calls and before anything leaves the portal (an email, a
notice to the case system, a download's bytes). An error page commits nothing, but for the two that
are outcomes: a closed share's page keeps the expiry found on the way, "too many codes" its refusal.
"""
from __future__ import annotations

import datetime as dt
import re

from flask import (Blueprint, abort, current_app, redirect, render_template, request, session as cookie, url_for)
from flask_babel import gettext as _, ngettext
from markupsafe import Markup, escape

from portal.adapters.ports import EmailMessage
from portal.current import now as _now, services as _services, settings as _settings
from portal.dates import govuk_datetime, govuk_time, minutes_to_wait
from portal.db import get_db, session as db_session
from portal.downloads import plan_range
from portal import outbox
from portal.formatting import bdi, human_size, masked_email
from portal.i18n import current_language, localised
from portal.jobs import after_commit, send_after_commit
from portal.security import limiter
from secure_share import audit, downloads, link_email, service, signing_in
from secure_share.devices import describe_device, device_in_words

bp = Blueprint("secure_share", __name__, url_prefix="/documents", template_folder="templates")

SESSION_COOKIE = "share_session"
COOKIE_PATH = "/documents"
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
    """The share, when this browser holds a live session for THIS share; the idle clock restarts (on commit)."""
    share = _share(token)
    if signing_in.current_session(db_session(), share, _session_token(), _now(), _idle()) is None:
        raise SignInNeeded()
    return share


def _forget_session(response):
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH, secure=_settings().session_cookie_secure,
                           httponly=True, samesite="Strict")
    return response


def _tell_case_system(share_id: str, event: str) -> None:
    """After the commit: a queue that is down must never turn a download or a removal into an error."""
    from secure_share.jobs import notify_case_system

    after_commit(f"the case system notice {event!r} for share {share_id}", notify_case_system, share_id, event)


# Errors and common headers -----------------------------------------------------------------

@bp.errorhandler(SignInNeeded)
def _sign_in_needed(_error):
    return redirect(url_for(".sign_in", token=request.view_args["token"]))


@bp.errorhandler(service.LinkInvalid)
def _link_invalid(_error):
    return render_template("secure_share/link_invalid.html"), 404


@bp.errorhandler(service.ShareClosed)
def _closed(error):
    db_session().commit()  # an expiry found on the way is kept: this page is the request's outcome
    share = error.share
    known = share.id in cookie.get(KNOWN, [])
    page = share.status if share.status in ("expired", "revoked", "removed", "locked") else "revoked"
    status = 403 if page == "locked" else 410  # a locked link works again once the body resends it
    return render_template(f"secure_share/closed_{page}.html", share=share, known=known), status


@bp.errorhandler(signing_in.TooManyCodes)
def _too_many_codes(error):
    wait = minutes_to_wait(error.wait)
    return render_template("secure_share/too_many_codes.html", wait=wait), 429, {
        "Retry-After": str(max(1, int(error.wait.total_seconds())))}


@bp.before_request
def _requester_address():
    """The requester's events of this request carry a keyed hash of their address, never the address."""
    audit.requester_address.set(audit.address_hash(_settings().secret_key, request.remote_addr))


@bp.teardown_request
def _forget_requester_address(_error):
    audit.requester_address.set("")


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
    signed_in = signing_in.current_session(db, share, _session_token(), _now(), _idle()) is not None
    if request.method == "GET":
        audit.record(db, share, _now(), "link opened", "requester", device=_device())
    db.commit()
    if signed_in:
        return redirect(url_for(".files", token=token))
    timed_out = signing_in.peek_session(db, share, _session_token()) is not None
    return render_template("secure_share/sign_in.html", token=token, timed_out=timed_out,
                           masked=masked_email(share.recipient_email), code_minutes=_code_minutes())


def _code_minutes() -> int:
    return int(signing_in.CODE_VALID.total_seconds() // 60)


def _code_email(share, code: str) -> EmailMessage:
    """In the language of the page the code was asked for on: the person asking is reading it."""
    body_name = localised(_settings()).public_body_name
    paragraphs = [
        _("%(code)s is your security code to get your documents from %(body)s.", code=code, body=body_name),
        ngettext("The code expires in %(num)d minute. If we've sent you more than one code, use the newest.",
                 "The code expires in %(num)d minutes. If we've sent you more than one code, use the newest.",
                 _code_minutes()),
        _("Do not share this code with anyone. %(body)s will never ask you for it.", body=body_name),
        _("If you did not ask for a code, you can ignore this email: no one can get your documents without the code."),
    ]
    return EmailMessage(share.recipient_email, _("%(code)s is your security code", code=code),
                        "\n\n".join(paragraphs) + "\n", share.id)


@bp.post("/<token>/code")
@limiter.limit("300 per hour")  # a flood guard only: the limits that matter are per share (signing_in)
def send_code(token):
    share = _share(token)
    db = db_session()
    again = signing_in.code_state(db, share, _now()) != "none"
    try:
        asked = signing_in.request_code(db, share, _now(), _settings().secret_key)
    except signing_in.TooManyCodes:
        db.commit()  # the refusal goes in the audit trail
        raise
    if asked.code is None:
        db.commit()
        cookie[NOTICE] = {"already sent": asked.live_since.isoformat()}  # written out by the page that shows it
    else:
        email_id = outbox.add(db, _code_email(share, asked.code), _now(), discard_after=_now() + signing_in.CODE_VALID)
        db.commit()  # the code and its email together
        send_after_commit(email_id)
        if again:
            cookie[NOTICE] = "new code"
    return redirect(url_for(".enter_code", token=token))


def _code_page(share, token: str, state: str, error: str | None = None, typed: str = ""):
    notice = cookie.pop(NOTICE, None)
    if isinstance(notice, dict):  # when the code was sent, written out in the language of this page
        try:
            notice = {"already sent": govuk_time(dt.datetime.fromisoformat(str(notice.get("already sent"))))}
        except ValueError:  # a session from before the time was kept as a moment
            notice = None
    return render_template("secure_share/code.html", token=token, state=state, error=error, typed=typed,
                           masked=masked_email(share.recipient_email), notice=notice, minutes=_code_minutes())


@bp.get("/<token>/code")
def enter_code(token):
    share = _share(token)
    state = signing_in.code_state(db_session(), share, _now())
    if state == "none":
        return redirect(url_for(".sign_in", token=token))
    return _code_page(share, token, state)


@bp.post("/<token>/sign-in")
@limiter.limit("300 per hour")  # a flood guard only: tries are counted per code and per share (signing_in)
def check_code(token):
    share = _share(token)
    db = db_session()
    typed = request.form.get("code", "")
    digits = re.sub(r"[\s-]", "", typed)
    if not digits:
        return _code_page(share, token, "active", _("Enter the security code"), typed)
    if not re.fullmatch(r"\d{6}", digits):  # a slip of the finger costs no try
        return _code_page(share, token, "active", _("The security code must be 6 numbers"), typed)
    result = signing_in.check_code(db, share, digits, _now(), _settings().secret_key, _device())
    session_token = signing_in.start_session(db, share, _now(), _device()) if result.ok else None
    locked_now = result.reason == "link locked" and result.counted  # this try locked it: say so, once
    email_id = None
    if locked_now:
        locked = link_email.locked_email(share, _settings(), service.share_language(share, _settings()))
        email_id = outbox.add(db, locked, _now())
    db.commit()  # a wrong try counts, whatever the page says next
    if result.reason == "link locked":
        if locked_now:
            send_after_commit(email_id)
            _tell_case_system(share.id, "locked")
        raise service.ShareClosed(share)
    if result.reason == "none":
        return redirect(url_for(".sign_in", token=token))
    if result.reason in ("locked", "expired"):
        return _code_page(share, token, result.reason)
    if not result.ok:
        return _code_page(share, token, "active", ngettext(
            "The security code is not correct. Check the newest email we sent you and try again. "
            "You can try %(num)d more time",
            "The security code is not correct. Check the newest email we sent you and try again. "
            "You can try %(num)d more times", result.attempts_left), typed)
    cookie[KNOWN] = [share.id, *[s for s in cookie.get(KNOWN, []) if s != share.id]][:10]
    response = redirect(url_for(".files", token=token))
    response.set_cookie(SESSION_COOKIE, session_token, path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=_settings().session_cookie_secure)
    return response


# The share page and what it links to -------------------------------------------------------

@bp.get("/<token>/files")
def files(token):
    share = _signed_in(token)
    audit.record(db_session(), share, _now(), "viewed documents", "requester", device=_device())
    db_session().commit()
    documents = service.live_documents(share)
    return render_template(
        "secure_share/files.html", token=token, share=share, documents=documents,
        time_left=service.time_left(_now(), share.expires_at), removal=service.removal_moment(share.expires_at),
        zip_size=downloads.zip_size(documents) if len(documents) > 1 else None,
        paragraphs=[p.strip() for p in re.split(r"\n\s*\n", share.message or "") if p.strip()],
    )


def _send_watched(response, share, documents, document, byte_range: str | None = None):
    """A GET's download: "download started" is committed before a byte is sent; the bytes go only while the
    share stays open, and how it ended is recorded then (the case system hears of the first completed one).
    A HEAD downloads nothing and records nothing."""
    if request.method != "GET":
        db_session().commit()
        return response
    audit.download_started(db_session(), share, _now(), _device(), document, byte_range)
    db_session().commit()
    return downloads.watch(response, app=current_app._get_current_object(), database=get_db(), clock=_services().clock,
                           share_id=share.id, document_ids=[d.id for d in documents],
                           document_id=document.id if document else None, device=_device(),
                           address=audit.requester_address.get(), byte_range=byte_range,
                           on_first_download=lambda share_id: _tell_case_system(share_id, "first download"))


@bp.get("/<token>/files/<document_id>")
def download(token, document_id):
    share = _signed_in(token)
    document = service.document_of(share, document_id)
    plan = plan_range(request, document.size, document.sha256)
    if plan.status == 416:
        db_session().commit()
        return downloads.unsatisfiable(document)
    response = downloads.document_response(_services().store, document, plan)  # the store is opened first
    return _send_watched(response, share, [document], document,
                         f"{plan.start}-{plan.end}" if plan.status == 206 else None)


@bp.get("/<token>/files/all.zip")
def download_all(token):
    share = _signed_in(token)
    documents = service.live_documents(share)
    store = _services().store
    if not documents or not all(store.exists(d.store_key) for d in documents):  # never a zip that breaks half way
        abort(404)
    response = downloads.zip_response(store, documents,
                                      _("Documents from %(body)s", body=localised(_settings()).public_body_name))
    return _send_watched(response, share, documents, None)


def _history_rows(share, events) -> list[tuple[str, str, str]]:
    documents = {d.id: d for d in share.documents}
    body_name = localised(_settings()).public_body_name
    language = current_language()

    def title(event) -> Markup:
        document = documents.get(event.document_id)
        return (Markup(_("%(title)s (%(kind)s)", title=bdi(document.title), kind=escape(document.kind))) if document
                else Markup(_("a document that has since been removed")))

    def what(event) -> Markup:
        detail = event.detail or {}
        if event.document_id is None:
            return Markup(_("all the documents as a zip file"))
        return Markup(_("part of %(document)s", document=title(event))) if detail.get("range") else title(event)

    why_stopped = {
        "connection closed": lambda: _("the connection closed"),
        "revoked": lambda: _("%(body)s cancelled the link", body=body_name),
        "removed": lambda: _("the documents were removed"),
        "expired": lambda: _("the documents expired"),
        "document removed": lambda: _("%(body)s removed the document", body=body_name),
    }

    def stopped(event) -> str:
        detail = event.detail or {}
        reason = why_stopped.get(detail.get("reason"), lambda: _("something went wrong"))()
        return Markup(_("Download of %(what)s stopped after %(sent)s of %(size)s: %(reason)s", what=what(event),
                        sent=human_size(detail.get("bytes", 0)), size=human_size(detail.get("of", 0)),
                        reason=escape(reason)))

    # The messages are translated as they are made (gettext escapes nothing): every value put in is escaped or Markup.
    words = {
        "sent": lambda e: _("Link sent to you by %(body)s", body=body_name),
        "resent": lambda e: _("New link sent to you by %(body)s. Earlier links stopped working", body=body_name),
        "link opened": lambda e: _("Link opened"),
        "signed in": lambda e: _("Signed in"),
        "viewed documents": lambda e: _("Viewed the list of documents"),
        "viewed history": lambda e: _("Viewed this history"),
        "signed out": lambda e: _("Signed out"),
        "signed out: idle": lambda e: ngettext("Signed out after %(num)d minute without activity",
                                               "Signed out after %(num)d minutes without activity",
                                               _settings().share_idle_minutes),
        "download started": lambda e: Markup(_("Started downloading %(what)s", what=what(e))),
        "download completed": lambda e: Markup(_("Downloaded %(what)s (%(size)s)", what=what(e),
                                                 size=human_size((e.detail or {}).get("bytes", 0)))),
        "download stopped": stopped,
        "downloaded": lambda e: Markup(_("Downloaded %(what)s", what=what(e))),
        "downloaded all": lambda e: _("Downloaded all the documents as a zip file"),
        "code failed": lambda e: _("Wrong security code entered"),
        "locked: too many wrong codes": lambda e: _("Security code stopped working after too many wrong tries"),
    }
    return [(govuk_datetime(e.at), escape(words[e.kind](e)), device_in_words(e.device, language))
            for e in events if e.kind in words]


@bp.get("/<token>/history")
def history(token):
    share = _signed_in(token)
    rows = _history_rows(share, audit.history(db_session(), share))  # this visit is in the next one's
    audit.record(db_session(), share, _now(), "viewed history", "requester", device=_device())
    db_session().commit()
    return render_template("secure_share/history.html", token=token, share=share, rows=rows)


@bp.get("/<token>/remove")
def remove(token):
    share = _signed_in(token)
    db_session().commit()
    return render_template("secure_share/remove.html", token=token, share=share)


@bp.post("/<token>/remove")
@limiter.limit("30 per hour")
def remove_confirmed(token):
    from secure_share.jobs import delete_share_files

    share = _signed_in(token)
    service.remove_by_requester(db_session(), share, _now(), _device())
    db_session().commit()  # the share is closed before its files are deleted
    after_commit(f"the deletion of share {share.id}'s files", delete_share_files, share.id)
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
    signing_in.sign_out(db_session(), share, _session_token(), _now(), _device())
    db_session().commit()
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
    row = signing_in.peek_session(db, share, _session_token())
    if row is not None and row.ended_at is None and _now() - row.last_seen_at < _idle() - WARNING_BEFORE:
        return redirect(url_for(".files", token=token))
    signing_in.sign_out(db, share, _session_token(), _now(), _device(), idle=True)
    db.commit()
    return _forget_session(current_app.make_response(render_template("secure_share/timed_out.html", token=token)))


@bp.post("/<token>/keep-alive")
@limiter.limit("120 per hour")
def keep_alive(token):
    """The timeout warning's "Stay signed in": any request with the session restarts the idle clock."""
    share = _share(token)
    signed_in = signing_in.current_session(db_session(), share, _session_token(), _now(), _idle()) is not None
    db_session().commit()
    if not signed_in:
        return {"signed_in": False}, 401
    return {"signed_in": True, "idle_minutes": _settings().share_idle_minutes}
