"""Sending email alerts: each due alert's search, among the entries that became public since it last looked, as
one email through the portal's outbox.

A worker takes a due alert with a lease (one conditional UPDATE whose row count decides, committed before the
search), so two workers never do the same alert's work at once. Its check covers a window of time, from a
little before the last check (alert_schedule.LOOKBACK) up to a horizon: now, or the second before the first
entry the search index has not caught up with yet, whichever is earlier, so no entry is passed over while it
is waiting to be indexed. The email, the record of the entries it names and the alert's move to the next
window are one transaction, which counts only if the alert is still this worker's and still at the window
it searched; the entries already recorded are left out. So no entry is ever sent twice to an alert, by a
rerun, a crash or two workers at once. Withdrawn entries are never sent: the database is asked, not the index.

The functions given a session never commit; `check` and `run` are the worker's steps and open their own
transactions.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from urllib.parse import quote

from flask_babel import gettext as _, ngettext
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from disclosure_log import alert_schedule, alerts
from disclosure_log.alert_search import AlertSearch, lines_for_email
from disclosure_log.index import SearchIndex, SearchIndexError
from disclosure_log.models import PENDING, Alert, AlertSent, Disclosure
from disclosure_log.presenters import number, shown
from portal import outbox
from portal.adapters.ports import EmailMessage
from portal.dates import govuk_date
from portal.i18n import in_language, localised
from portal.jobs import send_after_commit

log = logging.getLogger(__name__)

LEASE = dt.timedelta(minutes=10)
LISTED = 20  # entries named in one email; the rest are "and 12 more", with a link to the search
FETCHED = 1000  # entries of one window read and recorded
BATCH = 200
SECOND = dt.timedelta(seconds=1)


def horizon(session: Session, now: dt.datetime) -> dt.datetime:
    """The last whole second a check may cover: now, unless an entry public by now is still waiting for the index."""
    until = now.replace(microsecond=0)
    waiting = session.scalar(select(func.min(Disclosure.publish_at)).where(
        Disclosure.index_state == PENDING, Disclosure.publish_at <= now))
    if waiting is not None:
        until = min(until, waiting.replace(microsecond=0) - SECOND)
    return until


def _free(now: dt.datetime):
    return or_(Alert.locked_until.is_(None), Alert.locked_until < now)


def due_ids(session: Session, now: dt.datetime, until: dt.datetime, limit: int = BATCH) -> list[int]:
    """Alerts due a check that has something to cover (their last check did not reach the horizon) and are free."""
    return list(session.scalars(select(Alert.id).where(
        Alert.status == "active", Alert.next_check_at <= now, Alert.checked_until < until, _free(now))
        .order_by(Alert.next_check_at, Alert.id).limit(limit)))


def claim(session: Session, alert_id: int, now: dt.datetime, worker: str) -> bool:
    """Take the alert if it is due and free: one atomic UPDATE, the first statement of its transaction."""
    return session.execute(update(Alert).where(
        Alert.id == alert_id, Alert.status == "active", Alert.next_check_at <= now, _free(now),
    ).values(locked_until=now + LEASE, locked_by=worker)).rowcount == 1


@dataclasses.dataclass(frozen=True)
class Window:
    alert_id: int
    checked_until: dt.datetime
    after: dt.datetime  # entries public after this second...
    until: dt.datetime  # ...up to and including this one


def _release(db, alert_id: int, worker: str) -> None:
    with db.transaction() as session:
        session.execute(update(Alert).where(Alert.id == alert_id, Alert.locked_by == worker)
                        .values(locked_until=None, locked_by=None))


def _anything_new(session: Session, after: dt.datetime, until: dt.datetime, seen: dict) -> bool:
    """Whether any entry at all became public in the window (most checks find none and search nothing)."""
    if (after, until) not in seen:
        seen[(after, until)] = session.scalar(select(Disclosure.id).where(
            Disclosure.status == "published", Disclosure.publish_at >= after + SECOND,
            Disclosure.publish_at < until + SECOND).limit(1)) is not None
    return seen[(after, until)]


def check(db, index: SearchIndex, settings, now: dt.datetime, until: dt.datetime, alert_id: int, worker: str,
          seen: dict | None = None) -> str:
    """Check one alert once, if it is due. Returns: sent | nothing | waiting | busy (another worker has it, or it
    has gone)."""
    seen = {} if seen is None else seen
    with db.transaction() as session:  # the lease is committed before the index is asked
        if not claim(session, alert_id, now, worker):
            return "busy"
    with db.sessionmaker() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:  # unsubscribed since it was taken
            return "busy"
        wanted, checked_until = AlertSearch.from_stored(alert.search), alert.checked_until
        window = Window(alert_id, checked_until, max(checked_until - alert_schedule.LOOKBACK,
                                                     alert_schedule.starts(alert.confirmed_at)), until)
        anything = until > checked_until and _anything_new(session, window.after, window.until, seen)
    if until <= checked_until:  # the index is behind this alert's last check: it waits, due as it was
        _release(db, alert_id, worker)
        return "waiting"
    found, total = [], 0
    if anything:
        try:
            result = index.search(wanted.request(after=window.after, until=window.until, limit=FETCHED))
        except SearchIndexError:
            _release(db, alert_id, worker)
            raise
        found, total = result.ids, result.total
    return _finish(db, settings, now, window, wanted, found, total, worker)


def _finish(db, settings, now: dt.datetime, window: Window, wanted: AlertSearch, found: list[int], total: int,
            worker: str) -> str:
    with db.transaction() as session:
        moved = session.execute(update(Alert).where(  # first: it takes the row's lock (SQLite: the database's)
            Alert.id == window.alert_id, Alert.status == "active", Alert.locked_by == worker,
            Alert.checked_until == window.checked_until,
        ).values(checked_until=window.until, locked_until=None, locked_by=None)).rowcount
        if moved != 1:  # the lease lapsed and another worker took this window, or the alert is gone
            return "busy"
        alert = session.get(Alert, window.alert_id)
        alert.next_check_at = alert_schedule.next_check(alert.frequency, now)
        entries = _new_entries(session, window, found)
        if not entries:
            return "nothing"
        for entry in entries:
            session.add(AlertSent(alert_id=alert.id, disclosure_id=entry.id, sent_at=now))
        alert.last_sent_at = now
        more = len(entries) - LISTED + max(0, total - len(found))
        email_id = outbox.add(session, alert_email(alert, wanted, entries[:LISTED], max(0, more), settings), now)
        log.info("disclosure alert %s: %d new entries emailed", alert.id, len(entries))
    send_after_commit(email_id)
    return "sent"


def _new_entries(session: Session, window: Window, found: list[int]) -> list[Disclosure]:
    """The entries found, in the index's order, that the database says are public, in the window, and not sent."""
    if not found:
        return []
    sent = set(session.scalars(select(AlertSent.disclosure_id).where(
        AlertSent.alert_id == window.alert_id, AlertSent.disclosure_id.in_(found))))
    rows = {entry.id: entry for entry in session.scalars(select(Disclosure).where(
        Disclosure.id.in_(found), Disclosure.status == "published",
        and_(Disclosure.publish_at >= window.after + SECOND, Disclosure.publish_at < window.until + SECOND)))}
    return [rows[i] for i in found if i in rows and i not in sent]


