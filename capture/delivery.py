"""Delivering submissions to the case system exactly once: a transactional outbox with leases.

Each submission row is its own outbox entry. A worker takes a short lease on a row with one
conditional UPDATE (so two workers or processes never send the same submission at the same
moment), sends it, and records the outcome. Failures are retried with exponential backoff and
jitter for at least CASE_SYSTEM_RETRY_HOURS, then parked as failed for an operator; a payload
the case system calls invalid is parked at once. Nothing undelivered is ever deleted.

The functions given a session never commit it; deliver and deliver_due are the jobs' own steps and
open their transactions: the lease is committed before the case system is called, the outcome after.
"""
from __future__ import annotations

import base64
import datetime as dt
import logging
import random

from itsdangerous import BadSignature
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from capture import feedback, tracking
from capture.models import ProgressUpdate, Submission
from portal import tokens
from portal.exceptions import CaseSystemUnavailable, PayloadRejected

log = logging.getLogger(__name__)

LEASE = dt.timedelta(seconds=120)
FIRST_RETRY = dt.timedelta(seconds=10)
LONGEST_WAIT = dt.timedelta(hours=1)
FILE_URL_SALT = "capture-submission-file-url"


def backoff(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """10 s, 20 s, 40 s ... up to an hour, each with jitter (between half and all of it)."""
    rng = rng or random
    ceiling = min(FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 20)), LONGEST_WAIT)
    return ceiling * rng.uniform(0.5, 1.0)


def due_ids(session: Session, now: dt.datetime, limit: int = 100) -> list[int]:
    return list(session.scalars(
        select(Submission.id).where(
            Submission.delivery_status == "pending", Submission.next_attempt_at <= now,
            or_(Submission.locked_until.is_(None), Submission.locked_until < now),
        ).order_by(Submission.next_attempt_at).limit(limit)))


def claim(session: Session, submission_id: int, now: dt.datetime, worker: str, lease: dt.timedelta = LEASE) -> bool:
    """Take the row's lease if it is due and free. One atomic UPDATE, the same on both databases."""
    taken = session.execute(
        update(Submission).where(
            Submission.id == submission_id, Submission.delivery_status == "pending", Submission.next_attempt_at <= now,
            or_(Submission.locked_until.is_(None), Submission.locked_until < now),
        ).values(locked_until=now + lease, locked_by=worker)
    ).rowcount
    return taken == 1


def file_token(secret: str, reference: str, file_id: str) -> str:
    return tokens.dumps(secret, FILE_URL_SALT, {"r": reference, "f": file_id})


def file_from_token(secret: str, token: str, max_age: dt.timedelta) -> tuple[str, str] | None:
    try:
        data = tokens.loads(secret, FILE_URL_SALT, token, max_age=int(max_age.total_seconds()))
        return str(data["r"]), str(data["f"])
    except (BadSignature, KeyError, TypeError):
        return None


def payload_for_delivery(submission: Submission, settings, store) -> dict:
    """The stored payload plus, per attachment, a signed expiring URL (and the bytes when small)."""
    payload = dict(submission.payload)
    by_id = {f.file_id: f for f in submission.files}
    attachments = []
    for item in payload.get("attachments", []):
        stored = by_id.get(item["file_id"])
        entry = dict(item)
        entry["url"] = (f"{settings.base_url.rstrip('/')}/api/v1/submission-files/"
                        f"{file_token(settings.secret_key, submission.reference, item['file_id'])}")
        entry["url_expires_in_days"] = settings.file_url_days
        if stored is not None and 0 < stored.size <= settings.case_system_inline_max:
            entry["content_base64"] = base64.b64encode(b"".join(store.open(stored.store_key))).decode()
        attachments.append(entry)
    payload["attachments"] = attachments
    return payload


def deliver(db, services, settings, submission_id: int, worker: str, rng: random.Random | None = None) -> str:
    """Try one submission once, if it is due. Returns: delivered | retry | parked | busy | skipped.

    "busy" covers another worker holding the lease and a submission not yet due (or already done)."""
    if getattr(services.case_system, "mode", "push") == "pull":
        return "skipped"  # the case system pulls through the API instead
    lease = dt.timedelta(seconds=settings.delivery_lease_seconds)
    with db.transaction() as session:  # the lease is committed before anything is read or sent
        if not claim(session, submission_id, services.clock.now(), worker, lease):
            return "busy"
    with db.sessionmaker() as session:
        submission = session.get(Submission, submission_id)
        payload = payload_for_delivery(submission, settings, services.store)
        reference = submission.reference
    try:
        result = services.case_system.deliver(reference, payload)
    except PayloadRejected as exc:
        return _record(db, services, settings, submission_id, worker, rejected=str(exc), rng=rng)
    except CaseSystemUnavailable as exc:
        return _record(db, services, settings, submission_id, worker, error=str(exc), rng=rng)
    if not result.delivered:
        return _record(db, services, settings, submission_id, worker, error=result.detail or "not accepted", rng=rng)
    return _record(db, services, settings, submission_id, worker, case_id=result.case_id, rng=rng)


