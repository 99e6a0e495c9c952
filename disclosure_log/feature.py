"""The Disclosure Log as one part of the portal: everything it adds to the app, in one place (portal/app.py
calls it), its search index included."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from disclosure_log import alert_views  # noqa: F401 - the email alert pages join the blueprint when imported
from disclosure_log import guard, presenters
from disclosure_log import jobs  # noqa: F401 - its periodic tasks join the queue when imported
from disclosure_log.api import api_bp
from disclosure_log.cli import disclosure_log_cli
from disclosure_log.current import index_readiness
from disclosure_log.demo import seed_demo_disclosures
from disclosure_log.index import make_index
from disclosure_log.published import DisclosureLogResponses
from disclosure_log.views import bp
from portal.i18n import add_translations
from portal.settings import UnsafeSettings


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)  # the public search, entries, feeds and exports
    add_translations(app, Path(__file__).resolve().parent / "translations")  # its Welsh
    app.register_blueprint(api_bp)  # publishing through the API, and the public JSON search
    app.cli.add_command(disclosure_log_cli)
    settings = app.config["PORTAL_SETTINGS"]
    try:  # GUARD_ALLOW is checked at start, not at the first publish
        app.extensions["disclosure_log.guard_allowed"] = guard.Allowed.from_settings(settings)
    except ValueError as exc:
        raise UnsafeSettings(str(exc)) from None
    app.extensions["disclosure_log.index"] = make_index(settings, app.extensions["portal.db"])
    app.extensions["portal.readiness"]["search_index"] = index_readiness
    app.extensions["portal.demo_seeders"].append(seed_demo_disclosures)
    app.jinja_env.filters.update(presenters.FILTERS)
    app.extensions["portal.sitemaps"].append("disclosure_log.sitemap_index")  # every public entry page
    # Searches (a URL for every mix of words and filters) and the exports of them are for people, not crawlers:
    # the entries are found through the sitemap. "/disclosure-log?" leaves the search page itself and the entries.
    app.extensions["portal.robots_disallow"] += ["/disclosure-log?", "/disclosure-log.csv", "/disclosure-log.json"]
    services = app.extensions["portal.services"]
    if services.published is None:  # Capture's "Before you ask" searches the log through this port
        services.published = DisclosureLogResponses()
