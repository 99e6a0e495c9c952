"""Security headers, CSRF (that keeps what the user typed), rate limits, cookies."""
import re

import pytest
from flask import render_template_string, request

from portal.security import limiter


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
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Permissions-Policy"].startswith("accelerometer=(), autoplay=(), camera=()")
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_fingerprinted_static_files_are_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/govuk-frontend-[0-9a-f]{12}\.min\.css)"', html).group(1)
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


def test_session_cookie_is_httponly_and_samesite(app, form_app, client):
    client.get("/__test/form")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


def test_rate_limit_gives_the_429_page(app, client):
    @app.get("/__test/limited")
    @limiter.limit("2 per minute")
    def _limited():
        return "ok"

    assert [client.get("/__test/limited").status_code for _ in range(2)] == [200, 200]
    soup = client.get_page("/__test/limited", status=429)
    assert soup.h1.get_text(strip=True) == "Sorry, there have been too many attempts"


def test_static_files_do_not_use_up_the_rate_limit(tmp_path, services):
    from portal.app import create_app
    from tests.conftest import make_settings

    strict = create_app(make_settings(tmp_path, ratelimit_default="3 per minute"), services).test_client()
    for _ in range(5):
        with strict.get("/assets/images/favicon.svg") as response:
            assert response.status_code == 200


def test_development_rate_limits_use_the_thread_safe_memory_storage(app):
    from portal.ratelimit_storage import ThreadSafeMemoryStorage

    assert app.config["RATELIMIT_STORAGE_URI"] == "portal-memory://"
    assert isinstance(limiter.storage, ThreadSafeMemoryStorage)
