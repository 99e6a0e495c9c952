"""Disclosure Log tables: published entries, their attachments, the audit trail and searches that found nothing."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models import Base, UTCDateTime

# index_state: "pending" is set in the same transaction as any change the search index must follow;
# it turns "done" once the index has it, so a crash between the two is caught by the sweep.
PENDING, DONE, FAILED = "pending", "done", "failed"  # failed: the index refused it (logged); fix and re-save


class Disclosure(Base):
    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    reference: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    request: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[str] = mapped_column(Text, default="")
    case_type: Mapped[str] = mapped_column(String(10))  # FOI | EIR
    category: Mapped[str] = mapped_column(String(100), default="")
    department: Mapped[str] = mapped_column(String(100), default="")
    outcome: Mapped[str] = mapped_column(String(40))
    exemptions: Mapped[list] = mapped_column(JSON, default=list)
    received: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    responded: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    published: Mapped[dt.date] = mapped_column(Date)  # the date shown and sorted on
    publish_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)  # public from this moment
    working_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    internal_review: Mapped[str] = mapped_column(String(200), default="")
    ico_decision_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="published", index=True)  # published | withdrawn
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    index_state: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    # The language it was published in (en | cy), and its own Welsh version when an English entry has one:
    # a Welsh page shows each part of it that there is, and search finds its words (service.index_entry).
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    title_cy: Mapped[str] = mapped_column(String(300), default="", server_default="")
    request_cy: Mapped[str] = mapped_column(Text, default="", server_default="")
    response_cy: Mapped[str] = mapped_column(Text, default="", server_default="")

    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="disclosure", order_by="Attachment.id", cascade="all, delete-orphan")


class Attachment(Base):
    __tablename__ = "disclosure_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosures.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # PDF, DOCX, XLSX...
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    store_key: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")  # extracted, for search and snippets
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    change_note: Mapped[str] = mapped_column(Text, default="")  # why it replaced an earlier file

    disclosure: Mapped[Disclosure] = relationship(back_populates="attachments")


class DisclosureEvent(Base):
    """The audit trail: who did what to which entry. No personal data: the API key's name, never text."""

    __tablename__ = "disclosure_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(60), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class IndexChange(Base):
    """An entry that changed, written in the same transaction as the change: what a web server's local search
    copy follows (disclosure_log/index_follower.py). Ids come from a sequence, which is not in commit order."""

    __tablename__ = "disclosure_index_changes"
    __table_args__ = {"sqlite_autoincrement": True}  # never reused after a prune

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class IndexCopy(Base):
    """How far each local search copy has applied the changes (every change up to `position` is in it), so the
    prune knows what every copy is past. The row PRUNED_ROW holds the highest change id pruned."""

    __tablename__ = "disclosure_index_copies"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


PRUNED_ROW = "(pruned)"


class SearchGap(Base):
    """Searches that found nothing, counted so the body can publish what people look for."""

    __tablename__ = "disclosure_search_gaps"

    query: Mapped[str] = mapped_column(String(200), primary_key=True)  # normalised words, no filters
    count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[dt.date] = mapped_column(Date)
    last_seen: Mapped[dt.date] = mapped_column(Date)


class Alert(Base):
    """An email alert: new entries matching a search, sent to one address as they appear or once a day.

    The address is kept only while the alert exists: unsubscribing deletes the row, and an alert not confirmed
    within a week is deleted with it (disclosure_log/alerts.py)."""

    __tablename__ = "disclosure_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    address_hash: Mapped[str] = mapped_column(String(64), index=True)  # keyed: the limits per address, duplicates
    search: Mapped[list] = mapped_column(JSON)  # the search's URL parameters, [[name, value], ...]
    search_key: Mapped[str] = mapped_column(String(64))  # the same search, however it was typed
    frequency: Mapped[str] = mapped_column(String(12))  # immediately | daily
    status: Mapped[str] = mapped_column(String(10))  # pending (not confirmed yet) | active
    nonce: Mapped[str] = mapped_column(String(32))  # in its links, so a link names this alert and no later one
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)  # pending only
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    checked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # new since this moment
    next_check_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True, index=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    locked_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)  # en | cy: its emails'; None: en (before 0018)


class AlertSent(Base):
    """Each entry an alert has emailed: a later check never sends it again, whichever worker makes it."""

    __tablename__ = "disclosure_alert_sent"

    alert_id: Mapped[int] = mapped_column(ForeignKey("disclosure_alerts.id", ondelete="CASCADE"), primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosures.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class AlertConfirmationSent(Base):
    """When a confirmation email went to an address (its keyed hash): at most a few an hour to any one inbox.
    Kept a day, never the address."""

    __tablename__ = "disclosure_alert_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    address_hash: Mapped[str] = mapped_column(String(64), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
