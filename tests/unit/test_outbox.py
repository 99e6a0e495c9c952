"""The email outbox: an email is a row committed with what causes it, sent by the worker with retries and
backoff, sent once however many workers look at it, and erased once it is sent or can never be."""
from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from alembic import command
from sqlalchemy import inspect, select

from portal import outbox
from portal.adapters.mail_common import MailRejected
from portal.adapters.ports import EmailMessage
from portal.db import Database, alembic_config
from portal.exceptions import MailerUnavailable
from portal.jobs import erase_old_emails, huey, send_due_emails, send_email
from portal.outbox import OutboxEmail

MESSAGE = EmailMessage("person@example.com", "Your reference FOI-2026-7K4M-Q", "Thank you, Zoë O'Brien.",
                       "FOI-2026-7K4M-Q")


class FlakyMailer:
    def __init__(self, failures: int, error=MailerUnavailable):
        self.failures, self.error, self.sent = failures, error, []

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise self.error()
        self.sent.append(message)


@pytest.fixture(autouse=True)
def clean_queue():
    huey.flush()
    yield
    huey.flush()


def add(app, message=MESSAGE, **kwargs) -> int:
    """An email committed by its caller's transaction, and nothing queued: a crash right after the commit."""
    with app.app_context(), app.extensions["portal.db"].transaction() as session:
        return outbox.add(session, message, app.extensions["portal.services"].clock.now(), **kwargs)


def row(app, email_id: int) -> OutboxEmail:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return session.get(OutboxEmail, email_id)


def run(app, task, *args):
    with app.app_context():
        return task.call_local(*args)


def erased(email: OutboxEmail) -> bool:
    return (email.to_address, email.subject, email.body, email.unsubscribe_url) == (None, None, None, None)


def test_an_email_lost_between_commit_and_queueing_is_sent_by_the_sweep(db_app, services):
    email_id = add(db_app)  # committed; the process dies before queueing its task
    assert services.mailer.sent == []
    assert run(db_app, send_due_emails) == {"sent": 1}
    assert services.mailer.sent == [MESSAGE]
    assert run(db_app, send_due_emails) == {}  # once only
    assert services.mailer.sent == [MESSAGE]
    sent = row(db_app, email_id)
    assert (sent.status, sent.sent_at, sent.attempts) == ("sent", services.clock.now(), 1)


def test_the_task_queued_after_the_commit_carries_only_the_id_and_sends_at_once(app, services):
    email_id = add(app)
    assert run(app, send_email, email_id) == "sent"
    assert services.mailer.sent == [MESSAGE]
    assert run(app, send_email, email_id) == "busy"  # a second task for the same email sends nothing
    assert services.mailer.sent == [MESSAGE]


def test_a_sent_email_keeps_only_what_says_it_was_sent(app, services):
    email_id = add(app)
    run(app, send_email, email_id)
    sent = row(app, email_id)
    assert erased(sent)
    assert (sent.reference, sent.status) == ("FOI-2026-7K4M-Q", "sent")


def test_an_unsubscribe_link_reaches_the_mailer_and_is_erased_with_the_body(app, services, clock):
    alert = EmailMessage("person@example.com", "2 new responses", "Two entries.",
                         unsubscribe_url="https://foi.example.gov.uk/disclosure-log/email-alerts/unsubscribe/abc")
    services.mailer = FlakyMailer(failures=1)
    email_id = add(app, alert)
    assert run(app, send_email, email_id) == "retry"
    assert row(app, email_id).unsubscribe_url == alert.unsubscribe_url  # kept while the email waits to be sent
    clock.advance(seconds=30)
    assert run(app, send_due_emails) == {"sent": 1}
    assert services.mailer.sent == [alert]
    assert erased(row(app, email_id))


def test_an_unavailable_mailer_is_retried_with_backoff(app, services, clock):
    services.mailer = FlakyMailer(failures=2)
    email_id = add(app)
    assert run(app, send_email, email_id) == "retry"
    assert row(app, email_id).next_attempt_at == clock.now() + dt.timedelta(seconds=30)
    clock.advance(seconds=29)
    assert run(app, send_due_emails) == {}  # not due yet
    clock.advance(seconds=1)
    assert run(app, send_due_emails) == {"retry": 1}
    # Exponential backoff: the wait doubles after each failure (30 s, 60 s, 120 s...).
    assert row(app, email_id).next_attempt_at == clock.now() + dt.timedelta(seconds=60)
    assert row(app, email_id).last_error == "mail service unavailable"
    clock.advance(seconds=60)
    assert run(app, send_due_emails) == {"sent": 1}
    assert services.mailer.sent == [MESSAGE]
    assert row(app, email_id).attempts == 3


def test_the_backoff_doubles_up_to_an_hour():
    waits = [outbox.backoff(attempts).total_seconds() for attempts in range(1, 11)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]



def test_a_mailer_failing_in_a_way_no_adapter_foresaw_is_retried_like_an_outage(app, services, caplog):
    services.mailer = FlakyMailer(failures=1, error=lambda: RuntimeError("relay said no to person@example.com"))
    email_id = add(app)
    assert run(app, send_email, email_id) == "retry"
    waiting = row(app, email_id)
    assert (waiting.last_error, waiting.locked_until) == ("unexpected RuntimeError", None)
    assert "person@example.com" not in caplog.text

