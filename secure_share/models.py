"""Secure Share's tables: shares, their documents, sign-in codes, sessions and the audit trail."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.codes import CodeColumns
from portal.models import Base, UTCDateTime


class Share(Base):
    __tablename__ = "share_shares"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # public id in the API, random
    case_reference: Mapped[str] = mapped_column(String(60), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)  # draft|sent|locked|revoked|removed|expired
    link_version: Mapped[int] = mapped_column(Integer, default=0)  # a resend bumps it: older links die
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # revoked/removed/expired
    files_deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_downloaded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminder_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    webhook_url: Mapped[str] = mapped_column(String(500), default="")
    failed_codes: Mapped[int] = mapped_column(Integer, default=0)  # wrong security codes over the share's life
    locked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # too many: until a resend
    code_emails_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)  # see signing_in
    language: Mapped[str | None] = mapped_column(String(2), nullable=True)  # en | cy, as the case system asked

    documents: Mapped[list["Document"]] = relationship(back_populates="share", order_by="Document.uploaded_at")


class Document(Base):
    __tablename__ = "share_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    share_id: Mapped[str] = mapped_column(ForeignKey("share_shares.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))  # "John Smith medical records"
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))  # PDF, DOCX...
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    store_key: Mapped[str] = mapped_column(String(300))
    scan_status: Mapped[str] = mapped_column(String(20), default="clean")  # clean | unscanned (no scanner: development)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    share: Mapped[Share] = relationship(back_populates="documents")


class SignInCode(CodeColumns, Base):
    __tablename__ = "share_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[str] = mapped_column(ForeignKey("share_shares.id", ondelete="CASCADE"), index=True)


class ShareSession(Base):
    __tablename__ = "share_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's random token
    share_id: Mapped[str] = mapped_column(ForeignKey("share_shares.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ShareEvent(Base):
    __tablename__ = "share_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_id: Mapped[str] = mapped_column(ForeignKey("share_shares.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    document_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actor: Mapped[str] = mapped_column(String(20))  # requester | case system | operator | system
    device: Mapped[str] = mapped_column(String(200), default="")  # "Chrome on Android", never the raw address
    address_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")  # see audit.address_hash
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
