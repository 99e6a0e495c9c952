"""Secure Share's audit trail: every event on a share, for the case system's record and the requester's history.

Like every service function here, these add to the caller's session and never commit (see service.py).

A requester's event carries a keyed hash of their network address (`address_hash`), never the address: the
case system can tell whether two events came from one address, and no one without the portal's secret key
can tell which address it was. The requester's pages set it for their request (`requester_address`).
"""
from __future__ import annotations

import contextvars
import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import codes
from secure_share.models import Document, Share, ShareEvent

log = logging.getLogger(__name__)

# what the requester's "Access and download history" page shows; the case system sees every event
HISTORY = ("sent", "resent", "link opened", "signed in", "viewed documents", "viewed history", "signed out",
           "signed out: idle", "download started", "download completed", "download stopped",
           "downloaded", "downloaded all",  # how downloads were recorded before started/completed
           "code failed", "locked: too many wrong codes")

# the address hash of the request being handled, for the requester's events it records
requester_address: contextvars.ContextVar[str] = contextvars.ContextVar("share_requester_address", default="")


def address_hash(secret: str, address: str | None) -> str:
    return codes.keyed_hash(secret, f"share-audit-address:{address or ''}")


def record(session: Session, share: Share, now: dt.datetime, kind: str, actor: str, *,
           document_id: str | None = None, device: str = "", address: str | None = None, **detail) -> None:
    """`address` is an address_hash; a requester's event without one takes the request's (requester_address)."""
    if address is None:
        address = requester_address.get() if actor == "requester" else ""
    session.add(ShareEvent(share_id=share.id, at=now, kind=kind, actor=actor, document_id=document_id,
                           device=device, address_hash=address, detail=detail))
    log.info("share event share=%s kind=%s actor=%s", share.id, kind, actor)


def _download_detail(byte_range: str | None, document: Document | None) -> dict:
    return {**({"range": byte_range} if byte_range else {}), **({} if document else {"zip": True})}


def download_started(session: Session, share: Share, now: dt.datetime, device: str, document: Document | None,
                     byte_range: str | None = None) -> None:
    """A download (of `document`, or the zip of all when None) is about to send its first byte."""
    record(session, share, now, "download started", "requester", document_id=document.id if document else None,
           device=device, **_download_detail(byte_range, document))


def download_ended(session: Session, share: Share, now: dt.datetime, device: str, document: Document | None, *,
                   sent: int, length: int, reason: str | None, byte_range: str | None = None,
                   address: str | None = None) -> bool:
    """Completed (every byte sent, `reason` None) or stopped early (why, and how far it got).

    Returns True for the share's first completed download: then the case system's webhook is told."""
    document_id = document.id if document else None
    detail = _download_detail(byte_range, document)
    if reason is not None:
        record(session, share, now, "download stopped", "requester", document_id=document_id, device=device,
               address=address, bytes=sent, of=length, reason=reason, **detail)
        return False
    first = share.first_downloaded_at is None
    if first:
        share.first_downloaded_at = now
    record(session, share, now, "download completed", "requester", document_id=document_id, device=device,
           address=address, bytes=sent, **detail)
    return first


def events_json(session: Session, share: Share) -> list[dict]:
    rows = session.scalars(select(ShareEvent).where(ShareEvent.share_id == share.id).order_by(ShareEvent.at, ShareEvent.id))
    return [{"at": e.at.isoformat().replace("+00:00", "Z"), "event": e.kind, "actor": e.actor,
             "document_id": e.document_id, "device": e.device or None,
             **({"address_hash": e.address_hash} if e.address_hash else {}), **({"detail": e.detail} if e.detail else {})}
            for e in rows]


def history(session: Session, share: Share) -> list[ShareEvent]:
    return list(session.scalars(select(ShareEvent).where(ShareEvent.share_id == share.id, ShareEvent.kind.in_(HISTORY))
                                .order_by(ShareEvent.at.desc(), ShareEvent.id.desc())))
