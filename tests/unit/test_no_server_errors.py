"""What a client can send that used to be a 500 (issue 12 item 8) is a 4xx: numbers too large for the database
in a path or a query, and lone surrogates in any JSON body."""
from __future__ import annotations

import json

import pytest

from tests.capture_helpers import fill, post
from tests.unit.test_api_keys import bearer, make_key

HUGE = "9223372036854775808"  # 2**63: more than SQLite or PostgreSQL can hold


@pytest.mark.parametrize("path", [
    f"/disclosure-log/sitemap-{HUGE}.xml",
    f"/disclosure-log/sitemap-{2**31}.xml",
    f"/disclosure-log/FOI-2026-0001/files/{HUGE}/letter.pdf",
])
def test_a_number_too_large_in_a_path_is_not_found(client, path):
    response = client.raw.get(path)
    assert response.status_code == 404


def test_the_largest_id_still_matches(client):
    assert client.raw.get(f"/disclosure-log/sitemap-{2**31 - 1}.xml").status_code in (200, 404)


@pytest.mark.parametrize("after", [HUGE, "-1", str(2**31)])
def test_an_out_of_range_after_is_a_clear_400(app, after):
    key = make_key(app, "submissions:read")
    response = app.test_client().get(f"/api/v1/submissions?after={after}", headers=bearer(key))
    assert response.status_code == 400
    assert "after must be a submission id" in response.json["detail"]


@pytest.mark.parametrize(("method", "path", "scope"), [
    ("PUT", "/api/v1/disclosures/FOI-2026-0001", "disclosures:write"),
    ("POST", "/api/v1/shares", "shares:write"),
])
@pytest.mark.parametrize("body", [
    '{"title": "\\ud800"}',
    '{"\\udfff": "key"}',
    '{"exemptions": ["s40", "\\ud83d"]}',
])
def test_a_lone_surrogate_in_json_is_refused_saying_why(app, method, path, scope, body):
    key = make_key(app, scope)
    response = app.test_client().open(path, method=method, data=body.encode(),
                                      headers={**bearer(key), "Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.get_data(as_text=True)  # each API's own status for a bad body
    assert response.mimetype == "application/problem+json"
    assert "surrogate" in response.json["detail"], response.json


def test_a_proper_surrogate_pair_is_text_and_accepted(app):
    key = make_key(app, "shares:write")
    body = json.dumps({"case_reference": "SAR-1", "recipient_name": "Zoë \\ud83d\\ude00",
                       "recipient_email": "a@example.com"}).replace("\\\\", "\\")
    response = app.test_client().post("/api/v1/shares", data=body.encode(),
                                      headers={**bearer(key), "Content-Type": "application/json"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["recipient_name"] == "Zoë 😀"


@pytest.mark.parametrize("query", [
    "_method=FOO", "_external=1", "_scheme=javascript", "_anchor=top", "form_id=foi", "page_id=x", "change=1&_method=",
])
def test_reserved_query_parameters_never_break_the_redirect_after_a_file_is_removed(client, query):
    """The upload page redirects to itself after a file is added or removed; its query parameters used to go
    into url_for whole, where _method, _scheme or form_id raised (a 500)."""
    fill(client, "sar", upto="identity")
    response = post(client, f"/request/sar/identity?{query}", {"action": "remove:none"},
                    page_url="/request/sar/identity")
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert location.startswith("/request/sar/identity") and "#" not in location and "_" not in location.split("?")[-1]
    assert ("change=1" in location) == ("change=1" in query)


@pytest.mark.parametrize(("method", "path", "scope"), [
    ("PUT", "/api/v1/disclosures/FOI-2026-0001", "disclosures:write"),
    ("DELETE", "/api/v1/disclosures/FOI-2026-0001", "disclosures:write"),
    ("POST", "/api/v1/shares", "shares:write"),
    ("POST", "/api/v1/submissions/ENQ-1/ack", "submissions:ack"),
])
@pytest.mark.parametrize("depth", [990, 2000, 100_000])
def test_json_nested_too_deeply_is_refused_not_a_crash(app, method, path, scope, depth):
    """Python's json parser recurses: a few thousand nested arrays were a RecursionError, so a 500."""
    key = make_key(app, scope)
    response = app.test_client().open(path, method=method, data="[" * depth + "]" * depth,
                                      headers={**bearer(key), "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


def test_a_new_code_before_the_email_address_is_answered_goes_back_to_the_questions(client):
    """Asking for a new security code on a draft with no email address yet was a KeyError (a 500)."""
    response = post(client, "/request/complaint/confirm-email/new-code", {}, page_url="/request/complaint/stage")
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == "/request/complaint/check-answers"
