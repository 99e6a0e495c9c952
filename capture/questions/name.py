"""A person's full name: one line of text, as they write it."""
from __future__ import annotations

from typing import ClassVar, Literal

from capture.answers import Checked
from capture.questions.single_line import SingleLineQuestion


class NameQuestion(SingleLineQuestion):
    type: Literal["name"]

    template: ClassVar[str] = "capture/questions/name.html"
    error_kinds: ClassVar[frozenset[str]] = frozenset({"required", "too_long"})
    default_autocomplete: ClassVar[str] = "name"
    default_width: ClassVar[str] = "govuk-!-width-two-thirds"

    def parse(self, form, *, today=None) -> Checked:
        value, result = self._typed(form)
        if not value:
            if self.required:
                result.errors[self.id] = self.error("required", "Enter your full name")
        elif len(value) > self.limit:
            result.errors[self.id] = self.error("too_long", f"Full name must be {self.limit} characters or less")
        result.value = value or None
        return result
