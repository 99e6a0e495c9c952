"""Statutory due dates: the day by which a public body must answer a request.

FOI and EIR count 20 working days (FOIA s.10; EIR reg. 2(1) adopts the FOIA meaning of "working
day"); a subject access request runs for one calendar month by the ICO's corresponding-day rule;
other case types name a rule in their form definition, such as ``{"working_days": 10}``.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import holidays

from portal.dates import LONDON  # noqa: E402 - one definition of the zone the law counts in

Unit = Literal["working_days", "calendar_days", "calendar_months"]
UNITS: tuple[Unit, ...] = get_args(Unit)
# Longer than a year is a typo in a form definition, not a service level.
_MAX_AMOUNT: Mapping[Unit, int] = MappingProxyType(
    {"working_days": 260, "calendar_days": 366, "calendar_months": 12})
_UNIT_WORDS: Mapping[Unit, str] = MappingProxyType(
    {"working_days": "working day", "calendar_days": "calendar day", "calendar_months": "calendar month"})

_UK = holidays.country_holidays("GB")


@dataclass(frozen=True)
class DueDateRule:
    """How long a body has to answer: an amount of a unit, and the law or policy it comes from."""

    unit: Unit
    amount: int
    basis: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown due date unit {self.unit!r}: use one of {', '.join(UNITS)}")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise ValueError(f"the number of {self.unit} must be a whole number, not {self.amount!r}")
        if not 1 <= self.amount <= _MAX_AMOUNT[self.unit]:
            raise ValueError(f"the number of {self.unit} must be from 1 to {_MAX_AMOUNT[self.unit]}")
        if not isinstance(self.basis, str):
            raise ValueError("the basis of a due date rule must be text")

    @property
    def description(self) -> str:
        """For people: "20 working days (Freedom of Information Act 2000, section 10)"."""
        word = _UNIT_WORDS[self.unit]
        length = f"one {word}" if self.amount == 1 else f"{self.amount} {word}s"
        return f"{length} ({self.basis})" if self.basis else length

    def to_dict(self) -> dict[str, int | str]:
        """The rule as a form definition writes it; `rule_from` reads it back."""
        spec: dict[str, int | str] = {self.unit: self.amount}
        if self.basis:
            spec["basis"] = self.basis
        return spec

    def due_date(self, received_at: dt.datetime) -> dt.date:
        """Working days count from the day after receipt; a calendar period that ends on a weekend or
        bank holiday runs to the next working day, as the ICO says for subject access."""
        received_on = receipt_date(received_at)
        if self.unit == "working_days":
            return add_working_days(received_on, self.amount)
        if self.unit == "calendar_months":
            last_day = _corresponding_day(received_on, self.amount)
        else:
            last_day = received_on + dt.timedelta(days=self.amount)
        return _first_working_day_from(last_day)


STATUTORY_RULES: Mapping[str, DueDateRule] = MappingProxyType({
    "foi": DueDateRule("working_days", 20, "Freedom of Information Act 2000, section 10"),
    "eir": DueDateRule("working_days", 20, "Environmental Information Regulations 2004, regulation 5(2)"),
    "sar": DueDateRule("calendar_months", 1, "UK GDPR, Article 12(3)"),
})

RuleSpec = str | Mapping[str, object] | DueDateRule


def rule_from(spec: RuleSpec) -> DueDateRule:
    """A rule from a form definition: "foi", "eir", "sar", or {"working_days": 10, "basis": "..."}."""
    if isinstance(spec, DueDateRule):
        return spec
    if isinstance(spec, str):
        try:
            return STATUTORY_RULES[spec.strip().lower()]
        except KeyError:
            raise ValueError(f"unknown due date rule {spec!r}: use one of {', '.join(STATUTORY_RULES)}"
                             " or a mapping such as {'working_days': 10}") from None
    if isinstance(spec, Mapping):
        return _rule_from_mapping(spec)
    raise ValueError(f"a due date rule is a name or a mapping, not {type(spec).__name__}")


def _rule_from_mapping(spec: Mapping[str, object]) -> DueDateRule:
    unknown = set(spec) - {*UNITS, "basis"}
    if unknown:
        raise ValueError(f"unknown key in due date rule: {', '.join(sorted(map(str, unknown)))}")
    units = [unit for unit in UNITS if unit in spec]
    if len(units) != 1:
        raise ValueError(f"a due date rule needs exactly one of {', '.join(UNITS)}")
    return DueDateRule(units[0], spec[units[0]], spec.get("basis", ""))  # type: ignore[arg-type]


def due_date(rule: RuleSpec, received_at: dt.datetime) -> dt.date:
    """The last day to answer a request received at `received_at` (timezone-aware) under `rule`."""
    return rule_from(rule).due_date(received_at)


def describe(rule: RuleSpec) -> str:
    """The rule in words, to store with a submission and show to the requester."""
    return rule_from(rule).description


def receipt_date(received_at: dt.datetime) -> dt.date:
    """The day of receipt in the UK: 23:30 UTC on 31 March, in summer time, is 1 April."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("the receipt time must be timezone-aware")
    return received_at.astimezone(LONDON).date()


# Working days -------------------------------------------------------------------------------

def is_working_day(day: dt.date) -> bool:
    """Not a Saturday, Sunday, Christmas Day, Good Friday or bank holiday anywhere in the UK (FOIA s.10(6))."""
    _require_date(day)
    return day.weekday() < 5 and day not in _uk_bank_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start`; `start` itself never counts, working day or not."""
    _require_date(start)
    if days < 0:
        raise ValueError("cannot add a negative number of working days")
    day = start
    for _ in range(days):
        day = _first_working_day_from(day + dt.timedelta(days=1))
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`: the working days a case took.

    Received on a Monday and answered on the Tuesday is 1; negative when `end` is before `start`.
    """
    _require_date(start)
    _require_date(end)
    if end < start:
        return -working_days_between(end, start)
    closed = sum(1 for year in range(start.year, end.year + 1) for day in _uk_bank_holidays(year)
                 if start < day <= end and day.weekday() < 5)
    return _weekdays_up_to(end) - _weekdays_up_to(start) - closed


def _weekdays_up_to(day: dt.date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday, ordinal 1) to `day` inclusive."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _first_working_day_from(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _corresponding_day(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, or that month's last day if it is shorter (ICO)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month_index + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=None)
def _uk_bank_holidays(year: int) -> frozenset[dt.date]:
    """Bank holidays in England, Wales, Scotland or Northern Ireland in `year`, with their substitute days."""
    if not _UK.start_year <= year <= _UK.end_year:
        # The holidays package knows nothing past its range: a silent empty set would misstate the law.
        raise ValueError(f"no UK bank holiday calendar for {year}")
    found: set[dt.date] = set()
    for subdivision in _UK.subdivisions:
        # Neighbouring years too, in case a substitute day crosses the new year.
        found.update(holidays.country_holidays("GB", subdiv=subdivision, years=(year - 1, year, year + 1)))
    return frozenset(day for day in found if day.year == year)


def _require_date(value: object) -> None:
    # A datetime is a date subclass but never equals one, so it would slip past the holiday check.
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"expected a date, not {type(value).__name__}: use receipt_date() for a moment in time")
