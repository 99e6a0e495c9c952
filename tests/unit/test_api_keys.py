"""API keys: hashed at rest, scoped, revocable, failing closed; on SQLite and PostgreSQL."""
import json

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from portal import api
from portal.models import ApiKey


def make_key(app, *scopes, name="case system"):
    with app.app_context():
        db = app.extensions["portal.db"]
        with db.transaction() as session:
            return api.create_key(session, name, list(scopes), app.extensions["portal.services"].clock.now())


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_key_is_stored_only_as_a_hash(db_app):
    key = make_key(db_app, "submissions:read")
    with db_app.extensions["portal.db"].sessionmaker() as session:
        stored = session.scalars(select(ApiKey)).one()
    assert key not in (stored.key_hash, stored.prefix) and stored.key_hash == api.hash_key(key)
    assert stored.scopes == ["submissions:read"]


def test_valid_key_is_accepted_and_its_use_recorded(db_app, clock):
    key = make_key(db_app, "submissions:read", "submissions:ack")
    response = db_app.test_client().get("/api/v1/whoami", headers=bearer(key))
    assert response.status_code == 200
    assert response.json["scopes"] == ["submissions:ack", "submissions:read"]
    with db_app.extensions["portal.db"].sessionmaker() as session:
        assert session.scalars(select(ApiKey)).one().last_used_at == clock.now()


@pytest.mark.parametrize("header", [
    None, "Bearer", "Bearer ", "Basic abc", "Bearer psp_deadbeef_wrong", "Bearer psp_x", "Bearer not-a-key",
    "Bearer psp_deadbeef_" + "a" * 43, "Bearer \x00\x01",
])
def test_missing_or_bad_keys_fail_closed_with_problem_json(db_app, header):
    make_key(db_app, "submissions:read")
    headers = {"Authorization": header} if header is not None else {}
    response = db_app.test_client().get("/api/v1/whoami", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "Unauthorised"


def test_right_prefix_wrong_secret_is_refused(db_app):
    key = make_key(db_app, "submissions:read")
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    assert db_app.test_client().get("/api/v1/whoami", headers=bearer(forged)).status_code == 401


def test_revoked_key_stops_working_at_once(db_app):
    key = make_key(db_app, "submissions:read")
    client = db_app.test_client()
    assert client.get("/api/v1/whoami", headers=bearer(key)).status_code == 200
    prefix = key.split("_", 2)[1]
    with db_app.app_context(), db_app.extensions["portal.db"].transaction() as session:
        assert api.revoke_key(session, prefix, db_app.extensions["portal.services"].clock.now())
    assert client.get("/api/v1/whoami", headers=bearer(key)).status_code == 401


def test_scope_is_enforced(app):
    @app.post("/api/v1/__test/shares")
    @api.require_scope("shares:write")
    def _shares():
        return {"ok": True}

    client = app.test_client()
    wrong = make_key(app, "submissions:read")
    right = make_key(app, "shares:write", name="share publisher")
    refused = client.post("/api/v1/__test/shares", headers=bearer(wrong))
    assert refused.status_code == 403 and "shares:write" in refused.json["detail"], refused.json
    # A POST with a key and no CSRF token: the API authenticates by key, not cookie.
    assert client.post("/api/v1/__test/shares", headers=bearer(right)).json == {"ok": True}


def test_unknown_scope_cannot_be_granted(app):
    with pytest.raises(ValueError, match="unknown scope"):
        make_key(app, "everything")


def test_openapi_document_is_valid_and_served(client):
    document = json.loads((api.OPENAPI_PATH).read_text())
    validate(document)
    assert document["openapi"].startswith("3.1")
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.json == document


def test_every_api_route_is_in_the_openapi_document(app):
    document = api.openapi_document()
    documented = {path for path in document["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
            path = path.split(":")[-1] if ":" in path else path
            assert path in documented, f"{rule.rule} is missing from openapi.json"


def test_api_key_commands(app):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["api-key", "create", "Case system", "--scope", "submissions:read"])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    prefix = key.split("_", 2)[1]
    listed = runner.invoke(args=["api-key", "list"])
    assert prefix in listed.output and "active" in listed.output and key not in listed.output
    assert runner.invoke(args=["api-key", "revoke", prefix]).exit_code == 0
    assert "revoked" in runner.invoke(args=["api-key", "list"]).output
    again = runner.invoke(args=["api-key", "revoke", prefix])
    assert again.exit_code != 0 and "no active key" in again.output
    bad = runner.invoke(args=["api-key", "create", "x", "--scope", "root"])
    assert bad.exit_code != 0