def run(db, index: SearchIndex, settings, clock, worker: str) -> dict[str, int]:
    """The job: every due alert checked once, in batches; counts by outcome. Stops while the index is down."""
    counts: dict[str, int] = {}
    now = clock.now()
    with db.sessionmaker() as session:
        until = horizon(session, now)
    seen: dict = {}
    tried: set[int] = set()
    while True:
        with db.sessionmaker() as session:
            ids = [i for i in due_ids(session, now, until) if i not in tried]
        if not ids:
            return counts
        for alert_id in ids:
            tried.add(alert_id)
            try:
                outcome = check(db, index, settings, now, until, alert_id, worker, seen)
            except SearchIndexError:
                log.warning("disclosure alerts wait: the search index is not answering")
                return counts
            counts[outcome] = counts.get(outcome, 0) + 1


# The email --------------------------------------------------------------------------------------

def alert_email(alert: Alert, wanted: AlertSearch, listed: list[Disclosure], more: int, settings) -> EmailMessage:
    """In the subscriber's language: each entry by its title in it (its own Welsh version's, when it has one)."""
    language = alerts.alert_language(alert, settings)
    with in_language(language):
        return _alert_email(alert, wanted, listed, more, settings, language)


def _alert_email(alert: Alert, wanted: AlertSearch, listed: list[Disclosure], more: int, settings,
                 language: str) -> EmailMessage:
    base = settings.base_url.rstrip("/")
    lang = alerts.language_query(settings, language)
    body_name = localised(settings, language).public_body_name
    count = len(listed) + more
    summary = wanted.summary()
    if summary:
        subject = ngettext("%(count)s new response matching %(summary)s", "%(count)s new responses matching %(summary)s",
                           count, count=number(count), summary=summary)
    else:
        subject = ngettext("%(count)s new response from %(body)s", "%(count)s new responses from %(body)s", count,
                           count=number(count), body=body_name)
    if alert.frequency == "daily":
        subject = _("Daily summary: %(subject)s", subject=subject)
    lines = [ngettext("%(count)s new response to Freedom of Information and Environmental Information requests has "
                      "been published in the disclosure log of %(body)s.",
                      "%(count)s new responses to Freedom of Information and Environmental Information requests have "
                      "been published in the disclosure log of %(body)s.", count, count=number(count), body=body_name),
             "", *lines_for_email(wanted), "", "---", ""]
    for entry in listed:
        lines += [shown(entry, language).title.text,
                  _("%(reference)s, published %(date)s", reference=entry.reference, date=govuk_date(entry.published)),
                  f"{base}/disclosure-log/{quote(entry.reference)}{lang}", ""]
    if more:
        lines += [_("And %(num)s more. See them all:", num=number(more)), "",
                  base + wanted.search_path(newest=True, language=alerts.link_language(settings, language)), ""]
    unsubscribe = alerts.unsubscribe_link(settings, alert)
    lines += ["---", "", _("You're getting this email because you asked for emails %(how_often)s.",
                           how_often=alert_schedule.how_often(alert.frequency)),
              "", _("Unsubscribe from this alert:"), "", unsubscribe]
    return EmailMessage(to=alert.email, subject=subject, body="\n".join(lines), unsubscribe_url=unsubscribe)
