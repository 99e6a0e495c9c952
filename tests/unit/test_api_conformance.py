"""The API does what its OpenAPI document says (issue 12 item 7): schemathesis generates requests for every
operation in the served document, valid and invalid, and runs all its checks on every answer: status codes,
content types, response schemas and headers, valid input accepted and invalid input refused, authentication
enforced, 405s with Allow, no 5xx.

Bounded and repeatable: a fixed seed, derandomized, MAX_EXAMPLES an operation and phase (examples, coverage,
fuzzing; the stateful phase needs links the document does not have); the app is the WSGI app on a migrated
SQLite database with a key holding every scope. Rate limits are off: they answer 429 by design once
schemathesis has sent enough, which tells nothing about the document.
"""
from __future__ import annotations

import base64
import datetime as dt

import pytest
from hypothesis import HealthCheck, settings
from limits import parse
import schemathesis
from schemathesis.config import SchemathesisConfig

from portal import api
from portal.security import limiter
from portal.settings import Settings
from tests.fakes import FakeClock
from tests.share_api_helpers import NEW_SHARE, ShareApi
from tests.unit.test_api_keys import make_key

MAX_EXAMPLES = 100  # per operation and phase: about a minute on two cores, two with other work running
SEED = 12
# The key schemathesis sends (the document's bearer scheme): known before any app exists, because the
# operations are collected from the document at import time.
PREFIX = "5c4e3a7a"
KEY = f"{api.KEY_PREFIX}_{PREFIX}_schemathesis-sends-this-key-with-every-scope"
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==")  # 1 by 1

schema = schemathesis.openapi.from_dict(api.openapi_document(), config=SchemathesisConfig.from_dict({
    "seed": SEED,
    "base-url": "http://localhost/api/v1",  # the WSGI app answers any host
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "mode": "all"},
    "checks": {"enabled": True},
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
               "stateful": {"enabled": False}},
    "auth": {"openapi": {"apiKey": {"bearer": KEY}}},
}))


class AppUnderTest:
    """The WSGI app schemathesis sends to (its requests and its own probes): each test's app in turn.

    Werkzeug's test client spools a multipart body over 500 KB to a temporary file and never closes it (a
    ResourceWarning, so an error here): the answer is read whole, then the app's answer and the body are closed."""

    app = None

    def __call__(self, environ, start_response):
        answer = self.app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            getattr(answer, "close", lambda: None)()
            environ["wsgi.input"].close()


schema.app = AppUnderTest()


@schema.hook
def map_case(context, case):
    """What the document says in words and a schema cannot: a share's expiry is in the future and at most
    SHARE_MAX_DAYS away; a disclosure's attachments are files of the types listed, by their content, with
    different file names (schemathesis names every file after its field). Valid cases it generates are made so,
    and the check that valid input is accepted stays on for everything else."""
    if not (isinstance(case.body, dict) and case.meta and not case.meta.generation.mode.is_negative):
        return case
    if isinstance(case.body.get("attachments"), list):  # one file, of a type the Disclosure Log takes by content
        case.body["attachments"] = [PNG] if case.body["attachments"] else []
    if context.operation.path in ("/shares", "/shares/{share_id}/extend"):
        if isinstance(case.body.get("expires_at"), str):
            case.body["expires_at"] = (FakeClock().now() + dt.timedelta(days=7)).isoformat()  # the app's clock
        if isinstance(case.body.get("expires_in_days"), (int, float)):
            case.body["expires_in_days"] = min(case.body["expires_in_days"], Settings.share_max_days)
    return case


@pytest.fixture
def api_app(app, monkeypatch):
    monkeypatch.setattr(api, "generate_key", lambda: (KEY, PREFIX))
    make_key(app, *api.SCOPES, name="schemathesis")
    monkeypatch.setattr(limiter, "enabled", False)
    monkeypatch.setattr(api, "FAILED_AUTH_LIMIT", parse("1000000 per minute"))  # it probes without a key, often
    monkeypatch.setattr(schema.app, "app", app)
    return app


def test_the_document_tested_is_the_one_served(app):
    assert app.test_client().get("/api/v1/openapi.json").json == api.openapi_document()


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # one app an operation, like a real server
def test_every_operation_matches_the_openapi_document(case, api_app):
    case.call_and_validate()


@pytest.mark.parametrize("path", ["/shares", "/shares/{id}/extend"])
def test_a_whole_number_written_with_a_decimal_point_is_that_number(app, path):
    """JSON has one kind of number, and the document's "integer" takes 30.0 (as JSON Schema does): it was refused."""
    shares = ShareApi(app)
    share = shares.create()
    response = shares.call("POST", path.format(id=share["id"]), json={**NEW_SHARE, "expires_in_days": 30.0})
    assert response.status_code in (200, 201), response.json
    assert response.json["expires_at"] == "2026-07-01T09:00:00Z"
