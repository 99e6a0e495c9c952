"""/api/v1: hashed, scoped API keys; problem+json errors; the OpenAPI document."""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from pathlib import Path

from flask import Blueprint, current_app, g, request
from sqlalchemy import select

from portal.db import session as db_session
from portal.errors import problem
from portal.models import ApiKey
from portal.security import limiter

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"
KEY_PREFIX = "psp"

# Each scope is one thing a case system may do; a key holds only the scopes it needs.
SCOPES = {
    "submissions:read": "List and fetch submissions waiting for the case system",
    "submissions:ack": "Acknowledge that the case system has received a submission",
    "shares:write": "Create, change and revoke Secure Share links",
    "disclosures:write": "Publish, update and withdraw disclosure log entries",
}

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> tuple[str, str]:
    """A new key and its public prefix. The key is shown once; only its hash is kept."""
    prefix = secrets.token_hex(4)
    return f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}", prefix


def create_key(session, name: str, scopes: list[str], now) -> str:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    if not scopes:
        raise ValueError("give at least one scope")
    key, prefix = generate_key()
    session.add(ApiKey(name=name, prefix=prefix, key_hash=hash_key(key), scopes=sorted(set(scopes)), created_at=now))
    return key


def revoke_key(session, prefix: str, now) -> bool:
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = now
    return True


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def authenticate(required_scope: str | None):
    """Return (key, None) or (None, problem response). Fails closed on anything odd.

    required_scope None accepts any valid key."""
    presented = _presented_key()
    if presented is None:
        return None, problem(401, "Unauthorised", "Send an API key as 'Authorization: Bearer <key>'.")
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None, problem(401, "Unauthorised", "The API key is not valid.")
    session = db_session()
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(presented)) or key.revoked_at is not None:
        return None, problem(401, "Unauthorised", "The API key is not valid or has been revoked.")
    if required_scope is not None and required_scope not in key.scopes:
        return None, problem(403, "Forbidden", f"This API key does not have the '{required_scope}' scope.")
    key.last_used_at = current_app.extensions["portal.services"].clock.now()
    session.commit()
    return key, None


def require_scope(scope: str):
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope}")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            key, failure = authenticate(scope)
            if failure is not None:
                return failure
            g.api_key = key
            return view(*args, **kwargs)

        wrapped.required_scope = scope
        return wrapped

    return decorator


def api_key_identity() -> str:
    """Rate limit API clients by key prefix rather than address."""
    presented = _presented_key() or ""
    parts = presented.split("_", 2)
    return f"key:{parts[1]}" if len(parts) == 3 else f"addr:{request.remote_addr}"


@functools.cache
def openapi_document() -> dict:
    return json.loads(OPENAPI_PATH.read_text())


@bp.get("/openapi.json")
@limiter.exempt
def openapi():
    response = current_app.response_class(json.dumps(openapi_document(), indent=2), mimetype="application/json")
    return response


@bp.get("/whoami")
@limiter.limit("600 per minute", key_func=api_key_identity)
def whoami():
    """Any valid key: which key is this and what may it do (for a case system's set-up checks)."""
    key, failure = authenticate(None)
    if failure is not None:
        return failure
    return {"name": key.name, "prefix": key.prefix, "scopes": key.scopes}


@bp.route("/<path:_unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(_unknown):
    return problem(404, "Not found", "There is no such API endpoint.")
