"""Secure Share's background work on an injected clock, its webhook events, and the operators' CLI."""
from __future__ import annotations

import datetime as dt
import re

import jsonschema
import pytest

from portal.api import openapi_document
from portal.exceptions import FileStoreError, WebhookFailed, WebhookRejected
from portal.jobs import huey
from secure_share import audit, jobs, service
from secure_share.models import Share
from tests.share_api_helpers import PDF, ShareApi, links_in, token_of

UTC = dt.timezone.utc


@pytest.fixture(autouse=True)
def _clean():
    from portal.security import limiter

    limiter.enabled = False
    huey.flush()
    yield
    huey.flush()
    limiter.enabled = True


@pytest.fixture
def api(app) -> ShareApi:
    return ShareApi(app)


def events(api, share_id: str) -> list[str]:
    return [e["event"] for e in api.call("GET", f"/shares/{share_id}/events").json["events"]]


def run(app, task):
    with app.app_context():
        return task.call_local()


def downloaded(app, share_id: str, clock) -> None:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        share = session.get(Share, share_id)
        document = share.documents[0]
        audit.download_ended(session, share, clock.now(), "Firefox on a Windows computer", document,
                             sent=document.size, length=document.size, reason=None)
        session.commit()


# Expiry and deletion -----------------------------------------------------------------------

def test_expiry_is_enforced_to_the_minute_and_the_files_are_deleted(api, app, clock, services):
    share = api.sent(expires_at="2026-06-10T18:30:00+01:00")
    assert len(services.store.files) == 1
    clock.current = dt.datetime(2026, 6, 10, 17, 29, 59, tzinfo=UTC)
    assert run(app, jobs.expire_shares) == {"expired": [], "files_deleted": []}
    assert services.store.files and api.call("GET", f"/shares/{share['id']}").json["status"] == "sent"

    clock.current = dt.datetime(2026, 6, 10, 17, 30, tzinfo=UTC)
    assert run(app, jobs.expire_shares) == {"expired": [share["id"]], "files_deleted": [share["id"]]}
    assert services.store.files == {}
    after = api.call("GET", f"/shares/{share['id']}").json
    assert (after["status"], after["closed_at"], after["files_deleted_at"]) == (
        "expired", "2026-06-10T17:30:00Z", "2026-06-10T17:30:00Z")
    assert events(api, share["id"])[-2:] == ["expired", "files deleted"]
    assert run(app, jobs.expire_shares) == {"expired": [], "files_deleted": []}  # once only
    [link] = links_in(services.mailer)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session, \
            pytest.raises(service.ShareClosed):
        service.resolve(session, app.config["PORTAL_SETTINGS"], token_of(link), clock.now())


def test_the_sweep_signs_out_a_session_left_idle_and_records_when(app, client, clock, services):
    from secure_share.models import ShareEvent, ShareSession
    from tests.share_helpers import make_share, sign_in

    made = make_share(app, services)
    sign_in(client, made, services.mailer)
    signed_in_at = clock.now()
    clock.advance(minutes=29)
    run(app, jobs.expire_shares)
    clock.advance(minutes=2)  # the browser was closed: nothing calls the timed-out page
    run(app, jobs.expire_shares)
    run(app, jobs.expire_shares)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        (row,) = session.query(ShareSession).filter_by(share_id=made.id).all()
        idle = [(e.at, e.actor) for e in session.query(ShareEvent).filter_by(share_id=made.id, kind="signed out: idle")]
    assert row.ended_at == signed_in_at + dt.timedelta(minutes=30)
    assert idle == [(signed_in_at + dt.timedelta(minutes=30), "system")]  # once, at the moment it timed out


def test_revoked_and_unsent_expired_shares_lose_their_files_too(api, app, clock, services):
    revoked, draft, live = api.sent(), api.ready(expires_in_days=2), api.sent()
    api.call("POST", f"/shares/{revoked['id']}/revoke")
    clock.advance(days=2)
    result = run(app, jobs.expire_shares)
    assert result["expired"] == [draft["id"]]
    assert sorted(result["files_deleted"]) == sorted([revoked["id"], draft["id"]])
    assert [key.split("/")[1] for key in services.store.files] == [live["id"]]
    assert events(api, draft["id"])[-2:] == ["expired", "files deleted"]


def test_a_storage_failure_is_retried_next_minute_without_stopping_the_rest(api, app, clock, services):
    first, second = api.sent(), api.sent()
    for share in (first, second):
        api.call("POST", f"/shares/{share['id']}/revoke")
    delete = services.store.delete

    def failing_delete(key):
        if key.startswith(f"shares/{first['id']}/"):
            raise FileStoreError()
        delete(key)

    services.store.delete = failing_delete
    assert run(app, jobs.expire_shares)["files_deleted"] == [second["id"]]
    assert api.call("GET", f"/shares/{first['id']}").json["files_deleted_at"] is None
    services.store.delete = delete
    clock.advance(minutes=1)
    assert run(app, jobs.expire_shares)["files_deleted"] == [first["id"]]
    assert services.store.files == {}


