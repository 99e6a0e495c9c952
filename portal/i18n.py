"""English and Welsh: which language a page is in, how the choice is made and kept, and the catalogues.

How a page's language is chosen, first match wins (README "Welsh"):

1. `?lang=cy` or `?lang=en` on the address. Any page's address with it is a link to that page in that
   language, so it can be shared; the language switcher's links are the page's own address with it.
2. The visitor's choice, remembered for the visit in an essential cookie (`portal_language`, no expiry date:
   the browser forgets it when it closes; a user-interface preference, so no consent is needed, and the
   cookies page lists it).
3. `DEFAULT_LANGUAGE` (en, or cy for a body that opens in Welsh).

The browser's own language (`Accept-Language`) is not used: GOV.UK services (GOV.UK Pay, One Login) choose by
what the person asks for, because the browser's setting often says nothing about the language the person
wants to read a public body in (a Welsh speaker on an English browser at work, a shared computer), and a
page that changes by itself cannot be predicted or shared. While the visit is in the other language than
the default, the portal keeps `lang` in the links it makes (url_for), so every address in it is shareable.

With WELSH_OFFERED off, every page is English and nothing here shows. The API and health checks answer in
English whatever is chosen: their words are for the case system, not the public.

Catalogues: each part of the portal keeps its own (portal/translations for the shell, secure_share/translations,
...), extracted and compiled by `make translations`; `add_translations` puts a feature's in the search list.
"""
from __future__ import annotations

import dataclasses
import functools
import json
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, has_request_context, request
from flask_babel import Babel, force_locale, get_babel, get_locale, get_translations, gettext as _

LANGUAGES = ("en", "cy")
NAMES = {"en": "English", "cy": "Cymraeg"}  # each in its own language, as the switcher shows them
QUERY = "lang"
SHELL_TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# Blueprints whose answers are not pages for the public: never a `lang` in their links.
NOT_PAGES = {"api", "capture_api", "share_api", "disclosure_api", "health"}

babel = Babel()

def N_(message: str) -> str:
    """Marks English for the catalogue and leaves it English (an exception's title, which the API and logs
    keep in English); the page that shows it translates it then, with gettext."""
    return message


def cookie_name(settings) -> str:
    # __Host- as the session cookie: only this host over HTTPS can set it (portal/security.py)
    return "__Host-portal_language" if settings.session_cookie_secure else "portal_language"


def _settings():
    return current_app.config["PORTAL_SETTINGS"]


def _is_page() -> bool:
    return not (request.path.startswith("/api/") or request.path in {"/healthz", "/readyz"})


def asked_for() -> str | None:
    """The language the address asks for (`?lang=`), when it is one the portal offers."""
    asked = request.args.get(QUERY)
    return asked if asked in LANGUAGES and _settings().welsh_offered else None


def select_language() -> str:
    """Flask-Babel's locale selector: see the module docstring for the order."""
    settings = _settings()
    if not settings.welsh_offered:
        return "en"
    if not has_request_context():
        return settings.default_language
    if not _is_page():
        return "en"
    kept = request.cookies.get(cookie_name(settings))
    return asked_for() or (kept if kept in LANGUAGES else settings.default_language)


def current_language() -> str:
    """The language of the page (or email) being made: "en" outside an app, or when Welsh is not offered."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else "en"


def in_language(language: str | None):
    """`with in_language(share_language):` makes an email in the reader's language, whatever the page's."""
    return force_locale(language if language in LANGUAGES else "en")


def localised(settings, language: str | None = None):
    """The settings with the body's and the service's names in the language (SERVICE_NAME_CY, PUBLIC_BODY_NAME_CY)."""
    if (language or current_language()) != "cy":
        return settings
    return _in_welsh(settings)


@functools.lru_cache(maxsize=16)
def _in_welsh(settings):
    """Made once per settings (every Welsh page asks): the same object each time, so what is keyed on it
    (govuk_templates/shell.py) finds it by identity."""
    return dataclasses.replace(settings, service_name=settings.service_name_cy,
                               public_body_name=settings.public_body_name_cy)


def add_translations(app: Flask, directory: Path) -> None:
    """A feature's catalogue (its `translations/` folder) joins the shell's; call it from the feature's init_app."""
    folders = get_babel(app).translation_directories
    if str(directory) not in folders:
        folders.append(str(directory))


