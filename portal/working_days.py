"""The UK working-day calendar: weekends, Christmas Day, Good Friday and bank holidays.

For FOI and EIR a working day is any day but a Saturday, a Sunday, Christmas Day, Good Friday or a bank
holiday anywhere in the UK (FOIA s.10(6)), so the holidays are those of England and Wales, Scotland and
Northern Ireland together: the default, `nation=None`. Where the law does not say "any part of the
United Kingdom" (UK GDPR's month for subject access runs to the next working day of the body itself), a
clock passes the body's nation (settings BODY_NATION): england, wales, scotland or northern-ireland.
Capture's clocks count in it, and the Disclosure Log says with it how many working days a response took.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

_UK = holidays.country_holidays("GB")
NATIONS = {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern-ireland": "NIR"}


def is_working_day(day: dt.date, nation: str | None = None) -> bool:
    """Not a Saturday, Sunday, Christmas Day, Good Friday or bank holiday anywhere in the UK (FOIA s.10(6)),
    or, given a nation, there."""
    _require_date(day)
    return day.weekday() < 5 and day not in _bank_holidays(day.year, nation)


def first_working_day_from(day: dt.date, nation: str | None = None) -> dt.date:
    """`day` itself when it is a working day, else the next one."""
    while not is_working_day(day, nation):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.date, days: int, nation: str | None = None) -> dt.date:
    """The `days`-th working day after `start`; `start` itself never counts, working day or not."""
    _require_date(start)
    if days < 0:
        raise ValueError("cannot add a negative number of working days")
    day = start
    for _ in range(days):
        day = first_working_day_from(day + dt.timedelta(days=1), nation)
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`: the working days a case took.

    Received on a Monday and answered on the Tuesday is 1; negative when `end` is before `start`.
    """
    _require_date(start)
    _require_date(end)
    if end < start:
        return -working_days_between(end, start)
    closed = sum(1 for year in range(start.year, end.year + 1) for day in _bank_holidays(year, None)
                 if start < day <= end and day.weekday() < 5)
    return _weekdays_up_to(end) - _weekdays_up_to(start) - closed


def _weekdays_up_to(day: dt.date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday, ordinal 1) to `day` inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


@lru_cache(maxsize=None)
def _bank_holidays(year: int, nation: str | None) -> frozenset[dt.date]:
    """Bank holidays in `nation` (None: in England, Wales, Scotland or Northern Ireland) in `year`, with
    their substitute days."""
    if not _UK.start_year <= year <= _UK.end_year:
        # The holidays package knows nothing past its range: a silent empty set would misstate the law.
        raise ValueError(f"no UK bank holiday calendar for {year}")
    if nation is not None and nation not in NATIONS:
        raise ValueError(f"unknown nation {nation!r}: use one of {', '.join(NATIONS)}")
    found: set[dt.date] = set()
    for subdivision in [NATIONS[nation]] if nation else _UK.subdivisions:
        # Neighbouring years too, in case a substitute day crosses the new year.
        found.update(holidays.country_holidays("GB", subdiv=subdivision, years=(year - 1, year, year + 1)))
    return frozenset(day for day in found if day.year == year)


def _require_date(value: object) -> None:
    # A datetime is a date subclass but never equals one, so it would slip past the holiday check.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"expected a date, not {type(value).__name__}: use receipt_date() for a moment in time")
