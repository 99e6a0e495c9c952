"""Secure Share's background work: expiry to the minute, deleting files, reminders, the case system's webhook.

Time comes from services.clock, so tests drive all of it with a fake clock. Each job commits what the
service functions change (they never commit), and deletes files only once their share's closing is committed.
"""
from __future__ import annotations

import datetime as dt
import logging

from huey import crontab

from portal.db import get_db
from portal import outbox
from portal.jobs import huey, job_app, send_after_commit
from secure_share import audit, link_email, service, webhooks
from secure_share.models import Document, Share

log = logging.getLogger(__name__)


def _context():
    app = job_app()
    return app, app.extensions["portal.services"], app.config["PORTAL_SETTINGS"]


@huey.periodic_task(crontab(minute="*"))
def expire_shares() -> dict:
    """Every minute: shares whose time has come expire, idle sessions end, and closed shares' files leave storage."""
    app, services, settings = _context()
    with app.app_context():
        now = services.clock.now()
        with get_db().transaction() as session:
            expired = service.expire_due(session, now)
            service.end_idle_sessions(session, now, dt.timedelta(minutes=settings.share_idle_minutes))
        with get_db().transaction() as session:  # a second transaction: files go only once the expiries are committed
            deleted = service.delete_due_files(session, services.store, now)
    return {"expired": expired, "files_deleted": deleted}


@huey.task(retries=12, retry_delay=30, retry_backoff=2)
def delete_share_files(share_id: str) -> bool:
    """Queued after a removal commits, so the files go at once; the sweep above is the safety net."""
    app, services, _settings = _context()
    with app.app_context(), get_db().transaction() as session:
        share = session.get(Share, share_id)
        if share is None or share.files_deleted_at is not None:
            return False
        service.delete_files(session, share, services.store, services.clock.now())
        return share.files_deleted_at is not None


@huey.task(retries=12, retry_delay=30, retry_backoff=2)
def delete_document_file(document_id: str) -> bool:
    """Queued after a document's removal commits. If it never runs, the file goes with the share's others."""
    app, services, _settings = _context()
    with app.app_context(), get_db().sessionmaker() as session:
        document = session.get(Document, document_id)
        if document is None or document.removed_at is None:
            return False
        services.store.delete(document.store_key)
        return True


@huey.periodic_task(crontab(minute="7"))
def send_reminders() -> list[str]:
    """Hourly: a reminder a few days before expiry to a requester who has downloaded nothing yet."""
    app, services, settings = _context()
    reminded = []
    with app.app_context(), get_db().sessionmaker() as session:
        now = services.clock.now()
        for share in service.reminders_due(session, now, settings):
            language = service.share_language(share, settings)
            message = link_email.reminder_email(share, service.link_for(settings, share, language), settings, now,
                                                language)
            service.mark_reminder_sent(session, share, now)
            email_id = outbox.add(session, message, now)
            session.commit()  # the reminder is marked sent with its email: a rerun never sends twice
            send_after_commit(email_id)
            reminded.append(share.id)
    return reminded


def notify_case_system(share_id: str, event: str) -> None:
    """Tell the case system, in the background, that the requester first downloaded ("downloaded", or
    "first download") or removed ("removed") the share's documents, or that wrong codes locked it ("locked"). Call it after the change is committed. Nothing is sent
    when neither the share nor SHARE_WEBHOOK_URL names a webhook."""
    event = webhooks.ALIASES.get(event, event)
    if event not in webhooks.EVENTS:
        raise ValueError(f"unknown share event {event!r}; known: {', '.join(webhooks.EVENTS)}")
    _app, services, _settings = _context()
    deliver_webhook(share_id, event, services.clock.now().isoformat().replace("+00:00", "Z"))


@huey.task(retries=12, retry_delay=30, retry_backoff=2)
def deliver_webhook(share_id: str, event: str, occurred_at: str) -> str:
    app, services, settings = _context()
    with app.app_context(), get_db().sessionmaker() as session:
        share = session.get(Share, share_id)
        url = share and (share.webhook_url or settings.share_webhook_url)
        if not url:
            return "no webhook"
        try:
            status = webhooks.send(url, webhooks.payload(share, event, occurred_at))
        except webhooks.WebhookRejected as exc:
            log.error("share %s: the case system refused the %s event (%s); not retried", share_id, event, exc)
            audit.record(session, share, services.clock.now(), "case system refused notification", "system",
                           event=event, reason=str(exc))
            session.commit()
            return "rejected"
        except webhooks.WebhookFailed as exc:
            log.warning("share %s: %s event not delivered yet, will retry (%s)", share_id, event, exc)
            raise
        audit.record(session, share, services.clock.now(), "case system notified", "system", event=event,
                       status=status)
        session.commit()
        return "delivered"
