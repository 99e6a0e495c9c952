"""Security headers, CSRF (that keeps what the user typed), rate limits, cookies."""
import re

import pytest
from flask import render_template_string, request

from portal.security import limiter
from tests.pages import check_page


def test_exact_content_security_policy_with_a_fresh_nonce_per_request(client):
    first = client.get("/")
    second = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", first.headers["Content-Security-Policy"]).group(1)
    assert first.headers["Content-Security-Policy"] == (
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
    assert "unsafe-inline" not in first.headers["Content-Security-Policy"]
    assert nonce not in second.headers["Content-Security-Policy"]
    html = first.get_data(as_text=True)
    assert html.count(f'nonce="{nonce}"') == html.count("<script")


@pytest.mark.parametrize("url", ["/", "/cookies", "/no-such-page", "/healthz", "/api/v1/openapi.json"])
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Permissions-Policy"].startswith("accelerometer=(), autoplay=(), camera=()")
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_fingerprinted_static_files_are_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/govuk-frontend-(?:own-brand-)?[0-9a-f]{12}\.min\.css)"', html).group(1)
    with client.get(css) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.mimetype == "text/css"


def test_gov_uk_fonts_and_images_are_served_where_the_css_asks(client):
    with client.get("/assets/images/favicon.svg") as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert client.get("/assets/../portal/settings.py").status_code == 404


@pytest.fixture
def form_app(app):
    @app.route("/__test/form", methods=["GET", "POST"])
    def _form():
        if request.method == "POST":
            return f"received {request.form['full_name']}"
        return render_template_string(
            '{% extends "govuk_templates/base.html" %}{% block title %}Your name{% endblock %}'
            '{% block main_content %}<h1 class="govuk-heading-l">Your name</h1>'
            '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
            '<input class="govuk-input" name="full_name"></form>{% endblock %}')

    return app


def test_post_without_csrf_token_keeps_what_the_user_typed(form_app, client):
    response = client.post("/__test/form", data={"full_name": "Zoë O'Brien <b>", "story": "line one\nline two"})
    assert response.status_code == 400
    soup = client.post_page("/__test/form", data={"full_name": "Zoë O'Brien <b>"}, status=400)
    assert soup.h1.get_text(strip=True) == "Sorry, we could not send your answers"
    resend = soup.find("form")
    fields = {i["name"]: i["value"] for i in resend.find_all("input")}
    assert fields["full_name"] == "Zoë O'Brien <b>"
    assert "<b>" not in str(resend).replace("&lt;b&gt;", "")  # escaped, not markup
    # Pressing Continue sends the same answers with a fresh token: nothing typed is lost.
    assert client.post("/__test/form", data=fields).get_data(as_text=True) == "received Zoë O'Brien <b>"


HTTPS = "https://portal.test"
FORM = "/__test/form"


def browser_headers(origin, fetch_site="same-origin", referer=True):
    """What Chromium sends with a form POST: Origin, Sec-Fetch-Site and, under same-origin, the Referer."""
    headers = {"Origin": origin, "Sec-Fetch-Site": fetch_site}
    if referer:
        headers["Referer"] = origin + FORM
    return headers


def token_for(client, base_url):
    return client.get_page(FORM, base_url=base_url).find("input", attrs={"name": "csrf_token"})["value"]


def assert_csrf_page(response):
    assert response.status_code == 400
    soup = check_page(response.get_data(as_text=True))
    assert soup.h1.get_text(strip=True) == "Sorry, we could not send your answers"
    return soup


@pytest.mark.parametrize("base_url", ["http://localhost", HTTPS])
def test_same_origin_post_with_token_is_accepted(form_app, client, base_url):
    token = token_for(client, base_url)
    # Over HTTP no Referer is needed (Flask-WTF checks it only over HTTPS); the token and the Origin decide.
    headers = browser_headers(base_url, referer=base_url == HTTPS)
    response = client.post(FORM, data={"csrf_token": token, "full_name": "Ann"}, base_url=base_url, headers=headers)
    assert response.status_code == 200 and response.get_data(as_text=True) == "received Ann"


