"""Email is sent by a background job that retries; a permanent rejection is not retried forever."""
import datetime

import pytest

from portal.adapters.mail_common import MailRejected
from portal.adapters.ports import EmailMessage
from portal.exceptions import MailerUnavailable
from portal.jobs import enqueue_email, huey

MESSAGE = EmailMessage("person@example.com", "Your reference FOI-2026-7K4M-Q", "Thank you.", "FOI-2026-7K4M-Q")


class FlakyMailer:
    def __init__(self, failures: int, error=MailerUnavailable):
        self.failures, self.error, self.sent = failures, error, []

    def send(self, message):
        if self.failures:
            self.failures -= 1
            raise self.error()
        self.sent.append(message)


def take_scheduled():
    """Remove and return every scheduled task, whatever its time (the clock is not waited for)."""
    return huey.read_schedule(datetime.datetime(9999, 1, 1))


@pytest.fixture(autouse=True)
def clean_queue():
    huey.flush()
    yield
    huey.flush()


def test_email_is_sent_by_the_job(app, services):
    with app.app_context():
        enqueue_email(MESSAGE)
    assert services.mailer.sent == [MESSAGE]


def test_unavailable_mailer_schedules_a_retry_with_backoff(app, services):
    services.mailer = FlakyMailer(failures=2)
    with app.app_context():
        enqueue_email(MESSAGE)
        first_retry = take_scheduled()
        assert [task.retries for task in first_retry] == [11]
        first_delay = first_retry[0].retry_delay
        huey.execute(first_retry[0], timestamp=first_retry[0].eta)
        second_retry = take_scheduled()
        assert [task.retries for task in second_retry] == [10]
        # Exponential backoff: the wait doubles after each failure (30 s, 60 s, 120 s...).
        assert (first_delay, second_retry[0].retry_delay) == (60, 120)
        huey.execute(second_retry[0], timestamp=second_retry[0].eta)
    assert services.mailer.sent == [MESSAGE]


def test_permanent_rejection_is_not_retried(app, services):
    services.mailer = FlakyMailer(failures=1, error=lambda: MailRejected("550 no such user"))
    with app.app_context():
        enqueue_email(MESSAGE)
    assert huey.scheduled() == []
    assert services.mailer.sent == []