# Links and the switcher ------------------------------------------------------------------

def _keep_language_in_links(endpoint: str, values: dict) -> None:
    """url_defaults: while the visit is not in the default language, links say which language they are in."""
    if QUERY in values or not has_request_context() or endpoint in {"static", "govuk_assets"}:
        return
    if endpoint.partition(".")[0] in NOT_PAGES or not _settings().welsh_offered:
        return
    language = current_language()
    if language != _settings().default_language:
        values[QUERY] = language


def _page_address() -> str:
    """This page's path for a link: itself after a GET; after a POST, the same path if it answers GET, else the
    page the form was on (a POST-only address, like a code check, would answer a link with 405), else the start."""
    if request.method in {"GET", "HEAD"}:
        return request.path
    adapter = current_app.url_map.bind_to_environ(request.environ)
    if adapter.test(request.path, method="GET"):
        return request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/") and adapter.test(referrer.path, method="GET"):
        return referrer.path
    return "/"


def address_in(language: str, *, external: bool = False) -> str:
    """This page in `language`: its own address with ?lang= (every other query parameter kept)."""
    query = [(k, v) for k, v in request.args.items(multi=True) if k != QUERY] if request.method in {"GET", "HEAD"} else []
    path = _page_address() + "?" + urlencode([*query, (QUERY, language)])
    return _settings().base_url.rstrip("/") + path if external else path


def language_switch() -> list[dict]:
    """The GOV.UK language switcher's items, for base.html: empty when Welsh is not offered."""
    if not _settings().welsh_offered or not has_request_context():
        return []
    current = current_language()
    return [{"language": language, "name": NAMES[language], "current": language == current,
             "href": None if language == current else address_in(language)} for language in LANGUAGES]


def alternates() -> list[dict]:
    """<link rel="alternate" hreflang> for each language of a page anyone can open."""
    if not _settings().welsh_offered or request.method not in {"GET", "HEAD"}:
        return []
    return [{"hreflang": language, "href": address_in(language, external=True)} for language in LANGUAGES]


def _remember_choice(response):
    """The language asked for in the address is kept for the rest of the visit (a cookie without an expiry date)."""
    settings = _settings()
    asked = asked_for() if _is_page() else None
    if asked and request.cookies.get(cookie_name(settings)) != asked:
        response.set_cookie(cookie_name(settings), asked, path="/", httponly=True, samesite="Lax",
                            secure=settings.session_cookie_secure)
    return response


# What the browser shows: GOV.UK Frontend's components and portal.js ------------------------

# A number of each plural category of Intl.PluralRules (what GOV.UK Frontend and portal.js pick from): Welsh has
# six (zero, one, two, few, many, other), English two. The catalogue's Plural-Forms map each to its msgstr[n].
_SAMPLES = {"en": {"one": 1, "other": 2}, "cy": {"zero": 0, "one": 1, "two": 2, "few": 3, "many": 6, "other": 4}}


def ungettext(singular: str, plural: str, n: int) -> str:
    """ngettext without %-formatting, for words a script fills in; its name is one pybabel extracts by default."""
    return get_translations().ungettext(singular, plural, n)


def _by_category(language: str, pick) -> dict[str, str]:
    return {category: pick(n) for category, n in _SAMPLES[language].items()}


