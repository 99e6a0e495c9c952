"""Choosing English or Welsh: the switcher, ?lang=, the visit's cookie, DEFAULT_LANGUAGE, /cy/ addresses, settings."""
from __future__ import annotations

import pytest

from portal.settings import UnsafeSettings
from tests.conftest import make_settings, migrated_app
from tests.pages import PageClient
from tests.share_helpers import ask_for_code, csrf_from, make_share


def switcher(soup) -> dict:
    nav = soup.find("nav", class_="app-language-switcher")
    return {"current": nav.find(attrs={"aria-current": "true"}), "links": nav.find_all("a")}


def test_pages_are_english_with_a_link_to_the_same_page_in_welsh(client):
    soup = client.get_page("/cookies?utm=x")
    assert soup.html["lang"] == "en"
    found = switcher(soup)
    assert found["current"].get_text(strip=True) == "English" and found["current"]["lang"] == "en"
    [welsh] = found["links"]
    assert welsh.get_text(strip=True) == "Cymraeg"
    assert (welsh["href"], welsh["hreflang"], welsh["lang"], welsh["rel"]) == ("/cookies?utm=x&lang=cy", "cy", "cy",
                                                                               ["alternate"])
    assert soup.find("nav", class_="app-language-switcher")["aria-label"] == "Choose a language"
    alternates = {link["hreflang"]: link["href"] for link in soup.find_all("link", rel="alternate")}
    assert alternates == {"en": "http://127.0.0.1:5000/cookies?utm=x&lang=en",
                          "cy": "http://127.0.0.1:5000/cookies?utm=x&lang=cy"}


def test_lang_cy_gives_the_page_in_welsh_and_keeps_the_choice_for_the_visit(client):
    response = client.raw.get("/?lang=cy")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("portal_language=cy;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie and "Max-Age" not in cookie  # the browser forgets it when it closes
    soup = client.get_page("/privacy")  # no ?lang: the cookie carries the choice
    assert soup.html["lang"] == "cy"
    assert soup.h1.get_text(strip=True) == "Hysbysiad preifatrwydd"
    assert soup.title.get_text().startswith("Hysbysiad preifatrwydd - Porth gwasanaethau cyhoeddus - Cyngor Enghreifftiol")
    found = switcher(soup)
    assert found["current"].get_text(strip=True) == "Cymraeg"
    assert [(a["href"], a["hreflang"], a["lang"]) for a in found["links"]] == [("/privacy?lang=en", "en", "en")]
    # links the portal makes say the language, so any address in the visit can be shared in Welsh
    assert soup.find("a", class_="govuk-service-navigation__link")["href"] == "/?lang=cy"
    footer = {a.get_text(strip=True): a["href"] for a in soup.select(".govuk-footer__meta a")}
    assert footer["Cwcis"] == "/cookies?lang=cy" and footer["Datganiad hygyrchedd"] == "/accessibility-statement?lang=cy"


def test_lang_en_switches_back_for_the_rest_of_the_visit(client):
    client.raw.get("/?lang=cy")
    assert "portal_language=en" in client.raw.get("/?lang=en").headers["Set-Cookie"]
    soup = client.get_page("/cookies")
    assert soup.html["lang"] == "en" and soup.h1.get_text(strip=True) == "Cookies"
    assert soup.find("a", class_="govuk-service-navigation__link")["href"] == "/"  # the default needs no ?lang


def test_an_unknown_language_is_ignored(client):
    response = client.raw.get("/?lang=fr")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert client.get_page("/?lang=../../etc").html["lang"] == "en"


def test_the_browser_language_does_not_switch_the_page(client):
    """GOV.UK services choose by what the person asks for: Accept-Language often says nothing of it (portal/i18n.py)."""
    soup = client.get_page("/", headers={"Accept-Language": "cy-GB,cy;q=0.9"})
    assert soup.html["lang"] == "en"


def test_the_api_answers_in_english_whatever_was_chosen(client):
    client.raw.get("/?lang=cy")
    response = client.raw.get("/api/v1/no-such-thing?lang=cy")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.json["title"] == "Page not found" and "Set-Cookie" not in response.headers


@pytest.mark.usefixtures("no_rate_limits")
def test_after_a_post_only_address_the_switcher_links_to_the_page_the_form_was_on(app, client, services):
    share = make_share(app, services)
    ask_for_code(client, share)
    token = csrf_from(client.raw.get(f"{share.url}/code").get_data(as_text=True))
    soup = client.post_page(f"{share.url}/sign-in", data={"csrf_token": token, "code": ""},
                            headers={"Referer": f"http://localhost{share.url}/code"})
    assert soup.find(class_="govuk-error-summary")  # the code page, answered at the POST-only /sign-in
    assert switcher(soup)["links"][0]["href"] == f"{share.url}/code?lang=cy"  # a link to /sign-in would be 405
    soup = client.post_page(f"{share.url}/sign-in", data={"csrf_token": token, "code": ""},
                            headers={"Referer": f"https://another.example{share.url}/code"})
    assert switcher(soup)["links"][0]["href"] == "/?lang=cy"


@pytest.mark.parametrize(("path", "location"), [
    ("/cy", "/?lang=cy"),
    ("/cy/", "/?lang=cy"),
    ("/cy/cookies", "/cookies?lang=cy"),
    ("/en/cookies?lang=cy&x=1", "/cookies?x=1&lang=en"),
    ("/cy/documents/abc.def", "/documents/abc.def?lang=cy"),
    ("/cy//evil.example/", "/evil.example/?lang=cy"),  # never a // address to another site
    ("/cy/%2F%2Fevil.example", "/evil.example?lang=cy"),
    ("/cy/%5C%5Cevil.example", "/evil.example?lang=cy"),
    ("/cy/%09/evil.example", "/evil.example?lang=cy"),
])
def test_cy_and_en_addresses_lead_to_the_page_in_that_language(client, path, location):
    response = client.raw.get(path)
    while response.status_code == 308:  # Werkzeug's own: /cy to /cy/, and // merged into /
        response = client.raw.get(response.headers["Location"])
    assert response.status_code == 302 and response.headers["Location"] == location


def test_welsh_not_offered_means_english_only_and_no_switcher(tmp_path, services):
    app = migrated_app(tmp_path, services, welsh_offered=False)
    client = PageClient(app)
    response = client.raw.get("/?lang=cy")
    assert "Set-Cookie" not in response.headers
    soup = client.get_page("/?lang=cy")
    assert soup.html["lang"] == "en" and soup.find("nav", class_="app-language-switcher") is None
    assert not soup.find_all("link", rel="alternate")
    assert client.raw.get("/cy/cookies").status_code == 404
    assert "portal_language" not in client.get_page("/cookies").get_text()
    app.extensions["portal.db"].dispose()


def test_a_body_in_wales_can_open_in_welsh(tmp_path, services):
    app = migrated_app(tmp_path, services, default_language="cy")
    client = PageClient(app)
    soup = client.get_page("/")
    assert soup.html["lang"] == "cy" and soup.h1.get_text(strip=True) == "Gwasanaethau ar-lein Cyngor Enghreifftiol"
    assert soup.find("a", class_="govuk-service-navigation__link")["href"] == "/"
    assert switcher(soup)["links"][0]["href"] == "/?lang=en"
    client.raw.get("/?lang=en")
    soup = client.get_page("/cookies")
    assert soup.html["lang"] == "en" and soup.find("a", class_="govuk-service-navigation__link")["href"] == "/?lang=en"
    app.extensions["portal.db"].dispose()


def test_the_cookies_page_lists_the_language_cookie(client):
    soup = client.get_page("/cookies?lang=cy")
    rows = [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] for row in soup.select("tbody tr")]
    assert ["portal_language", "Yn cofio a wnaethoch ddewis Saesneg neu Gymraeg", "Pan fyddwch yn cau eich porwr"] in rows


