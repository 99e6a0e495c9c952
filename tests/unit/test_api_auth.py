"""The API's front door as an attacker meets it: 401s that say how to authenticate, wrong keys limited per
address before any key is looked at, 405 with Allow for a real path and the wrong method, and last_used_at
written at most once a minute."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal import api
from portal.models import ApiKey
from tests.unit.test_api_keys import bearer, make_key

WRONG = {"Authorization": "Bearer psp_00000000_not-the-right-secret-at-all-xxxxxxxxxxxxxxxx"}


def from_address(address: str) -> dict:
    return {"REMOTE_ADDR": address}


def test_every_401_names_the_bearer_scheme(client):
    missing = client.raw.get("/api/v1/submissions")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    wrong = client.raw.get("/api/v1/submissions", headers=WRONG)
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    assert wrong.mimetype == "application/problem+json"


def test_wrong_keys_are_limited_per_address_before_any_key_is_checked(app):
    good = make_key(app, "submissions:read")
    client = app.test_client()
    statuses = [client.get("/api/v1/submissions", headers=WRONG, environ_base=from_address("192.0.2.7")).status_code
                for _ in range(api.FAILED_AUTH_LIMIT.amount + 5)]
    assert statuses[:api.FAILED_AUTH_LIMIT.amount] == [401] * api.FAILED_AUTH_LIMIT.amount
    assert statuses[api.FAILED_AUTH_LIMIT.amount:] == [429] * 5
    # Refused before the key is looked at: even the right key from that address waits, and is told how long.
    refused = client.get("/api/v1/submissions", headers=bearer(good), environ_base=from_address("192.0.2.7"))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "wrong API key" in refused.json["detail"]
    # Another address (the real case system) is not affected.
    other = client.get("/api/v1/submissions", headers=bearer(good), environ_base=from_address("192.0.2.8"))
    assert other.status_code == 200


def test_successes_are_never_counted(app):
    good = make_key(app, "submissions:read")
    client = app.test_client()
    for _ in range(api.FAILED_AUTH_LIMIT.amount * 2):
        assert client.get("/api/v1/submissions", headers=bearer(good)).status_code == 200


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PUT", "/api/v1/shares/abc123", {"GET"}),
    ("DELETE", "/api/v1/submissions/FOI-2026-ABCD-E", {"GET"}),
    ("PATCH", "/api/v1/disclosures/FOI-2026-0001", {"GET", "PUT", "POST", "DELETE"}),
])
def test_a_real_path_with_the_wrong_method_is_405_with_allow(client, method, path, allowed):
    response = client.raw.open(path, method=method)
    assert response.status_code == 405, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert method in response.json["detail"]


def test_an_unknown_api_path_is_404_problem_json(client):
    response = client.raw.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.json["detail"] == "There is no such API endpoint."


def test_last_used_at_is_written_at_most_once_a_minute(app, clock):
    key = make_key(app, "submissions:read")
    client = app.test_client()

    def last_used():
        with app.extensions["portal.db"].sessionmaker() as session:
            moment = session.scalars(select(ApiKey)).one().last_used_at
            return moment.replace(tzinfo=None)

    assert client.get("/api/v1/submissions", headers=bearer(key)).status_code == 200
    first = last_used()
    clock.advance(seconds=59)
    assert client.get("/api/v1/submissions", headers=bearer(key)).status_code == 200
    assert last_used() == first
    clock.advance(seconds=2)
    assert client.get("/api/v1/submissions", headers=bearer(key)).status_code == 200
    assert last_used() == clock.now().replace(tzinfo=None)
