"""The shell's header, service navigation, phase banner and footer are rendered once per language and settings and
reused (govuk_templates/shell.py), and so are <body>'s data for the scripts (portal/i18n.py): a reused page is the
page rendered afresh, and nothing of one request is reused."""
from __future__ import annotations

import dataclasses
import re

import pytest
from flask import render_template_string

from govuk_templates.shell import EXTENSION

pytestmark = pytest.mark.usefixtures("no_rate_limits")

NONCE = re.compile(r'nonce="([^"]+)"')
PER_REQUEST = re.compile(r'(nonce|value)="[^"]*"')  # the CSP nonce and every form value (the CSRF token among them)
PAGES = ["/", "/cookies", "/request/", "/request/foi", "/request/foi/full-name", "/no-such-page"]


def page(app, url: str, language: str | None = None):
    client = app.test_client()  # a new visitor each time: no language remembered from an earlier page
    if language:
        client.set_cookie("portal_language", language)
    response = client.get(url)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def parts(app) -> dict:
    return app.extensions.get(EXTENSION, {})


@pytest.mark.parametrize("url", PAGES)
def test_a_page_with_reused_parts_is_the_page_rendered_afresh_in_each_language(app, url):
    fresh = {}
    for language in ("en", "cy"):
        parts(app).clear()
        app.extensions.pop("portal.body_attributes", None)  # <body>'s data for the scripts, also made once a language
        fresh[language] = PER_REQUEST.sub("", page(app, url, language))
    assert fresh["en"] != fresh["cy"]
    assert "data-govuk-frontend-config" in fresh["cy"] and "data-govuk-frontend-config" not in fresh["en"]
    for language in ("cy", "en", "cy"):  # each language after the other's parts were cached
        assert PER_REQUEST.sub("", page(app, url, language)) == fresh[language]
    assert {key[0] for key in parts(app)} == {"header", "service-navigation", "phase-banner", "footer"}
    assert {key[3] for key in parts(app) if key[0] == "footer"} == {"en", "cy"}


def test_the_reused_parts_hold_no_nonce_and_each_page_has_its_own(app):
    first, second = page(app, "/cookies"), page(app, "/cookies")
    nonces = [set(NONCE.findall(html)) for html in (first, second)]
    assert all(len(found) == 1 for found in nonces) and nonces[0] != nonces[1]
    assert not nonces[0] & set(NONCE.findall(second))
    cached = "".join(parts(app).values())
    assert 'nonce="' not in cached and "csrf" not in cached
    assert not any(nonce in cached for found in nonces for nonce in found)


def test_the_language_switcher_links_to_each_page_itself_around_the_reused_navigation(app):
    for url in ("/", "/cookies", "/request/foi"):
        html = page(app, url)
        switcher = re.search(r'<nav class="app-language-switcher".*?</nav>', html, re.DOTALL).group(0)
        assert f'href="{url}?lang=cy"' in switcher
        assert html.count('class="app-language-switcher"') == 1 and "shell.slot" not in html
    assert len([key for key in parts(app) if key[0] == "service-navigation"]) == 1


def test_changed_settings_are_new_parts(app):
    assert "Public services portal" in page(app, "/cookies")
    settings = app.config["PORTAL_SETTINGS"]
    app.config["PORTAL_SETTINGS"] = dataclasses.replace(settings, service_name="Planning requests",
                                                        public_body_name="Another Council")
    html = page(app, "/cookies")
    app.config["PORTAL_SETTINGS"] = settings
    navigation = re.search(r'<section[^>]*govuk-service-navigation.*?</section>', html, re.DOTALL).group(0)
    assert "Planning requests" in navigation and "Public services portal" not in navigation
    assert "Another Council" in html.split('<footer', 1)[1]


@pytest.mark.parametrize("per_request", ["{{ csp_nonce() }}", "{{ csrf_token() }}"])
def test_a_part_holding_this_request_s_nonce_or_csrf_token_is_refused_not_reused(app, per_request):
    template = '{% call shell_part("leaky", "en") %}<p>' + per_request + "</p>{% endcall %}"
    with app.test_request_context("/"):
        if "csrf" in per_request:
            render_template_string("{{ csrf_token() }}")  # the token exists before the part is rendered
        with pytest.raises(ValueError, match="holds this request's"):
            render_template_string(template)
    assert not [key for key in parts(app) if key[0] == "leaky"]
