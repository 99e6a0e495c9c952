"""A date in three boxes (day, month, year), as GOV.UK asks for a date someone knows."""
from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from capture.answers import Checked, clean_text
from capture.questions.base import Question
from portal.dates import govuk_date

PARTS = ("day", "month", "year")


class DateQuestion(Question):
    type: Literal["date"]
    date_constraint: Literal["", "past", "future"] = ""
    """past: today or before (a date of birth); future: today or after."""

    template: ClassVar[str] = "capture/questions/date.html"
    error_kinds: ClassVar[frozenset[str]] = frozenset({"required", "invalid", "future", "past"})
    heading_in_legend: ClassVar[bool] = True

    def parse(self, form, *, today: dt.date | None = None) -> Checked:
        parts = {p: clean_text(form.get(f"{self.id}-{p}")) for p in PARTS}
        result = Checked(raw={f"{self.id}-{p}": v for p, v in parts.items()})
        field = f"{self.id}-day"
        label = self.summary
        if not any(parts.values()):
            if self.required:
                result.errors[field] = self.error("required", f"Enter {label.lower()}")
            return result
        missing = [p for p in PARTS if not parts[p]]
        if missing:
            result.errors[f"{self.id}-{missing[0]}"] = f"{label} must include a {' and '.join(missing)}"
            return result
        try:
            day, month, year = (int(parts[p]) for p in PARTS)
            if len(parts["year"]) != 4:
                raise ValueError
            value = dt.date(year, month, day)
        except ValueError:
            result.errors[field] = self.error("invalid", f"{label} must be a real date")
            return result
        if self.date_constraint == "past" and value > today:
            result.errors[field] = self.error("future", f"{label} must be today or in the past")
            return result
        if self.date_constraint == "future" and value < today:
            result.errors[field] = self.error("past", f"{label} must be today or in the future")
            return result
        result.value = value.isoformat()
        return result

    def lines(self, value) -> list[str]:
        return [govuk_date(dt.date.fromisoformat(value))]
