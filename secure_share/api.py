"""The back office's side of Secure Share: /api/v1/shares."""
from __future__ import annotations

from flask import Blueprint

api_bp = Blueprint("share_api", __name__, url_prefix="/api/v1")
