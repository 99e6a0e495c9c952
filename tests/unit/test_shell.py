"""The GOV.UK shell: start page, footer pages, error pages, titles, headers."""
import re

import pytest
from flask import abort, request

from portal.exceptions import Gone, ScannerUnavailable
from tests.pages import text_of

SHELL_PAGES = ["/", "/accessibility-statement", "/cookies", "/privacy"]


@pytest.mark.parametrize("url", SHELL_PAGES)
def test_shell_pages_are_gov_uk_pages(client, url, settings):
    soup = client.get_page(url)
    assert soup.title.get_text().endswith(f" - {settings.service_name} - {settings.public_body_name}")
    assert soup.find("a", class_="govuk-skip-link")["href"] == "#main-content"
    assert soup.find(id="main-content") is not None
    assert "Beta" in soup.find(class_="govuk-phase-banner").get_text()
    assert soup.find(class_="govuk-phase-banner").find("a", href=settings.feedback_url)
    footer_links = {a.get_text(strip=True): a["href"] for a in soup.select(".govuk-footer__meta a")}
    assert footer_links["Accessibility statement"] == "/accessibility-statement"
    assert footer_links["Cookies"] == "/cookies"
    assert footer_links["Privacy"] == "/privacy"
    assert soup.find(class_="govuk-service-navigation").get_text().strip().startswith(settings.service_name)


def test_a_council_footer_says_its_own_copyright_without_the_crown(client):
    footer = client.get_page("/").find(class_="govuk-footer")
    assert footer.find(class_="app-footer__copyright").get_text(strip=True) == "© Example Council"
    assert "Crown copyright" not in footer.get_text()
    assert not footer.select(".govuk-footer__copyright-logo, a[href*='crown-copyright']")


@pytest.mark.parametrize(("notice", "shown", "crown"), [
    ("© Crown copyright", "© Crown copyright", True),
    ("© Hertfordshire County Council 2026", "© Hertfordshire County Council 2026", False),
    ("   ", "© Example Council", False),
])
def test_the_footer_copyright_comes_from_a_setting(tmp_path, services, notice, shown, crown):
    from tests.conftest import migrated_app
    from tests.pages import PageClient

    app = migrated_app(tmp_path, services, copyright_notice=notice)
    footer = PageClient(app).get_page("/").find(class_="govuk-footer")
    crest = footer.select_one("a.govuk-footer__copyright-logo")
    assert (crest is not None) == crown
    assert (crest or footer.find(class_="app-footer__copyright")).get_text(strip=True) == shown
    if crown:
        assert "crown-copyright" in crest["href"]
    app.extensions["portal.db"].dispose()


@pytest.mark.parametrize(("notice", "url"), [("© Crown copyright", ""), ("", ""), ("", "https://www.example.gov.uk/")])
def test_only_a_crown_body_has_gov_uk_s_header_and_title(tmp_path, services, notice, url):
    """GOV.UK's crown, logotype and " - GOV.UK" are for services on GOV.UK; a council's header and titles
    carry its own name, its header linking to its website (PUBLIC_BODY_URL) or else the portal's start."""
    from tests.conftest import migrated_app
    from tests.pages import PageClient

    app = migrated_app(tmp_path, services, copyright_notice=notice, public_body_url=url)
    soup = PageClient(app).get_page("/cookies")
    crown = bool(notice)
    assert soup.title.get_text().endswith(" - Public services portal - " + ("GOV.UK" if crown else "Example Council"))
    assert bool(soup.select("header svg.govuk-logo, .govuk-header__logotype")) == crown
    link = soup.select_one(".govuk-header__homepage-link, .govuk-generic-header__homepage-link")
    if crown:
        assert link["href"] == "https://www.gov.uk/"
    else:
        assert "GOV.UK" not in str(soup.select_one(".govuk-generic-header"))
        assert link.get_text(strip=True) == "Example Council" and link["href"] == (url or "/")
    app.extensions["portal.db"].dispose()


def test_the_body_s_website_must_be_a_web_address(tmp_path):
    from portal.settings import UnsafeSettings
    from tests.conftest import make_settings

    with pytest.raises(UnsafeSettings, match="PUBLIC_BODY_URL"):
        make_settings(tmp_path, public_body_url="javascript:alert(1)")


