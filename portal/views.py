"""The portal's own pages: the start page that leads to the three services, and /cy/... and /en/... addresses."""
from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request

from portal.i18n import LANGUAGES, QUERY

bp = Blueprint("portal", __name__, template_folder="templates")


@bp.get("/")
def start():
    return render_template("portal/start.html")


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
