"""A person's full name: one line of text, as they write it."""
from __future__ import annotations

from typing import ClassVar, Literal

from flask_babel import gettext as _

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
                result.errors[self.id] = self.error("required", _("Enter your full name"))
        elif len(value) > self.limit:
            result.errors[self.id] = self.error("too_long", _("Full name must be %(num)d characters or less", num=self.limit))
        result.value = value or None
        return result