def _record(db, services, settings, submission_id, worker, *, case_id=None, error=None, rejected=None, rng=None) -> str:
    now = services.clock.now()
    with db.transaction() as session:
        submission = session.get(Submission, submission_id)
        if submission.locked_by != worker:
            log.warning("lease on reference=%s lost before the outcome was recorded", submission.reference)
        submission.delivery_attempts += 1
        submission.locked_until = None
        submission.locked_by = None
        if rejected is not None:
            outcome = _park(submission, f"the case system rejected the payload: {rejected}")
        elif error is not None:
            window = dt.timedelta(hours=settings.case_system_retry_hours)
            if now - (submission.delivery_started_at or submission.received_at) >= window:
                outcome = _park(submission, f"not delivered after {settings.case_system_retry_hours} hours: {error}")
            else:
                submission.last_error = error[:1000]
                submission.next_attempt_at = now + backoff(submission.delivery_attempts, rng)
                log.warning("delivery of reference=%s failed (attempt %d), retry at %s: %s", submission.reference,
                            submission.delivery_attempts, submission.next_attempt_at.isoformat(), error)
                outcome = "retry"
        else:
            submission.delivery_status = "delivered"
            submission.delivered_at = now
            submission.case_id = case_id
            submission.next_attempt_at = None
            submission.last_error = None
            log.info("delivered reference=%s case_id=%s attempts=%d", submission.reference, case_id,
                     submission.delivery_attempts)
            outcome = "delivered"
    return outcome


def _park(submission: Submission, reason: str) -> str:
    submission.delivery_status = "failed"
    submission.last_error = reason[:1000]
    submission.next_attempt_at = None
    log.error("submission parked as failed reference=%s: %s", submission.reference, reason)
    return "parked"


def deliver_due(db, services, settings, worker: str, limit: int = 100) -> dict[str, int]:
    counts: dict[str, int] = {}
    if getattr(services.case_system, "mode", "push") == "pull":
        return counts
    with db.sessionmaker() as session:
        ids = due_ids(session, services.clock.now(), limit)
    for submission_id in ids:
        outcome = deliver(db, services, settings, submission_id, worker)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def redeliver(session: Session, now: dt.datetime, reference: str | None = None) -> list[str]:
    """Put failed submissions back in the queue with a fresh retry window."""
    query = select(Submission).where(Submission.delivery_status == "failed")
    if reference:
        query = query.where(Submission.reference == reference)
    submissions = session.scalars(query).all()
    for submission in submissions:
        submission.delivery_status = "pending"
        submission.next_attempt_at = now
        submission.delivery_started_at = now
        log.info("redelivery requested reference=%s", submission.reference)
    return [s.reference for s in submissions]


def acknowledge(session: Session, reference: str, now: dt.datetime, case_id: str | None) -> Submission | None:
    submission = session.scalar(select(Submission).where(Submission.reference == reference))
    if submission is None:
        return None
    if submission.acknowledged_at is None:
        submission.acknowledged_at = now
        submission.delivery_status = "acknowledged"
        submission.next_attempt_at = None
        if case_id:
            submission.case_id = case_id[:100]
        log.info("acknowledged reference=%s case_id=%s", reference, submission.case_id)
    return submission


def _not_being_tracked(cutoff: dt.datetime):
    """A request the case system reports progress on keeps its requester's address, so they can still be told,
    until it has been answered or closed for the retention period (or TRACKED_AT_MOST has passed)."""
    last_report = select(ProgressUpdate.at).where(ProgressUpdate.submission_id == Submission.id).order_by(
        ProgressUpdate.at.desc()).limit(1).scalar_subquery()
    return (Submission.progress == "received",
            and_(Submission.progress.in_(tracking.FINISHED), last_report < cutoff))


def erase_personal_data(session: Session, store, now: dt.datetime, retention: dt.timedelta) -> list[str]:
    """Once the case system has had a submission for the retention period, our copy of the personal data goes.

    The files go first, then the record says so; the job commits it (a failed commit means the next run
    deletes them again, which is harmless)."""
    cutoff = now - retention
    submissions = session.scalars(select(Submission).where(
        Submission.personal_data_deleted_at.is_(None),
        or_(Submission.acknowledged_at < cutoff, Submission.delivered_at < cutoff),
        or_(*_not_being_tracked(cutoff), Submission.received_at < now - tracking.TRACKED_AT_MOST),
    ).limit(500)).all()
    for submission in submissions:
        for stored in submission.files:
            store.delete(stored.store_key)
            stored.filename = "deleted"
        submission.answers = {}
        submission.payload = {k: submission.payload.get(k) for k in
                              ("reference", "case_type", "form", "received_at", "due_date", "statutory_clock", "clock")}
        tracking.erase(session, submission)
        feedback.erase(session, submission)
        submission.personal_data_deleted_at = now
        log.info("personal data deleted reference=%s", submission.reference)
    return [s.reference for s in submissions]
