"""Capture's tables: drafts kept server-side, email confirmations, and submissions with their files.

A submission carries its delivery state (the transactional outbox that capture/delivery.py works through)
in the same row, committed with it: nothing the public submits is lost.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.codes import CodeColumns
from portal.models import Base, UTCDateTime


class Draft(Base):
    __tablename__ = "capture_drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    flags: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    touched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    saved_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)  # capture/saving.py
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)  # en | cy: the page's when it was started


class EmailConfirmation(Base):
    __tablename__ = "capture_email_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("capture_drafts.id", ondelete="CASCADE"), index=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)  # rate limits per address, no address kept
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Submission(Base):
    __tablename__ = "capture_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    form_id: Mapped[str] = mapped_column(String(40))
    case_type: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    clock_rule: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict] = mapped_column(JSON)
    payload: Mapped[dict] = mapped_column(JSON)
    dedupe_hash: Mapped[str] = mapped_column(String(64))
    duplicate_of: Mapped[str | None] = mapped_column(String(24), nullable=True)
    # sha256 of the draft's id: the browser that still names that draft is told it was sent, and its reference
    from_draft: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    # Delivery to the case system (transactional outbox): pending -> delivered -> acknowledged, or failed.
    delivery_status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    delivery_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # the retry window
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # a worker's lease
    locked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    case_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    personal_data_deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Where the request is, as the case system reports it (capture/tracking.py), and whether to email its changes
    progress: Mapped[str] = mapped_column(String(30), default="received")
    notify_progress: Mapped[bool] = mapped_column(Boolean, default=False)
    # en | cy: the language the requester used, for the emails that follow and for the case system
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)

    files: Mapped[list["SubmissionFile"]] = relationship(back_populates="submission", order_by="SubmissionFile.id")

    __table_args__ = (Index("ix_capture_submissions_dedupe", "dedupe_hash", "received_at"),)


class SubmissionFile(Base):
    __tablename__ = "capture_submission_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("capture_submissions.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[str] = mapped_column(String(32), unique=True)
    question_id: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    store_key: Mapped[str] = mapped_column(String(300))
    scanned: Mapped[bool] = mapped_column(default=True)

    submission: Mapped[Submission] = relationship(back_populates="files")


class ProgressUpdate(Base):
    """One report of progress from the case system, shown to the requester (capture/tracking.py)."""

    __tablename__ = "capture_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("capture_submissions.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(Text, default="")  # what the body tells the requester; erased with the rest
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # a changed due date
    share_url: Mapped[str] = mapped_column(String(500), default="")  # the response's Secure Share link


class TrackingCode(CodeColumns, Base):
    """A code emailed to the address on a request, to see its progress by reference (capture/tracking.py)."""

    __tablename__ = "capture_tracking_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("capture_submissions.id", ondelete="CASCADE"), index=True)


class FormCount(Base):
    """How many drafts of a form were started, and how many requests sent, in a London month
    (capture/figures.py): counted as they happen, because drafts are deleted and requests erased."""

    __tablename__ = "capture_form_counts"

    form_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12"
    started: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)


class Feedback(Base):
    """What a requester thought, asked once when their case closes (capture/feedback.py). The answers are
    counted by the month the case closed; the words they typed are erased with the request."""

    __tablename__ = "capture_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("capture_submissions.id", ondelete="SET NULL"), unique=True, nullable=True)
    form_id: Mapped[str] = mapped_column(String(40))
    month: Mapped[str] = mapped_column(String(7), index=True)  # the London month the case closed
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answered_question: Mapped[str | None] = mapped_column(String(10), nullable=True)  # yes, partly, no
    satisfaction: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 1 very dissatisfied .. 5 very satisfied
    improve: Mapped[str] = mapped_column(Text, default="")
