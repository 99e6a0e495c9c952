"""Statutory due dates: the day by which a public body must answer a request.

FOI and EIR count 20 working days (FOIA s.10; EIR reg. 2(1) adopts the FOIA meaning of "working
day"), in which a bank holiday in any part of the UK is not a working day; a subject access request
runs for one calendar month by the ICO's corresponding-day rule, to the body's own next working day
(UK GDPR says nothing of "any part of the UK", so the body's nation decides: BODY_NATION); other case
types name a rule in their form definition, such as ``{"working_days": 10}``, counted in the body's
nation too.

A clock may wait before it starts: a SAR whose proof of identity is to follow starts when it arrives
(ICO), so it has no due date yet. Its status says so: `WAITING` below.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

from flask_babel import gettext as _, ngettext

from portal.dates import LONDON  # noqa: E402 - one definition of the zone the law counts in
from portal.i18n import N_
from portal.working_days import add_working_days, first_working_day_from

Unit = Literal["working_days", "calendar_days", "calendar_months"]
UNITS: tuple[Unit, ...] = get_args(Unit)
# Longer than a year is a typo in a form definition, not a service level.
_MAX_AMOUNT: Mapping[Unit, int] = MappingProxyType(
    {"working_days": 260, "calendar_days": 366, "calendar_months": 12})
_UNIT_WORDS: Mapping[Unit, str] = MappingProxyType(
    {"working_days": "working day", "calendar_days": "calendar day", "calendar_months": "calendar month"})


@dataclass(frozen=True)
class DueDateRule:
    """How long a body has to answer: an amount of a unit, and the law or policy it comes from."""

    unit: Unit
    amount: int
    basis: str = ""
    uk_wide: bool = False  # the law counts bank holidays in any part of the UK (FOIA s.10(6))

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
        return f"{length}, under {self.basis}" if self.basis else length

    def length_in_words(self) -> str:
        """The time allowed, for a page or an email, in its language: "20 working days", "one calendar month"."""
        if self.unit == "working_days":
            return _("one working day") if self.amount == 1 else ngettext(
                "%(num)d working day", "%(num)d working days", self.amount)
        if self.unit == "calendar_days":
            return _("one calendar day") if self.amount == 1 else ngettext(
                "%(num)d calendar day", "%(num)d calendar days", self.amount)
        return _("one calendar month") if self.amount == 1 else ngettext(
            "%(num)d calendar month", "%(num)d calendar months", self.amount)

    def in_words(self) -> str:
        """`description` in the page's or the email's language (a statutory basis translated; a form's own
        basis as the form gives it)."""
        if not self.basis:
            return self.length_in_words()
        return _("%(length)s, under %(basis)s", length=self.length_in_words(), basis=_(self.basis))

    @property
    def statutory(self) -> bool:
        """A time limit in law (the body must respond by), not a policy (the body aims to reply by)."""
        return self in STATUTORY_RULES.values()

    def to_dict(self) -> dict[str, int | str | bool]:
        """The rule as a form definition writes it; `rule_from` reads it back."""
        spec: dict[str, int | str | bool] = {self.unit: self.amount}
        if self.basis:
            spec["basis"] = self.basis
        if self.uk_wide:
            spec["uk_wide"] = True
        return spec

    def due_date(self, received_at: dt.datetime, nation: str = "england") -> dt.date:
        """Working days count from the day after receipt; a calendar period that ends on a weekend or
        bank holiday runs to the next working day, as the ICO says for subject access. `nation` is the
        body's, for every rule whose law is not UK-wide."""
        received_on = receipt_date(received_at)
        calendar_of = None if self.uk_wide else nation
        if self.unit == "working_days":
            return add_working_days(received_on, self.amount, calendar_of)
        if self.unit == "calendar_months":
            last_day = _corresponding_day(received_on, self.amount)
        else:
            last_day = received_on + dt.timedelta(days=self.amount)
        return first_working_day_from(last_day, calendar_of)


STATUTORY_RULES: Mapping[str, DueDateRule] = MappingProxyType({
    "foi": DueDateRule("working_days", 20, N_("the Freedom of Information Act 2000, section 10"), uk_wide=True),
    "eir": DueDateRule("working_days", 20, N_("the Environmental Information Regulations 2004, regulation 5(2)"),
                       uk_wide=True),
    "sar": DueDateRule("calendar_months", 1, N_("UK GDPR, Article 12(3)")),
})

# A clock's status -> when it starts, for people. "running" has a due date; the others have none yet.
WAITING: Mapping[str, str] = MappingProxyType({
    "awaiting_identity": N_("when we have your proof of identity"),
    "awaiting_fee": N_("when we have your fee"),
})
CLOCK_STATUSES = ("running", *WAITING)

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
    unknown = set(spec) - {*UNITS, "basis", "uk_wide"}
    if unknown:
        raise ValueError(f"unknown key in due date rule: {', '.join(sorted(map(str, unknown)))}")
    units = [unit for unit in UNITS if unit in spec]
    if len(units) != 1:
        raise ValueError(f"a due date rule needs exactly one of {', '.join(UNITS)}")
    return DueDateRule(units[0], spec[units[0]], spec.get("basis", ""),  # type: ignore[arg-type]
                       uk_wide=spec.get("uk_wide") is True)


def due_date(rule: RuleSpec, received_at: dt.datetime, nation: str = "england") -> dt.date:
    """The last day to answer a request received at `received_at` (timezone-aware) under `rule`, by a
    body in `nation`."""
    return rule_from(rule).due_date(received_at, nation)


def describe(rule: RuleSpec) -> str:
    """The rule in words, to store with a submission and show to the requester."""
    return rule_from(rule).description


def receipt_date(received_at: dt.datetime) -> dt.date:
    """The day of receipt in the UK: 23:30 UTC on 31 March, in summer time, is 1 April."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("the receipt time must be timezone-aware")
    return received_at.astimezone(LONDON).date()


def _corresponding_day(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later, or that month's last day if it is shorter (ICO)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 + months, 12)
    month = month_index + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
