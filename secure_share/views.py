"""The requester's pages: sign in with the link and an emailed code, download, sign out, remove."""
from __future__ import annotations

from flask import Blueprint

from secure_share.api import api_bp  # noqa: F401 - registered by portal.app

bp = Blueprint("secure_share", __name__, url_prefix="/documents", template_folder="templates")
