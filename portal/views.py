"""The portal's own pages: the start page that leads to the three services, and robots.txt."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, url_for

from portal import current

bp = Blueprint("portal", __name__, template_folder="templates")


@bp.get("/")
def start():
    return render_template("portal/start.html")


@bp.get("/robots.txt")
def robots():
    """What crawlers are asked to leave alone and where the sitemaps are: each feature adds its own."""
    lines = ["User-agent: *"] + [f"Disallow: {path}" for path in current_app.extensions["portal.robots_disallow"]]
    base = current.settings().base_url
    lines += [f"Sitemap: {base}{url_for(endpoint)}" for endpoint in current_app.extensions["portal.sitemaps"]]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
