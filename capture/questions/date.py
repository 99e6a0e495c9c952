"""A date in three boxes (day, month, year), as GOV.UK asks for a date someone knows."""
from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from flask_babel import gettext as _
from pydantic import model_validator

from capture.answers import Checked, clean_text
from capture.questions.base import Question
from portal.dates import govuk_date
from portal.i18n import N_

PARTS = ("day", "month", "year")
# GOV.UK's "Date of birth must include a month": the parts left empty, for the message's %(parts)s
MISSING_PARTS = {
    ("day",): N_("day"), ("month",): N_("month"), ("year",): N_("year"),
    ("day", "month"): N_("day and month"), ("day", "year"): N_("day and year"), ("month", "year"): N_("month and year"),
}


class DateQuestion(Question):
    type: Literal["date"]
    date_constraint: Literal["", "past", "future"] = ""
    """past: today or before (a date of birth); future: today or after."""

    template: ClassVar[str] = "capture/questions/date.html"
    error_kinds: ClassVar[frozenset[str]] = frozenset({"required", "incomplete", "invalid", "future", "past"})
    """incomplete: a part left empty; its message says which with %(parts)s ("a month", "a day and year")."""
    heading_in_legend: ClassVar[bool] = True

    def parse(self, form, *, today: dt.date | None = None) -> Checked:
        parts = {p: clean_text(form.get(f"{self.id}-{p}")) for p in PARTS}
        result = Checked(raw={f"{self.id}-{p}": v for p, v in parts.items()})
        field = f"{self.id}-day"
        label = self.summary
        if not any(parts.values()):
            if self.required:
                result.errors[field] = self.error("required", _("Enter %(label)s", label=label.lower()))
            return result
        missing = [p for p in PARTS if not parts[p]]
        if missing:
            parts = _(MISSING_PARTS[tuple(missing)])
            result.errors[f"{self.id}-{missing[0]}"] = self.error(
                "incomplete", _("%(label)s must include a %(parts)s", label=label, parts=parts), parts=parts)
            return result
        try:
            day, month, year = (int(parts[p]) for p in PARTS)
            if len(parts["year"]) != 4:
                raise ValueError
            value = dt.date(year, month, day)
        except ValueError:
            result.errors[field] = self.error("invalid", _("%(label)s must be a real date", label=label))
            return result
        if self.date_constraint == "past" and value > today:
            result.errors[field] = self.error("future", _("%(label)s must be today or in the past", label=label))
            return result
        if self.date_constraint == "future" and value < today:
            result.errors[field] = self.error("past", _("%(label)s must be today or in the future", label=label))
            return result
        result.value = value.isoformat()
        return result

    @model_validator(mode="after")
    def _incomplete_fills_in(self):
        own = self.errors.get("incomplete")
        for text in (own.en, own.cy) if own else ():
            try:
                text % {"parts": "day"}
            except (ValueError, TypeError, KeyError):
                raise ValueError("errors.incomplete: write %(parts)s for the parts left empty, and %% for a %") from None
        return self

    def worded_by_label(self) -> set[str]:
        kinds = {"incomplete", "invalid"} | ({"required"} if self.required else set())
        kinds |= {"future"} if self.date_constraint == "past" else {"past"} if self.date_constraint == "future" else set()
        return kinds - set(self.errors)

    def lines(self, value) -> list[str]:
        return [govuk_date(dt.date.fromisoformat(value))]
