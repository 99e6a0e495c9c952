"""The portal's own pages: the start page that leads to the three services, robots.txt, and /cy/... and
/en/... addresses."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from portal import current
from portal.i18n import LANGUAGES, QUERY

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


@bp.get("/<any(cy, en):language>/", defaults={"rest": ""})
@bp.get("/<any(cy, en):language>/<path:rest>")
def in_language(language, rest):
    """/cy/documents/... is /documents/...?lang=cy: the address people expect of a Welsh page, kept to one set
    of pages. Only the portal's own path: slashes and spaces in front are dropped, never a //other.site."""
    if language not in LANGUAGES or not current_app.config["PORTAL_SETTINGS"].welsh_offered:
        abort(404)
    path = "/" + quote(rest.lstrip("/\\ \t\r\n"), safe="/-._~!$&'()*+,;=:@")
    query = [(k, v) for k, v in request.args.items(multi=True) if k != QUERY]
    return redirect(path + "?" + urlencode([*query, (QUERY, language)]), 302)
