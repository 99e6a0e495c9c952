"""The pages every GOV.UK service must have: accessibility statement, cookies, privacy notice."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template


bp = Blueprint("accessibility", __name__, template_folder="templates")

# When the statement was prepared and last reviewed: the regulations require both dates.
STATEMENT_PREPARED = "23 November 2026"
STATEMENT_REVIEWED = "23 November 2026"


@bp.get("/accessibility-statement")
def statement():
    return render_template("accessibility/statement.html", prepared=STATEMENT_PREPARED, reviewed=STATEMENT_REVIEWED)


@bp.get("/cookies")
def cookies():
    return render_template("accessibility/cookies.html",
                           session_cookie=current_app.config["SESSION_COOKIE_NAME"])


@bp.get("/privacy")
def privacy():
    return render_template("accessibility/privacy.html")


