"""The pages every GOV.UK service must have: accessibility statement, cookies, privacy notice."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template

from portal.i18n import cookie_name

bp = Blueprint("accessibility", __name__, template_folder="templates")

# When the statement was prepared and last reviewed: the regulations require both dates.
STATEMENT_PREPARED = dt.date(2026, 11, 23)
STATEMENT_REVIEWED = dt.date(2026, 11, 23)


@bp.get("/accessibility-statement")
def statement():
    return render_template("accessibility/statement.html", prepared=STATEMENT_PREPARED, reviewed=STATEMENT_REVIEWED)


@bp.get("/cookies")
def cookies():
    settings = current_app.config["PORTAL_SETTINGS"]
    from secure_share.views import SESSION_COOKIE

    return render_template("accessibility/cookies.html", session_cookie=current_app.config["SESSION_COOKIE_NAME"],
                           share_cookie=SESSION_COOKIE,
                           language_cookie=cookie_name(settings) if settings.welsh_offered else None)


@bp.get("/privacy")
def privacy():
    return render_template("accessibility/privacy.html")


