"""Every security header, the CSP nonce and the cookie policy, in one place."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect

import portal.ratelimit_storage  # noqa: F401 - registers portal-memory://

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)

PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(nonce: str) -> str:
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        "manifest-src 'self'; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'none'"
    )


# A file sent as an attachment runs nothing even if a browser renders it: no script, plugin, form or origin.
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def is_fingerprinted_static() -> bool:
    from govuk_templates.assets import is_fingerprinted

    return request.endpoint == "static" and is_fingerprinted((request.view_args or {}).get("filename", ""))


def security_headers(response):
    headers = response.headers
    attachment = headers.get("Content-Disposition", "").startswith("attachment")
    headers["Content-Security-Policy"] = DOWNLOAD_CSP if attachment else content_security_policy(csp_nonce())
    headers["Strict-Transport-Security"] = current_app.config["PORTAL_HSTS"]
    headers["X-Content-Type-Options"] = "nosniff"
    # same-origin: our own POSTs carry the Referer Flask-WTF's HTTPS check needs; other sites never see a URL.
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if is_fingerprinted_static():
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    elif request.endpoint in {"static", "govuk_assets"}:
        headers["Cache-Control"] = "public, max-age=86400"
    elif response.cache_control.public:
        # A view that chose to be cached: the Disclosure Log's files and feeds, which are nobody's. (A view
        # that read the session gets Vary: Cookie from Flask, so no cache hands one person's page to another.)
        pass
    else:
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
    return response


class CrossOriginRequest(CSRFError):
    """The browser says the form was sent from another site: refused before the token is looked at."""


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) with the default port filled in, or None for 'null' or a malformed origin."""
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return None
    return (parts.scheme, parts.hostname, port) if parts.scheme and parts.hostname else None


def _refuse_cross_origin() -> None:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in {"same-origin", "none"}:
        raise CrossOriginRequest("The form was sent from another site.")
    origin = request.headers.get("Origin")
    if origin is not None and (_origin(origin) is None or _origin(origin) != _origin(request.host_url)):
        raise CrossOriginRequest("The form was sent from another origin.")


def token_is_the_authority(view):
    """For a POST whose only authority is the unguessable token in its own URL, never a session or a cookie: an
    RFC 8058 one-click unsubscribe, which a mail service sends with no cookie, no CSRF token and no Origin. Such a
    view must be harmless to repeat and do nothing the token's holder could not do anyway."""
    view.token_is_the_authority = True
    return view


def _csrf_protect():
    # The API authenticates each request with a key, never a cookie, so CSRF cannot reach it.
    if request.method in {"GET", "HEAD", "OPTIONS", "TRACE"} or request.path.startswith("/api/"):
        return
    if request.routing_exception is not None:
        return  # no such page or method: the 404/405 page says so, not a CSRF error
    if getattr(current_app.view_functions.get(request.endpoint), "token_is_the_authority", False):
        return
    _refuse_cross_origin()
    csrf.protect()


def init_security(app: Flask, settings) -> None:
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # __Host-: browsers keep it only if Secure, Path=/ and no Domain, so no subdomain or http page can plant one.
        SESSION_COOKIE_NAME="__Host-portal_session" if settings.session_cookie_secure else "portal_session",
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=60 * 60,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session; no surprise expiry mid-form
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in _csrf_protect, which leaves the key-authenticated API out
        PORTAL_HSTS="max-age=63072000; includeSubDomains; preload" if settings.hsts_preload
        else "max-age=31536000; includeSubDomains",
        MAX_CONTENT_LENGTH=settings.max_content_length,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_DEFAULT=settings.ratelimit_default,
        # Off: they would put Retry-After on every page, and over a wait the page itself knows (portal/errors.py
        # sends Retry-After, and says the wait, on the limiter's own 429s).
        RATELIMIT_HEADERS_ENABLED=False,
        RATELIMIT_ENABLED=True,
        # GOV.UK CSS, JS, fonts and images are not worth counting: a page load fetches a dozen at once.
        RATELIMIT_DEFAULTS_EXEMPT_WHEN=lambda: request.endpoint in {"static", "govuk_assets"},
    )
    csrf.init_app(app)
    app.before_request(_csrf_protect)
    limiter.init_app(app)
    app.after_request(security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