def test_start_page_leads_to_the_three_services(client):
    soup = client.get_page("/")
    headings = [h.get_text(strip=True) for h in soup.find(id="main-content").find_all("h2")]
    assert headings == ["Make a request, complaint or enquiry", "Download documents we have sent you",
                        "Search published answers"]


def test_accessibility_statement_has_the_legally_required_sections(client):
    text = text_of(client.get_page("/accessibility-statement"))
    for required in ["Feedback and contact information", "Reporting accessibility problems", "Enforcement procedure",
                     "Equality and Human Rights Commission", "Compliance status", "Non-accessible content",
                     "Preparation of this accessibility statement", "This statement was prepared on"]:
        assert required in text


def test_cookies_page_names_the_session_cookie(client, app):
    assert app.config["SESSION_COOKIE_NAME"] in text_of(client.get_page("/cookies"))


@pytest.fixture
def erroring_app(app):
    @app.get("/__test/abort/<int:code>")
    def _abort(code):
        abort(code)

    @app.get("/__test/crash")
    def _crash():
        raise RuntimeError("boom")

    @app.get("/__test/gone")
    def _gone():
        raise Gone()

    @app.post("/__test/form")
    def _form():
        return dict(request.form)

    @app.get("/__test/scanner-down")
    def _scanner_down():
        raise ScannerUnavailable()

    return app


@pytest.mark.parametrize(("code", "title"), [
    (400, "Sorry, there is a problem with your request"),
    (403, "You do not have permission to view this page"),
    (404, "Page not found"),
    (410, "This page is no longer available"),
    (413, "The file or form you sent is too large"),
    (429, "Sorry, there have been too many attempts"),
    (500, "Sorry, there is a problem with the service"),
    (503, "Sorry, the service is unavailable"),
])
def test_error_pages(erroring_app, client, code, title):
    soup = client.get_page(f"/__test/abort/{code}", status=code)
    assert soup.h1.get_text(strip=True) == title
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"


def test_unknown_page_is_a_gov_uk_404(client):
    soup = client.get_page("/no-such-page", status=404)
    assert soup.h1.get_text(strip=True) == "Page not found"


def test_unexpected_error_is_a_500_page_with_an_error_code_and_no_traceback(erroring_app, client):
    erroring_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/__test/crash")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "boom" not in html and "Traceback" not in html
    request_id = response.headers["X-Request-Id"]
    assert request_id in html


def test_domain_errors_carry_their_status(erroring_app, client):
    client.get_page("/__test/gone", status=410)
    soup = client.get_page("/__test/scanner-down", status=503)
    assert "could not be checked for viruses" in text_of(soup)


def test_api_errors_are_problem_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404 and response.json["title"]


def test_method_not_allowed_is_a_page_not_a_crash(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_request_too_large_gets_the_413_page(erroring_app, client):
    erroring_app.config["WTF_CSRF_ENABLED"] = False
    erroring_app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/__test/form", data={"field": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_request_id_is_echoed_when_well_formed_and_replaced_when_not(client):
    assert client.get("/", headers={"X-Request-Id": "abc12345-req"}).headers["X-Request-Id"] == "abc12345-req"
    replaced = client.get("/", headers={"X-Request-Id": "<script>"}).headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", replaced)


def test_only_a_crown_body_s_pages_ask_for_gov_uk_s_typeface(tmp_path, services, client):
    """GDS Transport is licensed for GOV.UK: the build makes GOV.UK Frontend's CSS without it for everyone else."""
    from govuk_templates.assets import OWN_BRAND_CSS, STATIC, asset_path
    from tests.conftest import migrated_app
    from tests.pages import PageClient

    own = (STATIC / asset_path(OWN_BRAND_CSS)).read_text()
    assert "GDS Transport" not in own and "@font-face" not in own and "font-family:arial,sans-serif" in own
    assert "GDS Transport" in (STATIC / asset_path("govuk-frontend.min.css")).read_text()
    council = client.get_page("/").find("link", rel="stylesheet")["href"]
    crown_app = migrated_app(tmp_path, services, copyright_notice="© Crown copyright")
    crown = PageClient(crown_app).get_page("/").find("link", rel="stylesheet")["href"]
    assert council.endswith(asset_path(OWN_BRAND_CSS)) and crown.endswith(asset_path("govuk-frontend.min.css"))
    crown_app.extensions["portal.db"].dispose()