def test_https_post_from_a_browser_without_sec_fetch_headers_is_accepted(form_app, client):
    token = token_for(client, HTTPS)
    response = client.post(FORM, data={"csrf_token": token, "full_name": "Ann"}, base_url=HTTPS,
                           headers={"Referer": HTTPS + FORM})
    assert response.status_code == 200


@pytest.mark.parametrize("base_url", ["http://localhost", HTTPS])
@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "null"},
    {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
], ids=["origin-and-fetch-site", "origin", "fetch-site", "same-site", "null", "null-but-same-origin"])
def test_post_from_another_origin_is_refused_even_with_a_valid_token(form_app, client, base_url, headers):
    token = token_for(client, base_url)
    response = client.post(FORM, data={"csrf_token": token, "full_name": "Mallory"}, base_url=base_url,
                           headers={"Referer": base_url + FORM, **headers})
    soup = assert_csrf_page(response)
    assert soup.find("form", attrs={"method": "post"}) is None, "another site's answers are not offered to resend"


def test_origin_must_match_scheme_and_port_too(form_app, client):
    token = token_for(client, HTTPS)
    for origin in ["http://portal.test", "https://portal.test:8443", "https://portal.test.evil.example"]:
        response = client.post(FORM, data={"csrf_token": token, "full_name": "Mallory"}, base_url=HTTPS,
                               headers={"Referer": HTTPS + FORM, "Origin": origin})
        assert_csrf_page(response)
    # The default port written out is still the same origin.
    response = client.post(FORM, data={"csrf_token": token, "full_name": "Ann"}, base_url=HTTPS,
                           headers={"Referer": HTTPS + FORM, "Origin": "https://portal.test:443"})
    assert response.status_code == 200


@pytest.mark.parametrize("base_url", ["http://localhost", HTTPS])
def test_same_origin_post_without_token_is_refused(form_app, client, base_url):
    token_for(client, base_url)  # a session exists, but the form did not send its token
    headers = browser_headers(base_url)
    response = client.post(FORM, data={"full_name": "Ann"}, base_url=base_url, headers=headers)
    soup = assert_csrf_page(response)
    assert soup.find("input", attrs={"name": "full_name"})["value"] == "Ann"  # our own form: offered again


@pytest.mark.parametrize("referer", [None, "https://evil.example/page"])
def test_https_post_without_a_same_origin_referer_is_refused(form_app, client, referer):
    token = token_for(client, HTTPS)
    headers = {"Referer": referer} if referer else {}
    response = client.post(FORM, data={"csrf_token": token, "full_name": "Ann"}, base_url=HTTPS, headers=headers)
    assert_csrf_page(response)


def test_behind_the_proxy_the_forwarded_scheme_is_the_origin(tmp_path, services):
    from tests.conftest import migrated_app

    proxied = migrated_app(tmp_path, services, proxy_hops=1)

    @proxied.route(FORM, methods=["GET", "POST"])
    def _form():
        return render_template_string('{{ csrf_token() }}') if request.method == "GET" else "received"

    client = proxied.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"}
    token = client.get(FORM, base_url="http://portal.test", headers=forwarded).get_data(as_text=True)
    response = client.post(FORM, data={"csrf_token": token}, base_url="http://portal.test",
                           headers={**forwarded, **browser_headers(HTTPS)})
    assert response.status_code == 200
    response = client.post(FORM, data={"csrf_token": token}, base_url="http://portal.test",
                           headers={**forwarded, "Origin": HTTPS, "Sec-Fetch-Site": "same-origin"})
    assert_csrf_page(response)  # the proxy says HTTPS, so the Referer check applies
    proxied.extensions["portal.db"].dispose()


def test_api_is_not_subject_to_the_browser_checks(app, client):
    from tests.unit.test_api_keys import bearer, make_key

    key = make_key(app, "submissions:ack")
    response = client.post("/api/v1/submissions/NO-SUCH-REF/ack", base_url=HTTPS,
                           headers={**bearer(key), "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"})
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] != "CSRF check failed" and response.status_code != 400


