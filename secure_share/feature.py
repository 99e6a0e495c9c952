"""Secure Share as one part of the portal: everything it adds to the app, in one place (portal/app.py calls it)."""
from __future__ import annotations

from flask import Flask

from portal.formatting import bdi

from secure_share import jobs  # noqa: F401 - its periodic tasks join the queue when imported
from secure_share.api import api_bp
from secure_share.cli import seed_demo_share, share_cli
from secure_share.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)  # the requester's pages, under /documents/
    app.register_blueprint(api_bp)  # the case system's API for shares
    app.cli.add_command(share_cli)
    app.extensions["portal.demo_seeders"].append(seed_demo_share)
    app.extensions["portal.robots_disallow"].append("/documents/")  # one person's links, never for a crawler
    app.jinja_env.filters["bdi"] = bdi  # names and titles the case system sent, isolated on the requester's pages
