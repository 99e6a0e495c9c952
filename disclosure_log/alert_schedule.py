"""When an email alert is checked: at every run of the alerts job (every CHECK_EVERY) if it is sent as entries are
published, or once a day at DAILY_AT London time (British Summer Time or not) for a daily summary."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from portal.dates import LONDON

CHECK_EVERY = dt.timedelta(minutes=2)  # how often the job runs (disclosure_log/jobs.py)
IMMEDIATE_STEP = dt.timedelta(minutes=1)  # an alert checked now is due again at the next run
DAILY_AT = dt.time(7, 0)
# A check looks back this far past the last one: an entry whose publishing transaction began before that check and
# committed after it (a big attachment being scanned) is still found. The entries sent record stops it twice.
LOOKBACK = dt.timedelta(hours=1)
SENT_KEPT = dt.timedelta(days=90)  # far longer than LOOKBACK: only an entry taken down and published again is older


def starts(confirmed_at: dt.datetime) -> dt.datetime:
    """An alert covers entries public from the start of the minute it was confirmed in: an entry published in that
    minute is public from its start (disclosure_log/service.py), and must not be missed for it."""
    return confirmed_at.replace(second=0, microsecond=0) - dt.timedelta(seconds=1)


def next_daily(now: dt.datetime) -> dt.datetime:
    """The next DAILY_AT in London after `now`, in UTC."""
    local = now.astimezone(LONDON)
    day = local.date()
    while True:
        moment = dt.datetime.combine(day, DAILY_AT, LONDON).astimezone(dt.timezone.utc)
        if moment > now:
            return moment
        day += dt.timedelta(days=1)


def next_check(frequency: str, now: dt.datetime) -> dt.datetime:
    return next_daily(now) if frequency == "daily" else now + IMMEDIATE_STEP


def how_often(frequency: str) -> str:
    """For the pages and emails: "as soon as they're published" or "once a day"."""
    if frequency == "daily":
        return _("once a day, at about 7am, when there are new responses")
    return _("when new responses are published, usually within a few minutes")