def test_session_cookie_is_httponly_and_samesite(app, form_app, client):
    client.get("/__test/form")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_development_session_cookie_keeps_its_plain_name(app, form_app, client):
    assert app.config["SESSION_COOKIE_NAME"] == "portal_session"
    set_cookie = client.get(FORM).headers["Set-Cookie"]
    assert set_cookie.startswith("portal_session=") and "Secure" not in set_cookie


@pytest.fixture
def secure_app(tmp_path, services):
    from tests.conftest import migrated_app

    application = migrated_app(tmp_path, services, session_cookie_secure=True, hsts_preload=True)
    yield application
    application.extensions["portal.db"].dispose()


def test_secure_session_cookie_has_the_host_prefix(secure_app):
    @secure_app.get(FORM)
    def _form():
        return render_template_string("{{ csrf_token() }}")

    assert secure_app.config["SESSION_COOKIE_NAME"] == "__Host-portal_session"
    response = secure_app.test_client().get(FORM, base_url=HTTPS)
    name_value, *attributes = [part.strip() for part in response.headers["Set-Cookie"].split(";")]
    assert name_value.startswith("__Host-portal_session=")
    assert {"Secure", "Path=/", "HttpOnly", "SameSite=Lax"} <= set(attributes)
    assert not [a for a in attributes if a.lower().startswith("domain")], "__Host- forbids a Domain"


def test_hsts_preload_when_asked_for(secure_app, client):
    assert secure_app.test_client().get("/").headers["Strict-Transport-Security"] == (
        "max-age=63072000; includeSubDomains; preload")
    assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_rate_limit_gives_the_429_page(app, client):
    @app.get("/__test/limited")
    @limiter.limit("2 per minute")
    def _limited():
        return "ok"

    allowed = [client.get("/__test/limited") for _ in range(2)]
    assert [r.status_code for r in allowed] == [200, 200]
    assert not any("Retry-After" in r.headers or "X-RateLimit-Limit" in r.headers for r in allowed)  # no noise
    response = client.get("/__test/limited")
    soup = client.get_page("/__test/limited", status=429)
    assert soup.h1.get_text(strip=True) == "Sorry, there have been too many attempts"
    # The page and the header say the real wait: the rest of this minute.
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert "you need to wait 1 minute before you try again" in soup.get_text(" ", strip=True)


def test_static_files_do_not_use_up_the_rate_limit(tmp_path, services):
    from tests.conftest import migrated_app

    strict = migrated_app(tmp_path, services, ratelimit_default="3 per minute").test_client()
    for _ in range(5):
        with strict.get("/assets/images/favicon.svg") as response:
            assert response.status_code == 200


def test_development_rate_limits_use_the_thread_safe_memory_storage(app):
    from portal.ratelimit_storage import ThreadSafeMemoryStorage

    assert app.config["RATELIMIT_STORAGE_URI"] == "portal-memory://"
    assert isinstance(limiter.storage, ThreadSafeMemoryStorage)


def test_memory_rate_limit_storage_sweeps_expired_counts_in_the_counting_thread(monkeypatch):
    """The sweep runs at most once a second, in the thread that counts: no timer thread per request."""
    import threading
    import time

    from portal import ratelimit_storage

    now = [100.0]
    monkeypatch.setattr(ratelimit_storage, "_clock", lambda: now[0])
    storage = ratelimit_storage.ThreadSafeMemoryStorage("portal-memory://")
    storage.incr("first", expiry=1)  # the first count sweeps (nothing yet) and sets the next sweep a second on
    threads = threading.active_count()
    for _ in range(50):
        assert storage.incr("person", expiry=60) >= 1
    assert threading.active_count() == threads  # MemoryStorage's own would have started timer threads
    storage.expirations["first"] = time.time() - 1  # "first" has expired; the counts for "person" have not
    storage.incr("person", expiry=60)
    assert "first" in storage.storage  # less than a second since the last sweep
    now[0] += ratelimit_storage.SWEEP_EVERY
    storage.incr("person", expiry=60)
    assert "first" not in storage.storage and "first" not in storage.expirations
    assert storage.get("person") == 52
