"""Dates and times the GOV.UK way, in Europe/London, in English or Welsh.

"25 June 2026 at 6:00pm" and, in Welsh, "25 Mehefin 2026 am 6:00yh" (yb, y bore, before midday; yh, yr hwyr,
after). Without a `language` they are written in the language of the page or email being made
(portal.i18n.current_language), so the govuk_date and govuk_datetime filters follow the page.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "cy": ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi", "Hydref",
           "Tachwedd", "Rhagfyr"),
}
# before midday, after midday, midday, midnight, and the word before a time
TIME_WORDS = {
    "en": ("am", "pm", "midday", "midnight", "at"),
    "cy": ("yb", "yh", "hanner dydd", "hanner nos", "am"),
}


def london(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(LONDON)


def _language(language: str | None) -> str:
    if language is None:
        from portal.i18n import current_language

        language = current_language()
    return language if language in MONTHS else "en"


def govuk_date(value: dt.date | dt.datetime, language: str | None = None) -> str:
    if isinstance(value, dt.datetime):
        value = london(value)
    return f"{value.day} {MONTHS[_language(language)][value.month - 1]} {value.year}"


def govuk_time(moment: dt.datetime, language: str | None = None) -> str:
    before, after, midday, midnight, _at = TIME_WORDS[_language(language)]
    local = london(moment)
    if local.hour == 12 and local.minute == 0:
        return midday
    if local.hour == 0 and local.minute == 0:
        return midnight
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d}{before if local.hour < 12 else after}"


def govuk_datetime(moment: dt.datetime, language: str | None = None) -> str:
    language = _language(language)
    return f"{govuk_date(moment, language)} {TIME_WORDS[language][4]} {govuk_time(moment, language)}"


def minutes_to_wait(wait: dt.timedelta) -> str:
    """A wait in words, rounded up to the minute: "1 minute", "45 minutes", "1 hour" (in the page's language)."""
    from flask_babel import gettext, ngettext

    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    if minutes >= 60:
        return gettext("1 hour")
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)
