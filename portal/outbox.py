"""The email outbox: every email the portal sends is first a row committed with what causes it.

`add` puts the email in the caller's transaction, so the code, submission or link and its email are
committed together or not at all. After the commit the caller queues `portal.jobs.send_email(id)` for a
prompt send; the worker's minute sweep (`send_due`) sends whatever that task did not (a crash between the
commit and the queueing, a queue that was down, a retry). The job store only ever holds the row's id.

A worker claims a row with one conditional UPDATE whose row count decides (the same on SQLite and
PostgreSQL), committed before the mail service is called, so two workers never send the same email at
the same moment; a crash after the send and before the outcome is recorded sends it again once the claim
lapses (at least once: the mail services offer nothing better). An unavailable mail service is retried
with exponential backoff for RETRY_FOR, a rejection is final, an email past its `discard_after` (a
security code that has expired) is never sent. Once an email is sent or can never be, its address,
subject, body and unsubscribe link are erased; the row's metadata goes after RETENTION_DAYS (`erase_old`).
Nothing here logs or records an address, a subject or a body.

The functions given a session never commit; `send` and `send_due` are the worker's steps and open their
own transactions.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import Index, Integer, String, Text, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.adapters.ports import Clock, EmailMessage, Mailer
from portal.exceptions import MailerUnavailable
from portal.models import Base, UTCDateTime

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=2)  # outlasts an SMTP or Notify call (10 s timeouts); a killed worker delays an email this long
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(hours=1)
RETRY_FOR = dt.timedelta(hours=24)  # an outage longer than this is an operator's, and the email is stale
ERASED = {"to_address": None, "subject": None, "body": None, "unsubscribe_url": None}


class OutboxEmail(Base):
    __tablename__ = "portal_outbox"
    __table_args__ = (Index("ix_portal_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(64), nullable=True)  # a case or share reference
    to_address: Mapped[str | None] = mapped_column(String(320), nullable=True)  # None once erased
    subject: Mapped[str | None] = mapped_column(Text, nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    unsubscribe_url: Mapped[str | None] = mapped_column(Text, nullable=True)  # its token is the alert's key: erased too
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | rejected | failed | discarded
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    discard_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)  # never the service's own words


def add(session: Session, message: EmailMessage, now: dt.datetime, discard_after: dt.datetime | None = None) -> int:
    """The email as a row of the caller's transaction; its id, for the task the caller queues after committing."""
    email = OutboxEmail(reference=message.reference, to_address=message.to, subject=message.subject,
                        body=message.body, unsubscribe_url=message.unsubscribe_url, status="pending",
                        created_at=now, next_attempt_at=now, discard_after=discard_after, attempts=0)
    session.add(email)
    session.flush()
    return email.id


def backoff(attempts: int) -> dt.timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 20), LONGEST_WAIT)


def _free(now: dt.datetime):
    return or_(OutboxEmail.locked_until.is_(None), OutboxEmail.locked_until < now)


def claim(session: Session, email_id: int, now: dt.datetime, worker: str, lease: dt.timedelta = LEASE) -> bool:
    """Take the email if it is due and free: one atomic UPDATE, the first statement of its transaction."""
    taken = session.execute(
        update(OutboxEmail).where(
            OutboxEmail.id == email_id, OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= now,
            _free(now),
        ).values(locked_until=now + lease, locked_by=worker, attempts=OutboxEmail.attempts + 1)
    ).rowcount
    return taken == 1


def send(db, mailer: Mailer, clock: Clock, email_id: int, worker: str) -> str:
    """Try one email once, if it is due. Returns: sent | retry | rejected | failed | discarded | busy."""
    from portal.adapters.mail_common import MailRejected

    with db.transaction() as session:  # the claim is committed before the mail service is called
        if not claim(session, email_id, clock.now(), worker):
            return "busy"
    with db.sessionmaker() as session:
        email = session.get(OutboxEmail, email_id)
        discard = email.discard_after is not None and clock.now() > email.discard_after
        message = EmailMessage(email.to_address, email.subject, email.body, email.reference, email.unsubscribe_url)
    if discard:
        return _record(db, clock, email_id, "discarded")
    try:
        mailer.send(message)
    except MailRejected:
        return _record(db, clock, email_id, "rejected", "rejected by the mail service")
    except MailerUnavailable:
        return _record(db, clock, email_id, "retry", "mail service unavailable")
    except Exception as exc:  # a bug, not an outage; its message may hold the address, so only its class is kept
        return _record(db, clock, email_id, "retry", f"unexpected {type(exc).__name__}")
    return _record(db, clock, email_id, "sent")


def _record(db, clock: Clock, email_id: int, outcome: str, error: str | None = None) -> str:
    now = clock.now()
    with db.transaction() as session:
        email = session.get(OutboxEmail, email_id)
        email.locked_until = email.locked_by = None
        email.last_error = error
        if outcome == "retry" and now - email.created_at >= RETRY_FOR:
            outcome = "failed"
        if outcome == "retry":
            email.next_attempt_at = now + backoff(email.attempts)
            log.warning("email %s not sent yet (attempt %d), retry at %s (reference=%s)", email_id, email.attempts,
                        email.next_attempt_at.isoformat(), email.reference or "-")
            return outcome
        _finish(email, outcome, now)
        if outcome == "sent":
            email.sent_at = now
        log_level = logging.INFO if outcome in {"sent", "discarded"} else logging.ERROR
        log.log(log_level, "email %s %s after %d attempts (reference=%s)", email_id, outcome, email.attempts,
                email.reference or "-")
    return outcome


def _finish(email: OutboxEmail, status: str, now: dt.datetime) -> None:
    email.status = status
    email.finished_at = now
    email.next_attempt_at = None
    for column, value in ERASED.items():
        setattr(email, column, value)


def discard_expired(session: Session, now: dt.datetime) -> int:
    """Emails past their discard_after (expired codes), even those waiting for a retry, are erased unsent."""
    return session.execute(
        update(OutboxEmail).where(
            OutboxEmail.status == "pending", OutboxEmail.discard_after < now, _free(now),
        ).values(status="discarded", finished_at=now, next_attempt_at=None, **ERASED)
    ).rowcount


def due_ids(session: Session, now: dt.datetime, limit: int = 100) -> list[int]:
    return list(session.scalars(
        select(OutboxEmail.id).where(OutboxEmail.status == "pending", OutboxEmail.next_attempt_at <= now, _free(now))
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id).limit(limit)))


def send_due(db, mailer: Mailer, clock: Clock, worker: str, limit: int = 100) -> dict[str, int]:
    """The worker's sweep: expired emails erased, then every due email tried once; counts by outcome."""
    counts: dict[str, int] = {}
    with db.transaction() as session:
        discarded = discard_expired(session, clock.now())
    if discarded:
        counts["discarded"] = discarded
        log.info("%d expired emails discarded unsent", discarded)
    with db.sessionmaker() as session:
        ids = due_ids(session, clock.now(), limit)
    for email_id in ids:
        outcome = send(db, mailer, clock, email_id, worker)
        if outcome != "busy":
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def erase_old(session: Session, now: dt.datetime, retention: dt.timedelta) -> int:
    """Rows older than the retention period go, whatever they hold (by then none is still being tried)."""
    return session.execute(delete(OutboxEmail).where(OutboxEmail.created_at < now - retention)).rowcount
