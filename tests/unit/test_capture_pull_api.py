"""The pull API: a case system that polls lists pending submissions, fetches files and acknowledges."""
import datetime as dt
import io

import pytest
from sqlalchemy import select

from capture import delivery
from capture.models import Submission
from portal.adapters.case_system_pull import PullOnlyCaseSystem
from tests.pages import PageClient
from tests.capture_helpers import answer, code_from, fill, post, submit
from tests.unit.test_api_keys import bearer, make_key

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def pulling(app, services):
    from portal.security import limiter

    services.case_system = PullOnlyCaseSystem()
    limiter.enabled = False
    yield app
    limiter.enabled = True


def submit_with_file(client, services):
    fill(client, "sar", upto="identity")
    post(client, "/request/sar/identity", {"action": "upload", "identity": (io.BytesIO(PDF), "id.pdf")},
         content_type="multipart/form-data")
    answer(client, "sar", "identity", {"action": "continue"})
    post(client, "/request/sar/check-answers", {})
    post(client, "/request/sar/confirm-email", {"code": code_from(services.mailer)})


def test_paging_through_pending_then_acknowledging(pulling, client, services):
    for _ in range(5):
        client.raw.delete_cookie(client.app.config["SESSION_COOKIE_NAME"])
        submit(client, "enquiry", services.mailer)
        services.clock.advance(minutes=1)
    key = make_key(pulling, "submissions:read", "submissions:ack")
    api = pulling.test_client()
    seen, after = [], 0
    while after is not None:
        page = api.get(f"/api/v1/submissions?status=pending&limit=2&after={after}", headers=bearer(key)).json
        assert len(page["items"]) <= 2
        seen += [item["reference"] for item in page["items"]]
        after = page["next_after"]
    assert len(seen) == 5 and len(set(seen)) == 5
    first = seen[0]
    acked = api.post(f"/api/v1/submissions/{first}/ack", json={"case_id": "CMS-42"}, headers=bearer(key))
    assert acked.status_code == 200 and acked.json["status"] == "acknowledged" and acked.json["case_id"] == "CMS-42"
    again = api.post(f"/api/v1/submissions/{first}/ack", headers=bearer(key))  # idempotent
    assert again.status_code == 200 and again.json["case_id"] == "CMS-42"
    pending = api.get("/api/v1/submissions?limit=200", headers=bearer(key)).json["items"]
    assert first not in [item["reference"] for item in pending] and len(pending) == 4
    shown = pulling.test_cli_runner().invoke(args=["capture", "show", first]).output
    assert "case id CMS-42" in shown


def test_wrong_scope_is_refused(pulling, client, services):
    submit(client, "enquiry", services.mailer)
    reader, acker = make_key(pulling, "submissions:read"), make_key(pulling, "submissions:ack", name="acker")
    api = pulling.test_client()
    assert api.get("/api/v1/submissions", headers=bearer(acker)).status_code == 403
    reference = api.get("/api/v1/submissions", headers=bearer(reader)).json["items"][0]["reference"]
    assert api.post(f"/api/v1/submissions/{reference}/ack", headers=bearer(reader)).status_code == 403
    assert api.get("/api/v1/submissions").status_code == 401


@pytest.mark.parametrize("query", ["status=lost", "limit=ten", "after=-x", "limit=0", "limit=201", "limit=-5"])
def test_bad_queries_are_problems_not_crashes(pulling, query):
    key = make_key(pulling, "submissions:read")
    response = pulling.test_client().get(f"/api/v1/submissions?{query}", headers=bearer(key))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("body", [b"[1,2]", b'{"case_id": {"x": 1}}', b'{"case_id": "' + b"x" * 101 + b'"}'])
def test_bad_ack_bodies_are_problems(pulling, client, services, body):
    submit(client, "enquiry", services.mailer)
    key = make_key(pulling, "submissions:read", "submissions:ack")
    api = pulling.test_client()
    reference = api.get("/api/v1/submissions", headers=bearer(key)).json["items"][0]["reference"]
    response = api.post(f"/api/v1/submissions/{reference}/ack", data=body, headers=bearer(key),
                        content_type="application/json")
    assert response.status_code == 400