# Reminders ---------------------------------------------------------------------------------

def test_a_reminder_is_sent_once_a_few_days_before_expiry(api, app, clock, services):
    share = api.sent()  # expires 1 July 2026 at 10:00am
    clock.current = dt.datetime(2026, 6, 28, 8, 59, tzinfo=UTC)
    assert run(app, jobs.send_reminders) == []
    clock.current = dt.datetime(2026, 6, 28, 9, 0, tzinfo=UTC)
    assert run(app, jobs.send_reminders) == [share["id"]]
    reminder = services.mailer.sent[-1]
    assert reminder.to == "jane.citizen@example.com"
    assert reminder.subject == "Reminder: download your documents from Example Council by 1 July 2026 at 10:00am"
    assert "You have 3 days left to download them. The documents will be removed on 1 July 2026 at 10:00am." \
        in reminder.body
    first, reminded = links_in(services.mailer)
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        for link in (first, reminded):  # the reminder's link works and the first one still does
            assert service.resolve(session, app.config["PORTAL_SETTINGS"], token_of(link), clock.now()).id == share["id"]
    assert api.call("GET", f"/shares/{share['id']}").json["reminder_sent_at"] == "2026-06-28T09:00:00Z"
    assert events(api, share["id"])[-1] == "reminder sent"
    clock.advance(hours=1)
    assert run(app, jobs.send_reminders) == [] and len(services.mailer.sent) == 2


def test_no_reminder_after_a_download(api, app, clock, services):
    share = api.sent()
    clock.advance(days=3)
    downloaded(app, share["id"], clock)
    clock.current = dt.datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
    assert run(app, jobs.send_reminders) == [] and len(services.mailer.sent) == 1


def test_no_reminder_for_a_share_sent_inside_the_window_or_closed(api, app, clock, services):
    short = api.sent(expires_in_days=2)
    revoked = api.sent()
    api.call("POST", f"/shares/{revoked['id']}/revoke")
    clock.current = dt.datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
    assert run(app, jobs.send_reminders) == []
    assert short["id"] and len(services.mailer.sent) == 2


def test_extending_allows_another_reminder_before_the_new_expiry(api, app, clock, services):
    share = api.sent()
    clock.current = dt.datetime(2026, 6, 28, 9, 0, tzinfo=UTC)
    assert run(app, jobs.send_reminders) == [share["id"]]
    api.call("POST", f"/shares/{share['id']}/extend", json={"expires_in_days": 14})
    clock.current = dt.datetime(2026, 7, 9, 9, 0, tzinfo=UTC)
    assert run(app, jobs.send_reminders) == [share["id"]]
    assert "removed on 12 July 2026 at 10:00am" in services.mailer.sent[-1].body


# The webhook -------------------------------------------------------------------------------

def notify(app, share_id: str, event: str) -> None:
    with app.app_context():
        jobs.notify_case_system(share_id, event)


HOOK = "https://case-system.example/hooks/shares"


@pytest.mark.parametrize("event", ["downloaded", "first download"])
def test_the_first_download_is_sent_to_the_shares_webhook(api, app, clock, services, event):
    share = api.sent(webhook_url=HOOK)
    clock.advance(hours=2)
    notify(app, share["id"], event)
    [sent] = services.webhooks.sent
    assert (sent["url"], sent["event"]) == (HOOK, "downloaded")
    assert sent["idempotency_key"] == f"{share['id']}:downloaded"
    payload = sent["body"]
    schema = openapi_document()["components"]["schemas"]["ShareWebhookEvent"]
    jsonschema.validate(payload, schema, cls=jsonschema.Draft202012Validator)
    assert {k: payload[k] for k in ("event", "share_id", "case_reference", "occurred_at", "status")} == {
        "event": "downloaded", "share_id": share["id"], "case_reference": "SAR-2026-0042",
        "occurred_at": "2026-06-01T11:00:00Z", "status": "sent"}
    trail = api.call("GET", f"/shares/{share['id']}/events").json["events"]
    assert trail[-1]["event"] == "case system notified" and trail[-1]["detail"] == {"event": "downloaded",
                                                                                     "status": 204}


def test_the_settings_webhook_is_used_when_the_share_names_none(tmp_path, services):
    from tests.conftest import migrated_app

    application = migrated_app(tmp_path, services, share_webhook_url=HOOK)
    share = ShareApi(application).sent()
    notify(application, share["id"], "removed")
    assert [(sent["url"], sent["event"]) for sent in services.webhooks.sent] == [(HOOK, "removed")]
    application.extensions["portal.db"].dispose()


def test_a_failing_webhook_is_retried_with_backoff(api, app, services):
    share = api.sent(webhook_url=HOOK)
    services.webhooks.answer = WebhookFailed("answered 503")
    notify(app, share["id"], "downloaded")
    [retry] = huey.read_schedule(dt.datetime(9999, 1, 1))
    assert retry.retries == 11 and retry.retry_delay == 60
    services.webhooks.answer = 200
    with app.app_context():
        huey.execute(retry, timestamp=retry.eta)
    assert len(services.webhooks.sent) == 2 and events(api, share["id"])[-1] == "case system notified"


