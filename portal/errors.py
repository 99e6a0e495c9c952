"""GOV.UK error pages and API problem+json errors, decided in one place."""
from __future__ import annotations

import datetime as dt
import logging
import time

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from portal.dates import minutes_to_wait
from portal.exceptions import PortalError
from portal.i18n import N_
from portal.security import CrossOriginRequest

log = logging.getLogger(__name__)

# Status -> (title, paragraphs), worded after the GOV.UK Design System error page patterns. English (the API's
# problem+json titles), marked for the catalogue: page() translates them.
PAGES: dict[int, tuple[str, list[str]]] = {
    400: (N_("Sorry, there is a problem with your request"),
          [N_("The page could not understand what was sent."), N_("Go back and try again.")]),
    403: (N_("You do not have permission to view this page"),
          [N_("If you were sent a link, check you are using the whole link from the email.")]),
    404: (N_("Page not found"),
          [N_("If you typed the web address, check it is correct."),
           N_("If you pasted the web address, check you copied the entire address.")]),
    405: (N_("Sorry, there is a problem with your request"),
          [N_("The page could not understand what was sent."), N_("Go back and try again.")]),
    410: (N_("This page is no longer available"), [N_("The page or document you were looking for has been removed.")]),
    413: (N_("The file or form you sent is too large"),
          [N_("Go back and choose a smaller file, or send less at once.")]),
    429: (N_("Sorry, there have been too many attempts"),
          [N_("To protect the service, you need to wait a few minutes before you try again.")]),
    500: (N_("Sorry, there is a problem with the service"), [N_("Try again later.")]),
    503: (N_("Sorry, the service is unavailable"), [N_("Try again later.")]),
}


def wants_problem_json() -> bool:
    return request.path.startswith("/api/") or request.path in {"/healthz", "/readyz"}


def problem(status: int, title: str, detail: str, **extra):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    if "request_id" in g:
        body["request_id"] = g.request_id
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def page(status: int, title: str | None = None, paragraphs: list[str] | None = None,
         template: str = "govuk_templates/errors/error.html", **context):
    """An error page; the title and paragraphs are translated here (English in, the page's language out), so
    give them as the catalogue has them: a message marked N_, or one already translated."""
    default_title, default_paragraphs = PAGES.get(status, PAGES[500 if status >= 500 else 400])
    html = render_template(
        template,
        error_title=_(title or default_title),
        error_paragraphs=[_(p) for p in (paragraphs if paragraphs is not None else default_paragraphs)],
        request_id=g.get("request_id") if status >= 500 else None,
        **context,
    )
    return html, status


def _limit_wait() -> int | None:
    """Seconds until the per-address limit this request broke lets it through again (Flask-Limiter's)."""
    from portal.security import limiter

    broken = limiter.current_limit
    return max(1, int(broken.reset_at - time.time())) if broken is not None else None


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    headers = {"Allow": ", ".join(error.valid_methods)} if status == 405 and error.valid_methods else {}
    wait = _limit_wait() if status == 429 else None
    if wait is not None:
        headers["Retry-After"] = str(wait)
    if wants_problem_json():
        if status == 404 and request.url_rule is None:
            detail = "There is no such API endpoint."
        elif status == 405:
            detail = f"This endpoint does not answer {request.method}; it answers {headers.get('Allow', 'nothing')}."
        else:
            detail = error.description or error.name
        response = problem(status, PAGES.get(status, (error.name, []))[0], detail)
        response.headers.update(headers)
        return response
    if wait is not None:
        return (*page(429, paragraphs=[_("To protect the service, you need to wait %(wait)s before you try again.",
                                         wait=minutes_to_wait(dt.timedelta(seconds=wait)))]), headers)
    return (*page(status), headers)


def handle_portal_error(error: PortalError):
    if error.status_code >= 500:
        log.warning("domain error %s: %s", type(error).__name__, error.detail)
    if wants_problem_json():
        return problem(error.status_code, error.title, error.detail)
    return page(error.status_code, error.title, [error.detail])


def handle_csrf_error(error: CSRFError):
    """Keep what the user typed: offer to send the same answers again with a fresh token."""
    if wants_problem_json():
        return problem(400, "CSRF check failed", error.description)
    fields = [(k, v) for k, values in request.form.lists() if k != "csrf_token" for v in values]
    if isinstance(error, CrossOriginRequest):
        fields = []  # another site's answers: offering to resend them would let it forge the form in one click
    return page(
        400,
        N_("Sorry, we could not send your answers"),
        [N_("This can happen if the page was open for a long time or your browser blocked a cookie."),
         N_("Your answers have not been lost. Select continue to send them again.")
         if fields else N_("Go back and try again.")],
        template="govuk_templates/errors/csrf.html",
        resubmit_fields=fields,
        resubmit_action=request.path,
    )


def handle_unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    current_app.logger.exception("unhandled error")
    if wants_problem_json():
        return problem(500, PAGES[500][0], "An unexpected error occurred.")
    try:
        return page(500)
    except Exception:  # the error page itself failed: plain text, never a traceback
        current_app.logger.exception("error page failed")
        return InternalServerError.description, 500, {"Content-Type": "text/plain; charset=utf-8"}


def init_errors(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(PortalError, handle_portal_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