def govuk_frontend_config() -> dict:
    """initAll's config: GOV.UK Frontend's own words for its JavaScript components, in the page's language.
    Empty in English, so English pages run GOV.UK Frontend exactly as it ships."""
    language = current_language()
    if language == "en":
        return {}

    def forms(pick) -> dict[str, str]:
        return _by_category(language, pick)

    return {
        "accordion": {"i18n": {
            "hideAllSections": _("Hide all sections"), "hideSection": _("Hide"),
            "hideSectionAriaLabel": _("Hide this section"), "showAllSections": _("Show all sections"),
            "showSection": _("Show"), "showSectionAriaLabel": _("Show this section"),
        }},
        "characterCount": {"i18n": {
            "charactersUnderLimit": forms(lambda n: ungettext(
                "You have %{count} character remaining", "You have %{count} characters remaining", n)),
            "charactersAtLimit": _("You have 0 characters remaining"),
            "charactersOverLimit": forms(lambda n: ungettext(
                "You have %{count} character too many", "You have %{count} characters too many", n)),
            "wordsUnderLimit": forms(lambda n: ungettext(
                "You have %{count} word remaining", "You have %{count} words remaining", n)),
            "wordsAtLimit": _("You have 0 words remaining"),
            "wordsOverLimit": forms(lambda n: ungettext(
                "You have %{count} word too many", "You have %{count} words too many", n)),
            "textareaDescription": forms(lambda n: ungettext(
                "You can enter up to %{count} character", "You can enter up to %{count} characters", n)),
        }},
        "fileUpload": {"i18n": {
            "chooseFilesButton": _("Choose file"), "dropInstruction": _("or drop file"),
            "noFileChosen": _("No file chosen"),
            "multipleFilesChosen": forms(lambda n: ungettext("%{count} file chosen", "%{count} files chosen", n)),
            "enteredDropZone": _("Entered drop zone"), "leftDropZone": _("Left drop zone"),
        }},
        "passwordInput": {"i18n": {
            "showPassword": _("Show"), "hidePassword": _("Hide"), "showPasswordAriaLabel": _("Show password"),
            "hidePasswordAriaLabel": _("Hide password"), "passwordShownAnnouncement": _("Your password is visible"),
            "passwordHiddenAnnouncement": _("Your password is hidden"),
        }},
    }


def portal_js_strings() -> dict:
    """The words portal.js puts on the page (the timeout warning's countdown, published responses as you type),
    with the catalogue's %(name)s placeholders, which portal.js fills in. Empty in English: portal.js holds the
    English itself."""
    language = current_language()
    if language == "en":
        return {}
    return {
        "minutes": _by_category(language, lambda n: ungettext("%(num)d minute", "%(num)d minutes", n)),
        "seconds": _by_category(language, lambda n: ungettext("%(num)d second", "%(num)d seconds", n)),
        "opensInNewTab": _("%(title)s (opens in new tab)"),
        "published": _("%(reference)s, published %(date)s"),
        "relatedHeading": _("These published responses might answer your question"),
    }


def _body_attributes() -> dict:
    """Data for the scripts, on <body>: JSON in an attribute, so no inline script carries words (CSP). The same
    on every page in a language: made once per language (and app), then copied."""
    made = current_app.extensions.setdefault("portal.body_attributes", {})
    language = current_language()
    if language not in made:
        made[language] = _make_body_attributes()
    return dict(made[language])


def _make_body_attributes() -> dict:
    attributes = {}
    if config := govuk_frontend_config():
        attributes["data-govuk-frontend-config"] = json.dumps(config, ensure_ascii=False)
    if strings := portal_js_strings():
        attributes["data-portal-i18n"] = json.dumps(strings, ensure_ascii=False)
    return attributes


def _template_globals() -> dict:
    language = current_language()
    return {
        "language": language,
        "language_switch": language_switch(),
        "language_alternates": alternates(),
        "body_attributes": _body_attributes(),
    }


def init_i18n(app: Flask, settings) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = settings.default_language if settings.welsh_offered else "en"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(SHELL_TRANSLATIONS)
    babel.init_app(app, locale_selector=select_language)
    # {% trans %} blocks lose their line breaks and indents: the catalogue holds the sentence, not the layout
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.url_defaults(_keep_language_in_links)
    app.after_request(_remember_choice)
    app.context_processor(_template_globals)