def test_a_refused_webhook_is_not_retried_and_is_recorded(api, app, services):
    share = api.sent(webhook_url=HOOK)
    services.webhooks.answer = WebhookRejected("answered 422")
    notify(app, share["id"], "removed")
    assert huey.scheduled() == [] and len(services.webhooks.sent) == 1
    trail = api.call("GET", f"/shares/{share['id']}/events").json["events"]
    assert trail[-1]["event"] == "case system refused notification" and "422" in trail[-1]["detail"]["reason"]


def test_no_webhook_means_no_request_and_unknown_events_are_a_programming_error(api, app, services):
    share = api.sent()
    notify(app, share["id"], "downloaded")
    assert services.webhooks.sent == [] and huey.scheduled() == []
    with pytest.raises(ValueError, match="unknown share event"):
        notify(app, share["id"], "opened")


# The operators' commands -------------------------------------------------------------------

def share_id_in(output: str) -> str:
    return re.search(r"\b([0-9a-f]{24})\b", output).group(1)


def test_the_share_commands_do_what_the_api_does(app, services, tmp_path):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["share", "create", "--case-reference", "SAR-2026-0099", "--name", "Ann Other",
                                  "--email", "ann@example.com", "--days", "10"])
    assert created.exit_code == 0, created.output
    share_id = share_id_in(created.output)
    assert "draft" in created.output and "11 June 2026 at 10:00am" in created.output
    letter = tmp_path / "Ann Other letter.pdf"
    letter.write_bytes(PDF)
    added = runner.invoke(args=["share", "add-document", share_id, str(letter), "--title", "Response letter"])
    assert added.exit_code == 0 and "Response letter (PDF" in added.output, added.output
    sent = runner.invoke(args=["share", "send", share_id])
    assert sent.exit_code == 0, sent.output
    link = sent.output.strip().splitlines()[-1]
    assert links_in(services.mailer) == [link]
    resent = runner.invoke(args=["share", "resend", share_id])
    assert resent.output.strip().splitlines()[-1] == links_in(services.mailer)[-1] != link
    extended = runner.invoke(args=["share", "extend", share_id, "--days", "20"])
    assert extended.exit_code == 0 and "21 June 2026" in extended.output
    listed = runner.invoke(args=["share", "list", "--status", "sent"])
    assert share_id in listed.output and "1 document(s)" in listed.output
    assert runner.invoke(args=["share", "revoke", share_id]).exit_code == 0
    trail = runner.invoke(args=["share", "events", share_id]).output
    assert [line.split("  ")[1] for line in trail.splitlines()] == [
        "created", "document added", "sent", "resent", "expiry changed", "revoked"]
    refused = runner.invoke(args=["share", "send", share_id])
    assert refused.exit_code != 0 and "the share is revoked" in refused.output
    assert "no shares" in runner.invoke(args=["share", "list", "--status", "draft"]).output


def test_commands_report_problems_without_a_traceback(app, services, tmp_path):
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["share", "create", "--case-reference", "X", "--name", "A", "--email", "nope"])
    assert bad.exit_code != 0 and "recipient_email must be an email address" in bad.output
    missing = runner.invoke(args=["share", "send", "0" * 24])
    assert missing.exit_code != 0 and "There is no share with that id." in missing.output
    share_id = share_id_in(runner.invoke(args=["share", "create", "--case-reference", "X", "--name", "A",
                                               "--email", "a@example.com"]).output)
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    refused = runner.invoke(args=["share", "add-document", share_id, str(program)])
    assert refused.exit_code != 0 and "The file is not a type that is accepted" in refused.output
    assert runner.invoke(args=["share", "extend", share_id]).exit_code != 0


def test_seed_demo_makes_one_demo_share_and_prints_its_link(app, services):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    [link] = links_in(services.mailer)
    assert f"  {link}" in first.output.splitlines()
    assert "sam.demo@example.com" in first.output and "outbox" in first.output
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        share = service.resolve(session, app.config["PORTAL_SETTINGS"], token_of(link), services.clock.now())
        assert [(d.kind, d.title) for d in service.live_documents(share)] == [
            ("PDF", "Sam Demo SAR response letter"), ("TXT", "Sam Demo case notes")]
        letter = b"".join(services.store.open(share.documents[0].store_key))
    assert letter.startswith(b"%PDF-1.4") and b"startxref" in letter
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and len(services.mailer.sent) == 1  # not made twice
    assert re.search(r"/documents/\S+", again.output)


def test_the_demo_letter_is_a_well_formed_pdf():
    from secure_share.cli import demo_letter_pdf

    pdf = demo_letter_pdf(["Dear (Sam) Demo,", "back\\slash"])
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref:].startswith(b"xref\n0 6\n")
    offsets = [int(line[:10]) for line in pdf[xref:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, 1):
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    assert b"(Dear \\(Sam\\) Demo,)" in pdf
