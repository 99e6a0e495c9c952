"""The back office's Secure Share API: create, add documents, send, resend, revoke, extend, audit trail."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest

from portal.dates import govuk_datetime
from secure_share import audit, service
from secure_share.models import Share
from tests.share_api_helpers import EICAR, NEW_SHARE, PDF, ShareApi, links_in, token_of
from tests.unit.test_api_keys import bearer, make_key

UTC = dt.timezone.utc


@pytest.fixture(autouse=True)
def _no_rate_limits():
    from portal.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


@pytest.fixture
def api(app) -> ShareApi:
    return ShareApi(app)


def is_problem(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/problem+json"
    return response.json


def resolve(app, token: str) -> Share:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return service.resolve(session, app.config["PORTAL_SETTINGS"], token,
                               app.extensions["portal.services"].clock.now())


def event_names(api, share_id: str) -> list[str]:
    return [e["event"] for e in api.call("GET", f"/shares/{share_id}/events").json["events"]]


# Every route, for the checks that apply to all of them ------------------------------------

ROUTES = [
    ("POST", "/shares"), ("GET", "/shares/{id}"), ("POST", "/shares/{id}/documents"),
    ("DELETE", "/shares/{id}/documents/abc"), ("POST", "/shares/{id}/send"), ("POST", "/shares/{id}/resend"),
    ("POST", "/shares/{id}/revoke"), ("POST", "/shares/{id}/extend"), ("GET", "/shares/{id}/events"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_needs_a_key_with_the_shares_scope(app, method, path):
    client = app.test_client()
    url = "/api/v1" + path.format(id="0" * 24)
    assert is_problem(client.open(url, method=method), 401)["title"] == "Unauthorised"
    wrong = make_key(app, "submissions:read", "disclosures:write")
    refused = is_problem(client.open(url, method=method, headers=bearer(wrong)), 403)
    assert "shares:write" in refused["detail"]


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if "{id}" in r[1]])
@pytest.mark.parametrize("share_id", ["0" * 24, "x" * 33, "abc%00def", "%E2%80%AE", "..%2F..%2Fetc"])
def test_an_unknown_share_is_404(api, method, path, share_id):
    kwargs = {"json": {"expires_in_days": 5}} if path.endswith("extend") else {}
    found = is_problem(api.call(method, path.format(id=share_id), **kwargs), 404)
    assert found["detail"] in ("There is no share with that id.", "There is no such API endpoint.")


# Create -----------------------------------------------------------------------------------

def test_create_makes_a_draft_expiring_in_the_default_30_days(api, clock):
    response = api.call("POST", "/shares", json=NEW_SHARE)
    assert response.status_code == 201
    share = response.json
    assert response.headers["Location"] == f"/api/v1/shares/{share['id']}"
    assert share["status"] == "draft" and share["documents"] == [] and "link" not in share
    assert share["expires_at"] == "2026-07-01T09:00:00Z" and share["created_at"] == "2026-06-01T09:00:00Z"
    assert (share["case_reference"], share["recipient_email"]) == ("SAR-2026-0042", "jane.citizen@example.com")
    assert api.call("GET", f"/shares/{share['id']}").json == share
    assert event_names(api, share["id"]) == ["created"]


def test_create_with_an_exact_expiry_keeps_it_to_the_minute(api):
    share = api.create(expires_at="2026-06-25T18:00:45+01:00")
    assert share["expires_at"] == "2026-06-25T17:00:00Z"


@pytest.mark.parametrize(("change", "field"), [
    ({"case_reference": None}, "case_reference"),
    ({"case_reference": "  "}, "case_reference"),
    ({"case_reference": ["SAR-1"]}, "case_reference"),
    ({"case_reference": "X" * 61}, "case_reference"),
    ({"recipient_name": ""}, "recipient_name"),
    ({"recipient_name": "Jane\x00Citizen"}, "recipient_name"),
    ({"recipient_email": "jane.citizen"}, "recipient_email"),
    ({"recipient_email": "jane@example.com\r\nBcc: x@example.com"}, "recipient_email"),
    ({"recipient_email": 42}, "recipient_email"),
    ({"expires_in_days": 0}, "expires_in_days"),
    ({"expires_in_days": 91}, "expires_in_days"),
    ({"expires_in_days": "30"}, "expires_in_days"),
    ({"expires_in_days": 30.5}, "expires_in_days"),
    ({"expires_in_days": True}, "expires_in_days"),
    ({"expires_in_days": 10**30}, "expires_in_days"),
    ({"expires_in_days": -10**30}, "expires_in_days"),
    ({"expires_at": "2026-05-31T09:00:00Z"}, "expires_at"),
    ({"expires_at": "2026-09-01T09:00:00Z"}, "expires_at"),
    ({"expires_at": "9999-12-31T23:59:59-12:00"}, "expires_at"),
    ({"expires_at": "2026-06-25T18:00:00"}, "expires_at"),
    ({"expires_at": "next Tuesday"}, "expires_at"),
    ({"expires_at": 1782406800}, "expires_at"),
    ({"webhook_url": "http://case-system.example/hooks"}, "webhook_url"),
    ({"message": "M" * 2001}, "message"),
])
def test_create_refuses_invalid_fields_with_422_naming_the_field(api, change, field):
    problem = is_problem(api.call("POST", "/shares", json={**NEW_SHARE, **change}), 422)
    assert problem["field"] == field and problem["title"] == "Invalid request" and problem["detail"]


def test_the_maximum_expiry_is_allowed_and_one_day_more_is_not(api):
    assert api.create(expires_in_days=90)["expires_at"] == "2026-08-30T09:00:00Z"
    beyond = is_problem(api.call("POST", "/shares", json={**NEW_SHARE, "expires_at": "2026-08-31T09:00:00Z"}), 422)
    assert "at most 90 days" in beyond["detail"]


@pytest.mark.parametrize("expires_at", ["2026-06-01T09:00:30Z", "2026-06-01T09:00:59Z", "2026-06-01T09:59:59Z",
                                        "2026-06-01T10:59:59+01:00"])
def test_an_expiry_less_than_an_hour_ahead_is_422_on_create_and_extend(api, expires_at):
    """A share that expires before its email can be read is no share: revoke is for stopping one at once."""
    problem = is_problem(api.call("POST", "/shares", json={**NEW_SHARE, "expires_at": expires_at}), 422)
    assert (problem["field"], problem["detail"]) == ("expires_at", "the expiry must be at least 1 hour from now")
    share = api.create()
    problem = is_problem(api.call("POST", f"/shares/{share['id']}/extend", json={"expires_at": expires_at}), 422)
    assert (problem["field"], problem["detail"]) == ("expires_at", "the expiry must be at least 1 hour from now")
    assert api.call("GET", f"/shares/{share['id']}").json["expires_at"] == "2026-07-01T09:00:00Z"


def test_an_expiry_exactly_an_hour_ahead_is_allowed(api):
    assert api.create(expires_at="2026-06-01T10:00:00Z")["expires_at"] == "2026-06-01T10:00:00Z"


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'"text"', b"{", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400(api, body):
    problem = is_problem(api.call("POST", "/shares", data=body, headers={"Content-Type": "application/json"}), 400)
    assert "JSON object" in problem["detail"]


def test_a_huge_json_body_is_refused_before_it_is_parsed(api):
    body = json.dumps({**NEW_SHARE, "message": "x" * 100_000})
    is_problem(api.call("POST", "/shares", data=body, headers={"Content-Type": "application/json"}), 413)


# Documents --------------------------------------------------------------------------------

def test_a_document_is_streamed_checked_and_stored(api, services):
    share = api.create()
    response = api.upload(share["id"], PDF, filename="John Smith SAR response letter.PDF",
                          query={"title": "Response letter"})
    assert response.status_code == 201, response.json
    document = response.json
    assert (document["title"], document["filename"], document["content_type"], document["size"]) == (
        "Response letter", "John Smith SAR response letter.PDF", "application/pdf", len(PDF))
    assert [d["id"] for d in document["share"]["documents"]] == [document["id"]]
    assert list(services.store.files.values()) == [PDF]
    assert event_names(api, share["id"]) == ["created", "document added"]


def test_the_filename_can_come_from_content_disposition_and_is_cleaned(api):
    share = api.create()
    response = api.upload(share["id"], b"Case notes\n", filename=None, headers={
        "Content-Disposition": "attachment; filename*=UTF-8''..%2F..%2Fetc%2FZo%C3%AB%20notes%E2%80%AE.txt"})
    assert response.status_code == 201, response.json
    assert (response.json["filename"], response.json["title"]) == ("Zoë notes.txt", "Zoë notes")
    assert response.json["content_type"] == "text/plain; charset=utf-8"  # by content, not the request's type


def test_a_virus_is_refused_with_422_and_nothing_is_stored(api, services):
    services.scanner.verdict = "virus"
    share = api.create()
    problem = is_problem(api.upload(share["id"], EICAR, filename="eicar.txt"), 422)
    assert problem["detail"] == "The selected file contains a virus"
    assert services.store.files == {} and api.call("GET", f"/shares/{share['id']}").json["documents"] == []
    assert event_names(api, share["id"]) == ["created"]


def test_a_scanner_that_is_down_is_503_and_nothing_is_stored(api, services):
    services.scanner.verdict = "down"
    share = api.create()
    problem = is_problem(api.upload(share["id"]), 503)
    assert problem["detail"] == "The selected file could not be checked for viruses. Try again later"
    assert services.store.files == {}
    services.scanner.verdict = "clean"
    assert api.upload(share["id"]).status_code == 201  # the same request works once the scanner is back


def exe() -> bytes:
    return b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode"


def office_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


NOT_ACCEPTED = ("The file is not a type that is accepted, or it is damaged. Accepted: CSV, DOC, DOCX, EML, HEIC, JPG, "
                "MP3, MP4, MSG, ODT, PDF, PNG, TIFF, TXT, XLS, XLSX, ZIP")


@pytest.mark.parametrize(("data", "reason", "detail"), [
    (b"", "empty", "The selected file is empty"),
    (exe(), "unsupported_type", NOT_ACCEPTED),
    (office_zip(), "extension_mismatch", "The file is named report.pdf but it is a ZIP archive, not .pdf. Give it a "
                                         "name ending .zip, or upload the right file"),
    (b"\x00\x01binary", "unsupported_type", NOT_ACCEPTED),
])
def test_an_unacceptable_document_is_422_with_the_reason(api, services, data, reason, detail):
    share = api.create()
    problem = is_problem(api.upload(share["id"], data, filename="report.pdf"), 422)
    assert (problem["reason"], problem["detail"]) == (reason, detail)
    assert services.store.files == {}


@pytest.mark.parametrize("title", ["T" * 201, "Letter\x07"])
def test_a_bad_title_is_422_before_anything_is_stored(api, services, title):
    share = api.create()
    assert is_problem(api.upload(share["id"], query={"title": title}), 422)["field"] == "title"
    assert services.store.files == {}


def test_a_document_needs_a_filename(api):
    share = api.create()
    problem = is_problem(api.upload(share["id"], PDF, filename=None), 422)
    assert problem["field"] == "filename" and "filename query parameter" in problem["detail"]


def test_a_form_upload_is_415_saying_what_to_send(api, services):
    share = api.create()
    response = api.call("POST", f"/shares/{share['id']}/documents",
                        data={"file": (io.BytesIO(PDF), "letter.pdf")}, content_type="multipart/form-data")
    assert "not a form" in is_problem(response, 415)["detail"]
    assert services.store.files == {}


@pytest.fixture
def small_limit_api(tmp_path, services):
    """share_max_document of 1 KiB: the size rules without big bodies."""
    from tests.conftest import migrated_app

    application = migrated_app(tmp_path, services, share_max_document=1024)
    yield ShareApi(application)
    application.extensions["portal.db"].dispose()


def test_a_document_over_the_limit_is_413_and_not_stored(small_limit_api, services):
    api = small_limit_api
    share = api.create()
    problem = is_problem(api.upload(share["id"], PDF + b"%" * 1024), 413)
    assert problem["detail"] == "The selected file must be smaller than 1KB"
    assert api.upload(share["id"], PDF + b"%" * (1024 - len(PDF))).status_code == 201  # exactly the limit
    assert len(services.store.files) == 1


def test_a_chunked_document_over_the_limit_is_413_and_not_stored(small_limit_api, services):
    api = small_limit_api
    share = api.create()
    response = api.call("POST", f"/shares/{share['id']}/documents", query_string={"filename": "a.pdf"},
                        input_stream=io.BytesIO(PDF + b"%" * 5000),
                        environ_overrides={"wsgi.input_terminated": True},
                        headers={"Transfer-Encoding": "chunked"})
    assert is_problem(response, 413)["detail"] == "The selected file must be smaller than 1KB"
    assert services.store.files == {}


def test_the_app_wide_form_limit_does_not_apply_to_documents(tmp_path, services):
    from tests.conftest import migrated_app

    application = migrated_app(tmp_path, services, max_content_length=1024)
    api = ShareApi(application)
    share = api.create()
    assert api.upload(share["id"], PDF + b"%" * 50_000).status_code == 201
    application.extensions["portal.db"].dispose()


def test_removing_a_document_deletes_its_file(api, services):
    share = api.ready()
    document_id = share["documents"][0]["id"]
    response = api.call("DELETE", f"/shares/{share['id']}/documents/{document_id}")
    assert response.status_code == 200 and response.json["documents"] == []
    assert services.store.files == {}
    again = is_problem(api.call("DELETE", f"/shares/{share['id']}/documents/{document_id}"), 404)
    assert again["detail"] == "There is no such document in this share."
    assert event_names(api, share["id"])[-1] == "document removed"


def test_another_shares_document_cannot_be_removed(api, services):
    mine, theirs = api.ready(), api.ready()
    document_id = theirs["documents"][0]["id"]
    is_problem(api.call("DELETE", f"/shares/{mine['id']}/documents/{document_id}"), 404)
    assert len(services.store.files) == 2


# Send, resend, revoke, extend --------------------------------------------------------------

def test_send_emails_the_requester_a_clear_message_with_the_link(api, services, settings):
    share = api.ready()
    response = api.call("POST", f"/shares/{share['id']}/send")
    assert response.status_code == 200
    assert response.json["status"] == "sent" and response.json["sent_at"] == "2026-06-01T09:00:00Z"
    assert "link" not in response.json  # the link goes only to the requester's inbox
    [email] = services.mailer.sent
    assert email.to == "jane.citizen@example.com" and email.reference == "SAR-2026-0042"
    assert email.subject == "Your documents from Example Council: reference SAR-2026-0042"
    lines = email.body.splitlines()
    [link] = links_in(services.mailer)
    assert link in lines  # on a line of its own
    assert link.startswith(settings.base_url + "/documents/")
    for text in ("Dear Jane Citizen,", "Example Council has sent you documents about your case, reference "
                 "SAR-2026-0042.", "Here is your response.",
                 "You can use the link until 1 July 2026 at 10:00am.",
                 "We'll send the code to this email address (jane.citizen@example.com)",
                 "contact Example Council at information.requests@example.gov.uk and quote your reference "
                 "SAR-2026-0042"):
        assert text in email.body, text
    assert resolve(api.app, token_of(link)).id == share["id"]
    assert event_names(api, share["id"])[-1] == "sent"


def test_sending_with_no_documents_is_409(api, services):
    share = api.create()
    problem = is_problem(api.call("POST", f"/shares/{share['id']}/send"), 409)
    assert problem["detail"] == "add at least one document before sending"
    assert services.mailer.sent == []


def test_sending_twice_is_409_pointing_to_resend(api, services):
    share = api.sent()
    assert "use resend" in is_problem(api.call("POST", f"/shares/{share['id']}/send"), 409)["detail"]
    assert len(services.mailer.sent) == 1


def test_resend_gives_a_fresh_link_and_the_old_one_dies(api, services):
    share = api.sent()
    response = api.call("POST", f"/shares/{share['id']}/resend")
    assert response.status_code == 200 and response.json["status"] == "sent"
    old, new = links_in(services.mailer)
    assert old != new
    assert "The link we sent you before no longer works." in services.mailer.sent[-1].body
    with pytest.raises(service.LinkInvalid):
        resolve(api.app, token_of(old))
    assert resolve(api.app, token_of(new)).id == share["id"]
    assert event_names(api, share["id"])[-1] == "resent"


def test_resend_before_send_is_409(api):
    share = api.ready()
    assert "only a share that has been sent" in is_problem(api.call("POST", f"/shares/{share['id']}/resend"), 409)[
        "detail"]


def test_revoke_closes_the_link_at_once_and_blocks_sending_and_changes(api, services):
    share = api.sent()
    [link] = links_in(services.mailer)
    response = api.call("POST", f"/shares/{share['id']}/revoke")
    assert response.status_code == 200 and response.json["status"] == "revoked"
    assert response.json["closed_at"] == "2026-06-01T09:00:00Z"
    with pytest.raises(service.ShareClosed):
        resolve(api.app, token_of(link))
    for path in ("send", "resend"):
        assert is_problem(api.call("POST", f"/shares/{share['id']}/{path}"), 409)["detail"] == "the share is revoked"
    is_problem(api.upload(share["id"]), 409)
    is_problem(api.call("POST", f"/shares/{share['id']}/extend", json={"expires_in_days": 10}), 409)
    assert api.call("POST", f"/shares/{share['id']}/revoke").status_code == 200  # idempotent
    assert len(services.mailer.sent) == 1


def test_revoking_a_draft_then_sending_is_409(api, services):
    share = api.ready()
    api.call("POST", f"/shares/{share['id']}/revoke")
    is_problem(api.call("POST", f"/shares/{share['id']}/send"), 409)
    assert services.mailer.sent == []


def test_extend_moves_the_expiry_and_rejects_bad_values(api, services):
    share = api.sent()
    response = api.call("POST", f"/shares/{share['id']}/extend", json={"expires_in_days": 60})
    assert response.status_code == 200 and response.json["expires_at"] == "2026-07-31T09:00:00Z"
    exact = api.call("POST", f"/shares/{share['id']}/extend", json={"expires_at": "2026-08-01T12:30:00+01:00"})
    assert exact.json["expires_at"] == "2026-08-01T11:30:00Z"
    assert is_problem(api.call("POST", f"/shares/{share['id']}/extend", json={}), 422)["field"] == "expires_in_days"
    is_problem(api.call("POST", f"/shares/{share['id']}/extend", json={"expires_in_days": 91}), 422)
    is_problem(api.call("POST", f"/shares/{share['id']}/extend", data=b"30"), 400)
    expiry_events = [e for e in api.call("GET", f"/shares/{share['id']}/events").json["events"]
                     if e["event"] == "expiry changed"]
    assert [e["detail"]["new"] for e in expiry_events] == ["2026-07-31T09:00:00+00:00", "2026-08-01T11:30:00+00:00"]


def test_a_share_past_its_expiry_shows_expired_to_the_minute(api, clock):
    share = api.sent(expires_at="2026-06-02T12:00:00+01:00")
    clock.current = dt.datetime(2026, 6, 2, 10, 59, 59, tzinfo=UTC)
    assert api.call("GET", f"/shares/{share['id']}").json["status"] == "sent"
    clock.current = dt.datetime(2026, 6, 2, 11, 0, tzinfo=UTC)
    expired = api.call("GET", f"/shares/{share['id']}").json
    assert expired["status"] == "expired" and expired["closed_at"] == "2026-06-02T11:00:00Z"
    assert is_problem(api.call("POST", f"/shares/{share['id']}/resend"), 409)["detail"] == "the share is expired"


def test_an_unsent_draft_past_its_expiry_cannot_be_sent(api, clock, services):
    share = api.ready(expires_in_days=1)
    clock.advance(days=1)
    assert is_problem(api.call("POST", f"/shares/{share['id']}/send"), 409)["detail"] == "the share is expired"
    assert services.mailer.sent == []


# The audit trail ----------------------------------------------------------------------------

def test_events_list_the_whole_trail_oldest_first(api, services, clock):
    share = api.sent()
    clock.advance(minutes=5)
    with api.app.app_context(), api.app.extensions["portal.db"].sessionmaker() as session:
        row = session.get(Share, share["id"])
        audit.download_ended(session, row, clock.now(), "Safari on an iPhone", row.documents[0], sent=len(PDF),
                             length=len(PDF), reason=None, address="a" * 64)
        session.commit()
    clock.advance(minutes=5)
    api.call("POST", f"/shares/{share['id']}/revoke")
    response = api.call("GET", f"/shares/{share['id']}/events")
    assert response.status_code == 200 and response.json["share_id"] == share["id"]
    events = response.json["events"]
    assert [(e["event"], e["actor"]) for e in events] == [
        ("created", "case system"), ("document added", "case system"), ("sent", "case system"),
        ("download completed", "requester"), ("revoked", "case system")]
    download = events[3]
    assert download == {"at": "2026-06-01T09:05:00Z", "event": "download completed", "actor": "requester",
                        "document_id": share["documents"][0]["id"], "device": "Safari on an iPhone",
                        "address_hash": "a" * 64, "detail": {"bytes": len(PDF)}}
    assert api.call("GET", f"/shares/{share['id']}").json["first_downloaded_at"] == "2026-06-01T09:05:00Z"


def test_the_email_shows_the_expiry_in_london_time_in_winter(api, services, clock):
    clock.current = dt.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    share = api.sent(expires_in_days=30)
    expiry = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    assert govuk_datetime(expiry) == "2 December 2026 at 9:00am"
    assert "You can use the link until 2 December 2026 at 9:00am." in services.mailer.sent[-1].body
    assert share["expires_at"] == "2026-12-02T09:00:00Z"


def test_the_api_is_rate_limited_per_key(app):
    from portal.security import limiter

    limiter.enabled = True
    limiter.reset()
    first, second = ShareApi(app), ShareApi(app)
    statuses = [first.call("GET", "/shares/" + "0" * 24).status_code for _ in range(301)]
    assert statuses[:300] == [404] * 300 and statuses[300] == 429
    assert second.call("GET", "/shares/" + "0" * 24).status_code == 404  # another key has its own allowance


def test_the_back_office_flow_on_sqlite_and_postgresql(db_app, services, clock):
    from secure_share import jobs

    api = ShareApi(db_app)
    share = api.sent()
    assert is_problem(api.call("GET", "/shares/abc%00def"), 404)
    api.call("POST", f"/shares/{share['id']}/resend")
    assert api.upload(share["id"], b"More notes\n", filename="notes.txt").status_code == 201
    api.call("POST", f"/shares/{share['id']}/revoke")
    with db_app.app_context():
        assert jobs.expire_shares.call_local()["files_deleted"] == [share["id"]]
    assert services.store.files == {}
    assert event_names(api, share["id"]) == ["created", "document added", "sent", "resent", "document added",
                                             "revoked", "files deleted"]


def test_a_share_revoked_while_its_document_is_scanned_keeps_no_file(api, app, services, clock):
    share = api.create()
    scan = services.scanner.scan

    def scan_while_revoked(stream):
        with app.extensions["portal.db"].sessionmaker() as other:
            service.revoke(other, other.get(Share, share["id"]), clock.now())
            other.commit()
        return scan(stream)

    services.scanner.scan = scan_while_revoked
    assert is_problem(api.upload(share["id"]), 409)["detail"] == "the share is revoked"
    assert services.store.files == {}
    assert "document added" not in event_names(api, share["id"])


def test_responses_match_the_openapi_schemas(api, services, clock):
    import jsonschema

    from portal.api import openapi_document

    document = openapi_document()

    def check(instance, schema):
        jsonschema.validate(instance, {**schema, "components": document["components"]},
                            cls=jsonschema.Draft202012Validator)

    operation = document["paths"]["/shares/{share_id}/documents"]["post"]
    created = api.create(webhook_url="https://case-system.example/hooks")
    check(created, {"$ref": "#/components/schemas/Share"})
    upload = api.upload(created["id"])
    check(upload.json, operation["responses"]["201"]["content"]["application/json"]["schema"])
    sent = api.call("POST", f"/shares/{created['id']}/send").json
    check(sent, {"$ref": "#/components/schemas/Share"})
    events = api.call("GET", f"/shares/{created['id']}/events").json
    check(events, document["paths"]["/shares/{share_id}/events"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"])
    problem = api.call("POST", "/shares", json={**NEW_SHARE, "recipient_email": "x"}).json
    check(problem, {"$ref": "#/components/schemas/Problem"})
    check({"expires_in_days": 5}, {"$ref": "#/components/schemas/Expiry"})
    check(NEW_SHARE, {"$ref": "#/components/schemas/CreateShare"})