def test_ack_of_unknown_reference_is_404(pulling):
    key = make_key(pulling, "submissions:ack")
    assert pulling.test_client().post("/api/v1/submissions/ENQ-2026-2222-2/ack", headers=bearer(key)).status_code == 404


def test_file_through_the_signed_url_then_erased_after_retention(pulling, client, services):
    submit_with_file(client, services)
    key = make_key(pulling, "submissions:read", "submissions:ack")
    api = pulling.test_client()
    item = api.get("/api/v1/submissions", headers=bearer(key)).json["items"][0]
    url = item["payload"]["attachments"][0]["url"]
    path = url.split("127.0.0.1:5000", 1)[1]
    with api.get(path) as response:  # no API key: the signature is the access check
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
    assert api.get(path[:-3] + "AAA").status_code == 403
    api.post(f"/api/v1/submissions/{item['reference']}/ack", headers=bearer(key))
    settings = pulling.config["PORTAL_SETTINGS"]
    with pulling.app_context(), pulling.extensions["portal.db"].sessionmaker() as session:
        assert delivery.erase_personal_data(session, services.store, services.clock.now(), dt.timedelta(days=30)) == []
        services.clock.advance(days=settings.retention_days, minutes=1)
        assert delivery.erase_personal_data(session, services.store, services.clock.now(),
                                            dt.timedelta(days=settings.retention_days)) == [item["reference"]]
        session.commit()
        erased = session.scalars(select(Submission)).one()
    assert erased.answers == {} and "requester" not in erased.payload and erased.personal_data_deleted_at
    assert services.store.files == {}
    assert api.get(path).status_code == 410


def test_pending_submissions_are_never_erased(pulling, client, services):
    submit(client, "enquiry", services.mailer)
    services.clock.advance(days=400)
    with pulling.app_context(), pulling.extensions["portal.db"].sessionmaker() as session:
        assert delivery.erase_personal_data(session, services.store, services.clock.now(), dt.timedelta(days=30)) == []


def test_only_one_worker_wins_the_lease(db_app, services):
    from portal.security import limiter

    services.case_system = PullOnlyCaseSystem()
    limiter.enabled = False
    try:
        submit(PageClient(db_app), "enquiry", services.mailer)
    finally:
        limiter.enabled = True
    db = db_app.extensions["portal.db"]
    now = services.clock.now()
    with db.sessionmaker() as one, db.sessionmaker() as two:
        submission_id = one.scalars(select(Submission.id)).one()
        assert delivery.claim(one, submission_id, now, "worker-a") is True
        one.commit()
        assert delivery.claim(two, submission_id, now, "worker-b") is False
        two.commit()
        later = now + delivery.LEASE + dt.timedelta(seconds=1)  # a crashed worker's lease runs out
        assert delivery.claim(two, submission_id, later, "worker-b") is True



@pytest.fixture
def welsh_pulling(tmp_path, services):
    """A body whose portal opens in Welsh (DEFAULT_LANGUAGE=cy), pulled by its case system."""
    from portal.security import limiter
    from tests.conftest import app_on_migrated_database, make_settings

    services.case_system = PullOnlyCaseSystem()
    application = app_on_migrated_database(make_settings(tmp_path, default_language="cy"), services)
    limiter.enabled = False
    yield application
    limiter.enabled = True
    application.extensions["portal.db"].dispose()


def test_a_welsh_request_pulled_is_english_with_what_the_requester_saw(welsh_pulling, services):
    """An English-only case team reads a Welsh request: labels and options in English, the Welsh beside them."""
    submit(PageClient(welsh_pulling), "enquiry", services.mailer)
    key = make_key(welsh_pulling, "submissions:read")
    api = welsh_pulling.test_client()
    [item] = api.get("/api/v1/submissions?status=pending", headers=bearer(key)).json["items"]
    payload = item["payload"]
    assert payload["language"] == "cy"
    topic = next(a for a in payload["answers"] if a["question"] == "topic")
    assert (topic["label"], topic["answer"]) == ("Topic", "Parking and roads")
    assert topic["as_shown"] == {"language": "cy", "label": "Pwnc", "answer": "Parcio a ffyrdd"}
    question = next(a for a in payload["answers"] if a["question"] == "description")
    assert question["answer"] == question["as_shown"]["answer"] == "When do resident permits renew?"  # as typed
    assert payload["enquiry"]["topic"] == "parking"
