"""Capture as one part of the portal: everything it adds to the app, in one place (portal/app.py calls it)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from capture import jobs  # noqa: F401 - its tasks and periodic tasks join the queue when imported
from capture import resume_views  # noqa: F401 - save and come back later: its routes join the blueprint
from capture import tracking_views  # noqa: F401 - track your request: its routes join the blueprint
from capture.api import api_bp
from capture.cli import capture_cli, case_system_cli
from capture.definitions import load_all
from capture.views import bp, delivery_readiness
from portal.i18n import add_translations


def init_app(app: Flask) -> None:
    load_all()  # the form files, checked now: a broken one stops create_app, naming the file and the field
    app.register_blueprint(bp)  # the request forms, under /request/
    add_translations(app, Path(__file__).resolve().parent / "translations")  # its Welsh
    app.register_blueprint(api_bp)  # the case system's pull API for submissions
    app.cli.add_command(capture_cli)
    app.cli.add_command(case_system_cli)
    app.extensions["portal.readiness"]["case_system_delivery"] = delivery_readiness
