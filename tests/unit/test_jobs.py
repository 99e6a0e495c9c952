"""The job store holds ids, never personal data; an email is committed with what causes it, so a crash or a
queue that is down between the commit and the queueing loses nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from capture.models import Submission
from portal.jobs import bind_queue, huey, send_due_emails
from portal.outbox import OutboxEmail
from tests.capture_helpers import code_from, fill, post
from tests.conftest import make_settings, migrated_app
from tests.pages import PageClient


@pytest.fixture(autouse=True)
def _no_rate_limits():
    from portal.security import limiter

    limiter.enabled = False
    huey.flush()
    yield
    huey.flush()
    limiter.enabled = True


@pytest.fixture
def queued_app(tmp_path, services):
    """The app on the embedded SQLite job store, the way `make run` queues: nothing runs until taken."""
    application = migrated_app(tmp_path, services, job_backend="sqlite")
    yield application
    application.extensions["portal.db"].dispose()
    bind_queue(make_settings(tmp_path))  # back to running as queued, for the tests after this one


def run_queued(app) -> int:
    """What a worker does: take each queued task and run it."""
    done = 0
    with app.app_context():
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
            done += 1
    return done


def store_bytes(folder) -> bytes:
    """Everything on disk of the job store, deleted rows and the WAL included."""
    return b"".join(path.read_bytes() for path in sorted(folder.glob("jobs.sqlite3*")))


def test_the_job_store_never_holds_names_addresses_codes_or_request_texts(queued_app, services, settings, tmp_path):
    client = PageClient(queued_app)
    fill(client, "enquiry")
    post(client, "/request/enquiry/check-answers", {})
    assert run_queued(queued_app) == 1  # the code's email
    code = code_from(services.mailer)
    post(client, "/request/enquiry/confirm-email", {"code": code})
    assert run_queued(queued_app) == 2  # delivery to the case system and the acknowledgement
    assert [m.subject.split(":")[0] for m in services.mailer.sent] == [
        f"{code} is your code to confirm your email address", "We have received your general enquiry"]
    written = store_bytes(tmp_path)
    assert written, "the job store is where the settings say"
    for personal in [code, "Chris Lee", "chris@example.com", "When do resident permits renew?"]:
        assert personal.encode() not in written, personal



class BrokenCaseSystem:
    """An outside system failing in a way no adapter foresaw, with what it was sent in its error."""

    def deliver(self, reference, payload):
        raise RuntimeError(f"cannot take {payload['requester']['email']}")


def test_a_failing_job_leaves_no_personal_data_in_the_job_store(queued_app, services, tmp_path):
    services.case_system = BrokenCaseSystem()
    client = PageClient(queued_app)
    fill(client, "enquiry")
    post(client, "/request/enquiry/check-answers", {})
    run_queued(queued_app)
    post(client, "/request/enquiry/confirm-email", {"code": code_from(services.mailer)})
    assert run_queued(queued_app) == 2
    assert b"chris@example.com" not in store_bytes(tmp_path)

def test_a_queue_that_is_down_after_the_commit_loses_no_email(app, client, services, monkeypatch):
    monkeypatch.setattr(huey, "enqueue", lambda task: (_ for _ in ()).throw(ConnectionError("queue down")))
    fill(client, "enquiry")
    post(client, "/request/enquiry/check-answers", {})
    assert services.mailer.sent == []
    with app.app_context():
        assert send_due_emails.call_local() == {"sent": 1}  # the worker's next sweep
    confirmation = post(client, "/request/enquiry/confirm-email", {"code": code_from(services.mailer)})
    assert confirmation.status_code == 302
    assert len(services.mailer.sent) == 1
    with app.app_context():
        assert send_due_emails.call_local() == {"sent": 1}
        with app.extensions["portal.db"].sessionmaker() as session:
            reference = session.scalar(select(Submission.reference))
            assert set(session.scalars(select(OutboxEmail.reference))) == {None, reference}
    assert services.mailer.sent[-1].subject == f"We have received your general enquiry: {reference}"

