"""create_app(settings=None, services=None): the composition root."""
from __future__ import annotations

import logging
from pathlib import Path

import jinja2
from flask import Flask, send_from_directory

import capture.feature
import disclosure_log.feature
import secure_share.feature
from govuk_templates.assets import STATIC, asset_path
from govuk_templates.footer import own_copyright
from govuk_templates.shell import shell_part
from portal.converters import BoundedIntegerConverter
from portal.dates import govuk_date, govuk_datetime
from portal.db import init_db
from portal.formatting import human_size
from portal.errors import init_errors
from portal.i18n import init_i18n, localised
from portal.jobs import bind_queue
from portal.json_bodies import PortalJSONProvider
from portal.logs import configure_logging, init_request_logging
from portal.private_files import private_folder
from portal.security import init_security
from portal.services import Services
from portal.settings import Settings
from portal.spool import SpoolingRequest
from portal.templating import Template

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent

# The three services. Each one's init_app registers its pages, API, commands, jobs, readiness checks and
# demo data; they share only the kernel (portal/) and meet only through its ports.
FEATURES = (capture.feature, secure_share.feature, disclosure_log.feature)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level, settings.log_format)
    app = Flask(__name__, static_folder=str(STATIC), static_url_path="/static")
    app.json = PortalJSONProvider(app)
    app.request_class = SpoolingRequest  # uploads spool in var/spool, never /tmp
    app.url_map.converters["int"] = BoundedIntegerConverter  # before any route is added
    app.jinja_loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(ROOT / "govuk_templates" / "templates")]),
        jinja2.PrefixLoader({
            "govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja"),
        }),
    ])
    app.jinja_env.template_class = Template  # a cheaper {% from ... import ... %} (portal/templating.py)
    app.jinja_env.undefined = jinja2.ChainableUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.config["PORTAL_SETTINGS"] = settings
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)

    init_security(app, settings)
    init_i18n(app, settings)  # before the features: each adds its catalogue to the shell's
    init_request_logging(app)
    init_errors(app)
    private_folder(settings.var_dir)  # the portal's data: no other local account reads it
    init_db(app, settings)
    bind_queue(settings)
    app.extensions["portal.services"] = services or Services.from_settings(settings)

    from accessibility.views import bp as accessibility_bp
    from portal.api import bp as api_bp
    from portal.cli import register_commands
    from portal.health import bp as health_bp
    from portal.views import bp as portal_bp

    app.register_blueprint(portal_bp)  # the start page and the shell's own pages
    app.register_blueprint(accessibility_bp)  # accessibility statement, cookies, privacy
    app.register_blueprint(health_bp)  # /healthz and /readyz
    app.register_blueprint(api_bp)  # /api/v1: key checks and the OpenAPI document
    app.extensions["portal.readiness"] = {}
    app.extensions["portal.demo_seeders"] = []
    app.extensions["portal.robots_disallow"] = ["/api/"]  # paths crawlers are asked to leave alone (robots.txt)
    app.extensions["portal.sitemaps"] = []  # endpoints of sitemaps (or sitemap indexes) robots.txt names
    register_commands(app)
    for feature in FEATURES:
        feature.init_app(app)

    @app.get("/assets/<path:filename>", endpoint="govuk_assets")
    def govuk_assets(filename):
        # The GOV.UK Frontend CSS asks for fonts and images at /assets/...
        return send_from_directory(STATIC / "assets", filename)

    app.jinja_env.filters.update(govuk_date=govuk_date, govuk_datetime=govuk_datetime, human_size=human_size,
                                 own_copyright=own_copyright)
    app.jinja_env.globals["shell_part"] = shell_part

    @app.context_processor
    def _globals():
        return {
            "settings": localised(app.config["PORTAL_SETTINGS"]),  # the body's and service's names in the page's language
            "asset_path": asset_path,
        }

    return app