def test_the_language_cookie_is_host_only_and_secure_in_production_shape(tmp_path, services):
    app = migrated_app(tmp_path, services, session_cookie_secure=True)
    cookie = app.test_client().get("/?lang=cy", base_url="https://localhost").headers["Set-Cookie"]
    assert cookie.startswith("__Host-portal_language=cy;") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    app.extensions["portal.db"].dispose()


def test_settings_for_welsh(tmp_path):
    assert make_settings(tmp_path).welsh_offered  # the tests run with Welsh offered
    with pytest.raises(UnsafeSettings, match="DEFAULT_LANGUAGE must be en or cy"):
        make_settings(tmp_path, default_language="fr")
    with pytest.raises(UnsafeSettings, match="DEFAULT_LANGUAGE=cy needs WELSH_OFFERED=true"):
        make_settings(tmp_path, default_language="cy", welsh_offered=False)


def test_a_body_named_only_in_english_keeps_its_name_in_welsh(tmp_path):
    from portal.settings import Settings

    environ = {"PORTAL_ENV": "test", "PORTAL_VAR_DIR": str(tmp_path), "PUBLIC_BODY_NAME": "Ofcom",
               "SERVICE_NAME": "Ofcom requests", "SERVICE_NAME_CY": "Ceisiadau Ofcom", "WELSH_OFFERED": "yes"}
    settings = Settings.from_env(environ)
    assert (settings.public_body_name_cy, settings.service_name_cy) == ("Ofcom", "Ceisiadau Ofcom")
    assert Settings.from_env({"PORTAL_ENV": "test", "PORTAL_VAR_DIR": str(tmp_path)}).welsh_offered is False


def test_the_cookies_page_lists_every_cookie_the_portal_sets(client):
    """Secure Share's sign-in cookie was missing from the list: every essential cookie is named, in each language."""
    from secure_share.views import SESSION_COOKIE

    for url in ("/cookies", "/cookies?lang=cy"):
        names = [row.find(["th", "td"]).get_text(strip=True) for row in client.get_page(url).select("tbody tr")]
        assert names == ["portal_session", SESSION_COOKIE, "portal_language"], url
