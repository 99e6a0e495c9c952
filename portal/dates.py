"""Dates and times the GOV.UK way, in Europe/London: "25 June 2026" and "25 June 2026 at 6:00pm"."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LONDON)


def govuk_date(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = london(value)
    return f"{value.day} {value:%B %Y}"


def govuk_time(moment: dt.datetime) -> str:
    local = london(moment)
    if local.hour == 12 and local.minute == 0:
        return "midday"
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def govuk_datetime(moment: dt.datetime) -> str:
    return f"{govuk_date(moment)} at {govuk_time(moment)}"


def minutes_to_wait(wait: dt.timedelta) -> str:
    """A wait in words, rounded up to the minute: "1 minute", "45 minutes", "1 hour"."""
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    if minutes >= 60:
        return "1 hour"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
