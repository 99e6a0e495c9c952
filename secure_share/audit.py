"""Secure Share's audit trail: every event on a share, for the case system's record and the requester's history.

Like every service function here, these add to the caller's session and never commit (see service.py).
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from secure_share.models import Document, Share, ShareEvent

log = logging.getLogger(__name__)

# what the requester's "Access and download history" page shows; the case system sees every event
HISTORY = ("sent", "resent", "signed in", "signed out", "downloaded", "downloaded all", "code failed",
           "locked: too many wrong codes")


def record(session: Session, share: Share, now: dt.datetime, kind: str, actor: str, *,
           document_id: str | None = None, device: str = "", **detail) -> None:
    session.add(ShareEvent(share_id=share.id, at=now, kind=kind, actor=actor, document_id=document_id,
                           device=device, detail=detail))
    log.info("share event share=%s kind=%s actor=%s", share.id, kind, actor)


def record_download(session: Session, share: Share, now: dt.datetime, device: str, document: Document | None,
                    byte_range: str | None = None) -> bool:
    """Returns True for the share's first download (the case system's webhook is told)."""
    first = share.first_downloaded_at is None
    if first:
        share.first_downloaded_at = now
    record(session, share, now, "downloaded" if document else "downloaded all", "requester",
           document_id=document.id if document else None, device=device,
           **({"range": byte_range} if byte_range else {}))
    return first


def events_json(session: Session, share: Share) -> list[dict]:
    rows = session.scalars(select(ShareEvent).where(ShareEvent.share_id == share.id).order_by(ShareEvent.at, ShareEvent.id))
    return [{"at": e.at.isoformat().replace("+00:00", "Z"), "event": e.kind, "actor": e.actor,
             "document_id": e.document_id, "device": e.device or None, **({"detail": e.detail} if e.detail else {})}
            for e in rows]


def history(session: Session, share: Share) -> list[ShareEvent]:
    return list(session.scalars(select(ShareEvent).where(ShareEvent.share_id == share.id, ShareEvent.kind.in_(HISTORY))
                                .order_by(ShareEvent.at.desc(), ShareEvent.id.desc())))