def test_a_mailer_down_past_the_retry_window_gives_up_and_erases_the_email(app, services, clock):
    services.mailer = FlakyMailer(failures=10**6)
    email_id = add(app)
    run(app, send_email, email_id)
    clock.advance(hours=outbox.RETRY_FOR.total_seconds() // 3600)
    assert run(app, send_due_emails) == {"failed": 1}
    failed = row(app, email_id)
    assert failed.status == "failed" and erased(failed)
    clock.advance(hours=2)
    assert run(app, send_due_emails) == {}


def test_a_permanent_rejection_is_not_retried_and_nothing_personal_is_kept(app, services, clock, caplog):
    caplog.set_level(logging.INFO)
    services.mailer = FlakyMailer(failures=1, error=lambda: MailRejected("550 no such user person@example.com"))
    email_id = add(app)
    assert run(app, send_email, email_id) == "rejected"
    clock.advance(days=1)
    assert run(app, send_due_emails) == {}
    rejected = row(app, email_id)
    assert rejected.status == "rejected" and erased(rejected)
    assert "person@example.com" not in (rejected.last_error or "")
    assert "person@example.com" not in caplog.text and "Zoë" not in caplog.text
    assert "FOI-2026-7K4M-Q" in caplog.text


def test_a_security_code_is_never_sent_after_it_expires(app, services, clock):
    services.mailer = FlakyMailer(failures=1)
    code = EmailMessage("person@example.com", "123456 is your security code", "123456")
    email_id = add(app, code, discard_after=clock.now() + dt.timedelta(minutes=15))
    assert run(app, send_email, email_id) == "retry"
    clock.advance(minutes=15, seconds=1)
    assert run(app, send_due_emails) == {"discarded": 1}
    assert services.mailer.sent == []
    discarded = row(app, email_id)
    assert discarded.status == "discarded" and erased(discarded)


def test_a_security_code_waiting_for_its_retry_is_erased_when_it_expires(app, services, clock):
    services.mailer = FlakyMailer(failures=4)
    start = clock.now()
    code = EmailMessage("person@example.com", "123456 is your security code", "123456")
    email_id = add(app, code, discard_after=start + dt.timedelta(minutes=5))
    for attempt in range(4):  # at 0 s, 30 s, 90 s and 210 s; the next would be at 450 s
        if attempt:
            clock.current = row(app, email_id).next_attempt_at
        assert run(app, send_email, email_id) == "retry"
    clock.current = start + dt.timedelta(minutes=6)
    assert row(app, email_id).next_attempt_at > clock.now() > row(app, email_id).discard_after
    assert run(app, send_due_emails) == {"discarded": 1}
    assert erased(row(app, email_id)) and services.mailer.sent == []


def test_emails_go_after_the_retention_period_and_not_before(app, services, clock, settings):
    sent_id = add(app)
    run(app, send_email, sent_id)
    services.mailer = FlakyMailer(failures=1, error=lambda: MailRejected("550"))
    rejected_id = add(app)
    run(app, send_email, rejected_id)
    clock.advance(days=settings.retention_days)
    assert run(app, erase_old_emails) == 0
    clock.advance(seconds=1)
    assert run(app, erase_old_emails) == 2
    assert row(app, sent_id) is None and row(app, rejected_id) is None


class CountingMailer:
    """A real mailer's slowness, so the workers' claims truly overlap."""

    def __init__(self):
        self.sent, self.lock = [], threading.Lock()

    def send(self, message):
        threading.Event().wait(0.05)
        with self.lock:
            self.sent.append(message)


def released_together(workers: int, work) -> list:
    barrier = threading.Barrier(workers)
    results, errors = [None] * workers, []

    def worker(n):
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as exc:  # the test reports it, not the thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_workers_released_together_send_each_email_once(db_app, services):
    services.mailer = CountingMailer()
    ids = [add(db_app, EmailMessage(f"person{n}@example.com", "Subject", "Body", f"REF-{n}")) for n in range(5)]
    database = db_app.extensions["portal.db"]

    def sweep(n):
        return outbox.send_due(database, services.mailer, services.clock, f"worker-{n}")

    def one(n):
        return outbox.send(database, services.mailer, services.clock, ids[0], f"worker-{n}")

    assert released_together(6, one).count("sent") == 1
    released_together(6, sweep)
    assert sorted(m.to for m in services.mailer.sent) == sorted(f"person{n}@example.com" for n in range(5))
    with db_app.app_context(), database.sessionmaker() as session:
        assert set(session.scalars(select(OutboxEmail.status))) == {"sent"}


def test_the_outbox_migration_goes_up_and_down(database_url):
    database = Database(database_url)
    try:
        database.upgrade("0008")
        assert "portal_outbox" in inspect(database.engine).get_table_names()
        command.downgrade(alembic_config(database_url), "0006")
        assert "portal_outbox" not in inspect(database.engine).get_table_names()
        database.upgrade()
        columns = {column["name"] for column in inspect(database.engine).get_columns("portal_outbox")}
        assert {"to_address", "subject", "body", "reference", "next_attempt_at", "discard_after"} <= columns
    finally:
        database.dispose()


def test_a_sent_email_leaves_nothing_readable_in_the_sqlite_file(app, services, settings):
    body = "Your request about 14 Acacia Avenue, Zoë O'Brien, is with us."
    email_id = add(app, EmailMessage("zoe.obrien@example.com", "We have your request", body, "FOI-2026-7K4M-Q"))
    run(app, send_email, email_id)
    app.extensions["portal.db"].dispose()  # the last connection closes: SQLite folds the WAL into the file
    written = b"".join(path.read_bytes() for path in settings.var_dir.glob("portal.sqlite3*"))
    assert b"Acacia Avenue" not in written and b"zoe.obrien@example.com" not in written
