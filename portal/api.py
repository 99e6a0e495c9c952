"""/api/v1: hashed, scoped API keys; problem+json errors; the OpenAPI document."""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from pathlib import Path

import datetime as dt

from flask import Blueprint, current_app, g, request
from limits import parse
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
    "submissions:status": "Report a submission's progress, which its requester can see",
    "figures:read": "Read the service's figures: requests started and sent, completion rate, feedback",
    "shares:write": "Create, change and revoke Secure Share links",
    "disclosures:write": "Publish, update and withdraw disclosure log entries",
}

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Wrong or missing keys from one address: past this many, its requests are refused before any key is looked
# at, so a key guesser gets 429s; a case system sending its right key never fails, so is never counted.
FAILED_AUTH_LIMIT = parse("20 per minute")
# last_used_at says roughly when a key was last used; writing it on every call would make every read a write.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


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


def _unauthorised(detail: str):
    """A 401 the RFC 6750 way (WWW-Authenticate: Bearer), counted against the address's failure limit."""
    limiter.limiter.hit(FAILED_AUTH_LIMIT, "api-auth-failure", request.remote_addr or "")
    response = problem(401, "Unauthorised", detail)
    response.headers["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"' if _presented_key() \
        else 'Bearer realm="api"'
    return response


def _too_many_failures():
    if limiter.limiter.test(FAILED_AUTH_LIMIT, "api-auth-failure", request.remote_addr or ""):
        return None
    reset = limiter.limiter.get_window_stats(FAILED_AUTH_LIMIT, "api-auth-failure", request.remote_addr or "")
    wait = max(1, int(reset.reset_time - dt.datetime.now(dt.timezone.utc).timestamp()))
    response = problem(429, "Too many failed attempts",
                       f"Too many requests from this address had a wrong API key. Try again in {wait} seconds.")
    response.headers["Retry-After"] = str(wait)
    return response


def authenticate(required_scope: str | None):
    """Return (key, None) or (None, problem response). Fails closed on anything odd.

    required_scope None accepts any valid key."""
    refused = _too_many_failures()
    if refused is not None:
        return None, refused
    presented = _presented_key()
    if presented is None:
        return None, _unauthorised("Send an API key as 'Authorization: Bearer <key>'.")
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None, _unauthorised("The API key is not valid.")
    session = db_session()
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(presented)) or key.revoked_at is not None:
        return None, _unauthorised("The API key is not valid or has been revoked.")
    if required_scope is not None and required_scope not in key.scopes:
        return None, problem(403, "Forbidden", f"This API key does not have the '{required_scope}' scope.")
    now = current_app.extensions["portal.services"].clock.now()
    if key.last_used_at is None or _aware(key.last_used_at) <= now - LAST_USED_RESOLUTION:
        key.last_used_at = now
        session.commit()  # its own small transaction, before the endpoint's
    return key, None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)  # SQLite hands back naive UTC


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

