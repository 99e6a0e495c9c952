"""The portal's own pages: the start page that leads to the three services."""
from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("portal", __name__, template_folder="templates")


@bp.get("/")
def start():
    return render_template("portal/start.html")
