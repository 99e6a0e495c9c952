"""The running app's settings, services and clock, for views and API handlers."""
from __future__ import annotations

import datetime as dt

from flask import current_app

from portal.services import Services
from portal.settings import Settings


def settings() -> Settings:
    return current_app.config["PORTAL_SETTINGS"]


def services() -> Services:
    return current_app.extensions["portal.services"]


def now() -> dt.datetime:
    return services().clock.now()
