"""No request a user or client can send is a 500 (issue 12 item 8), as a property: for every route of the app
but static files, hypothesis sends query strings and form fields (text with control characters, bytes that are
not UTF-8 such as encoded surrogates, numbers too large for the database, url_for's reserved names like
_method, csrf_token), and to the API JSON bodies (any JSON, wrong types, huge numbers, lone surrogate escapes,
deep nesting), and every answer must be under 500.

Path parameters are real ones (a form and its pages, a published disclosure, a sent share's link) or arbitrary
text, so the handlers behind them are reached. CSRF is off in the app fuzzed (the portal calls csrf.protect()
itself, which ignores WTF_CSRF_ENABLED, so no method is checked) so the form handlers are reached too; rate
limits are off. Bounded and derandomized, so CI is repeatable; a failure names the request and its answer.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from limits import parse

from capture.definitions import load_all
from portal import api
from portal.app import create_app
from portal.security import limiter
from tests.conftest import make_settings
from tests.disclosure_helpers import DisclosureApi
from tests.share_helpers import make_share
from tests.unit.test_api_keys import bearer, make_key

EXAMPLES = 12  # per route and method: about a thousand requests in all
HUGE = ["9223372036854775808", "-9223372036854775809", "1" * 40, "1e309", "-0", "NaN", "Infinity"]
RESERVED = ["_method", "_external", "_scheme", "_anchor", "csrf_token", "form_id", "page_id", "token", "reference",
            "change", "manual", "action", "about", "q", "page", "sort", "after", "limit", "status", "filename",
            "code", "email", "website", "related-checked", "published_from", "published_to", "case_type", "per_page",
            "search"]
FORMS = load_all()
PAGE_IDS = sorted({page.id for form in FORMS.values() for page in form.pages})


def _routes() -> list[tuple[str, str]]:
    """(method, rule) for every route but static files, from an app that touches no database."""
    import tempfile

    app = create_app(make_settings(Path(tempfile.mkdtemp(prefix="portal-routes-"))))
    return sorted((method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                  for method in rule.methods - {"HEAD", "OPTIONS"})


ROUTES = _routes()
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")

text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)  # a surrogate cannot be UTF-8: see raw
raw = st.binary(max_size=24) | st.sampled_from([b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xff\xfe", b"\xc0\xaf", b"%00"])
ANSWERS = ["", "0", "1", "yes", "no", "continue", "save", "upload", "remove:x", "find", "self", "FOI", "GET", "FOO"]
value = text | raw | st.sampled_from(HUGE) | st.integers(-2**80, 2**80).map(str) | st.sampled_from(ANSWERS)
name = st.sampled_from(RESERVED) | text
fields = st.lists(st.tuples(name, value), max_size=6)

json_scalar = (st.none() | st.booleans() | st.integers(-2**80, 2**80) | st.floats() | st.text(max_size=30)
               | st.sampled_from(["\ud800", "\udfff", "x\ud83d"]))  # lone surrogates: json.dumps escapes them
json_value = st.recursive(json_scalar, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.sampled_from(["reason", "title", "case_id", "expires_in_days",
                                                             "expires_at", "recipient_email", "exemptions"])
                                            | st.text(max_size=10), inner, max_size=5), max_leaves=12)
deep = st.integers(1, 100_000).map(lambda depth: "[" * depth + "]" * depth)
json_body = json_value.map(json.dumps) | deep | st.sampled_from(["", "{", "null", '{"a": 1e999}', "[" * 50])


@pytest.fixture
def fuzzed(app, services, monkeypatch):
    """The app with CSRF and rate limits off, something to reach behind each path parameter, and a key."""
    app.config["WTF_CSRF_METHODS"] = []
    monkeypatch.setattr(limiter, "enabled", False)
    monkeypatch.setattr(api, "FAILED_AUTH_LIMIT", parse("1000000 per minute"))
    disclosures = DisclosureApi(app)
    published = disclosures.publish("FOI-2026-0001")
    share = make_share(app, services)
    real = {"form_id": sorted(FORMS), "page_id": PAGE_IDS, "reference": [published["reference"]],
            "token": [share.token], "share_id": [share.id], "document_id": share.documents,
            "filename": ["letter.pdf"], "name": ["disclosure-log.csv"], "part": ["0"], "attachment_id": ["1"]}
    return app, real, make_key(app, *api.SCOPES, name="fuzzer")


def _path(rule: str, real: dict, data) -> str:
    chosen: dict[str, str] = {}

    def fill(match):
        converter, argument = match.groups()
        known = real.get(argument, ["1" if converter == "int" else "x"])
        if argument == "page_id" and chosen.get("form_id") in FORMS:  # a page of the form chosen
            known = [page.id for page in FORMS[chosen["form_id"]].pages]
        other = st.integers(0, 2**70).map(str) if converter == "int" else text.filter(bool)
        chosen[argument] = data.draw(st.sampled_from(known) | other, label=argument)
        return quote(chosen[argument], safe="/" if converter == "path" else "")
    return PARAMETER.sub(fill, rule)


@pytest.mark.parametrize(("method", "rule"), ROUTES, ids=[f"{m} {r}" for m, r in ROUTES])
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_query_form_or_json_body_is_a_server_error(fuzzed, method, rule, data):
    app, real, key = fuzzed
    client = app.test_client()
    path = _path(rule, real, data)
    query = urlencode(data.draw(fields, label="query"))
    kwargs: dict = {}
    if rule.startswith("/api/"):
        kwargs["headers"] = bearer(key) if data.draw(st.booleans(), label="with a key") else {}
        if method != "GET":
            kwargs["data"] = data.draw(json_body, label="JSON body").encode("utf-8", "surrogatepass")
            kwargs["content_type"] = "application/json"
    elif method != "GET":
        if rule.startswith("/request/<form_id>"):  # a draft of the form, so its later pages are reached too
            form_id = path.split("/")[2]
            if form_id in FORMS:
                client.get(f"/request/{form_id}/{FORMS[form_id].pages[0].id}")
        kwargs["data"] = urlencode(data.draw(fields, label="form fields"))
        kwargs["content_type"] = "application/x-www-form-urlencoded"
    response = client.open(path, method=method, query_string=query, **kwargs)
    assert response.status_code < 500, (
        f"{method} {path}?{query} answered {response.status_code}\nsent: {kwargs}\n"
        f"{response.get_data(as_text=True)[:1000]}")
