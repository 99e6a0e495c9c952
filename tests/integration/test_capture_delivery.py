"""Delivery to a real HTTP case system: signed, retried with backoff for 72 hours, never duplicated."""
import datetime as dt
import json
import random
import socket
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from capture import delivery
from capture.models import Submission
from portal.adapters.case_system_http import HttpCaseSystem
from portal.jobs import worker_name
from portal.signing import sign, verify
from tests.capture_helpers import submit
from tests.conftest import TEST_SECRETS
from tests.support.case_system import running_case_system

pytestmark = pytest.mark.integration
SCHEMA = json.loads(Path("capture/schema/create_case.schema.json").read_text())


@pytest.fixture
def case_system():
    with running_case_system(TEST_SECRETS["CASE_SYSTEM_SECRET"]) as system:
        yield system


@pytest.fixture
def pushing(app, services, case_system):
    """The app delivering to the reference case system over HTTP."""
    from portal.security import limiter

    services.case_system = HttpCaseSystem(case_system.url, TEST_SECRETS["CASE_SYSTEM_SECRET"], timeout=1.0)
    limiter.enabled = False
    yield app
    limiter.enabled = True


def only_submission(app) -> Submission:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return session.scalars(select(Submission)).one()


def run_due(app, services):
    with app.app_context():
        return delivery.deliver_due(app.extensions["portal.db"], services, app.config["PORTAL_SETTINGS"], worker_name())


def test_submission_arrives_signed_with_its_reference_and_case_id_is_kept(pushing, client, services, case_system):
    submit(client, "foi", services.mailer)
    submission = only_submission(pushing)
    case = case_system.cases()[submission.reference]
    assert submission.delivery_status == "delivered" and submission.case_id == case["case_id"]
    assert case_system.store.bad_signatures == 0 and case_system.store.requests == 1
    jsonschema.validate(case["payload"], SCHEMA)
    assert case["payload"]["requester"]["name"] == "Zoë O'Brien"


def test_signature_helpers():
    body = b'{"reference":"FOI-2026-7K4M-X"}'
    signature = sign("secret", "1700000000", body)
    assert verify("secret", "1700000000", body, signature, now=1700000100)
    assert not verify("other", "1700000000", body, signature, now=1700000100)
    assert not verify("secret", "1700000000", body + b" ", signature, now=1700000100)
    assert not verify("secret", "1700000000", body, signature, now=1700000000 + 301)  # replayed late
    assert not verify("secret", "not-a-time", body, signature, now=1700000000)


def test_wrong_secret_is_refused_by_the_case_system_and_retried_not_parked(pushing, client, services, case_system):
    services.case_system = HttpCaseSystem(case_system.url, "the-wrong-secret", timeout=1.0)
    submit(client, "enquiry", services.mailer)
    submission = only_submission(pushing)
    assert case_system.store.bad_signatures == 1 and case_system.cases() == {}
    assert submission.delivery_status == "pending" and "401" in submission.last_error


@pytest.mark.parametrize("mode", ["500", "503", "timeout"])
def test_failures_are_retried_until_delivered_exactly_once(pushing, client, services, case_system, mode):
    case_system.fail(mode, times=3)
    submit(client, "compliment", services.mailer)
    for _ in range(10):
        submission = only_submission(pushing)
        if submission.delivery_status == "delivered":
            break
        assert submission.delivery_status == "pending"
        services.clock.current = submission.next_attempt_at
        run_due(pushing, services)
    submission = only_submission(pushing)
    assert submission.delivery_status == "delivered" and submission.delivery_attempts == 4
    assert list(case_system.cases()) == [submission.reference]


def test_lost_response_retry_is_harmless(pushing, client, services, case_system):
    submit(client, "compliment", services.mailer)
    first = only_submission(pushing)
    # The case system got it, but say our record of that was lost (a crash before the commit).
    with pushing.app_context(), pushing.extensions["portal.db"].sessionmaker() as session:
        row = session.get(Submission, first.id)
        row.delivery_status, row.next_attempt_at = "pending", services.clock.now()
        session.commit()
    case_system.fail("409", times=1)
    run_due(pushing, services)
    again = only_submission(pushing)
    assert again.delivery_status == "delivered" and again.case_id == first.case_id
    assert len(case_system.cases()) == 1 and case_system.store.duplicates == 1


def test_invalid_payload_is_parked_at_once_with_the_reason(pushing, client, services, case_system):
    case_system.fail("422", times=1)
    submit(client, "enquiry", services.mailer)
    submission = only_submission(pushing)
    assert submission.delivery_status == "failed"
    assert "422" in submission.last_error and "description is required" in submission.last_error
    readiness = client.get("/readyz").json["checks"]["case_system_delivery"]
    assert readiness["status"] == "warn" and "1 submission" in readiness["detail"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_case_system_is_retried_for_72_hours_then_parked(pushing, client, services, case_system):
    services.case_system = HttpCaseSystem(f"http://127.0.0.1:{free_port()}/cases", "x", timeout=0.5)
    submit(client, "enquiry", services.mailer)
    received = only_submission(pushing).received_at
    attempts = []
    while only_submission(pushing).delivery_status == "pending":
        submission = only_submission(pushing)
        attempts.append(submission.next_attempt_at)
        services.clock.current = submission.next_attempt_at
        run_due(pushing, services)
    parked = only_submission(pushing)
    assert parked.delivery_status == "failed" and "72 hours" in parked.last_error
    assert services.clock.now() - received >= dt.timedelta(hours=72)  # at least 72 hours of trying
    gaps = [b - a for a, b in zip(attempts, attempts[1:])]
    assert gaps[0] < gaps[5] and max(gaps) <= dt.timedelta(hours=1)  # backing off, but never idle for long
    # Hourly at most (72 tries) and half-hourly at least (144), plus the short early waits.
    assert 72 <= parked.delivery_attempts <= 160
    # An operator fixes the case system and redelivers: it arrives.
    services.case_system = HttpCaseSystem(case_system.url, TEST_SECRETS["CASE_SYSTEM_SECRET"], timeout=1.0)
    output = pushing.test_cli_runner().invoke(args=["capture", "redeliver", "--all-failed"]).output
    assert f"{parked.reference} queued for delivery" in output
    run_due(pushing, services)
    assert only_submission(pushing).delivery_status == "delivered"
    assert list(case_system.cases()) == [parked.reference]


def test_backoff_grows_with_jitter_and_is_capped():
    rng = random.Random(7)
    waits = [delivery.backoff(n, rng) for n in range(1, 16)]
    assert dt.timedelta(seconds=5) <= waits[0] <= dt.timedelta(seconds=10)
    assert all(w <= dt.timedelta(hours=1) for w in waits) and waits[-1] >= dt.timedelta(minutes=30)
    assert len({round(w.total_seconds(), 3) for w in waits}) == len(waits)  # jittered


def test_reconcile_reports_both_sides(pushing, client, services, case_system, tmp_path):
    submit(client, "enquiry", services.mailer)
    ours = only_submission(pushing).reference
    listing = tmp_path / "theirs.txt"
    listing.write_text("ENQ-2026-2222-2\n")
    result = pushing.test_cli_runner().invoke(args=["capture", "reconcile", str(listing)])
    assert result.exit_code == 1
    assert f"delivered by us but missing from the case system: 1\n  {ours}" in result.output
    assert "in the case system but unknown here: 1\n  ENQ-2026-2222-2" in result.output
    listing.write_text(ours.lower() + "\n")
    assert pushing.test_cli_runner().invoke(args=["capture", "reconcile", str(listing)]).exit_code == 0
