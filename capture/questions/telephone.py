"""A UK or international telephone number: digits, spaces, brackets, hyphens and a leading +."""
from __future__ import annotations

import re
from typing import ClassVar, Literal

from flask_babel import gettext as _

from capture.answers import Checked
from capture.questions.single_line import SingleLineQuestion

TELEPHONE = re.compile(r"^\+?[0-9 ()\-]{7,25}$")


class TelephoneQuestion(SingleLineQuestion):
    type: Literal["telephone"]

    template: ClassVar[str] = "capture/questions/telephone.html"
    error_kinds: ClassVar[frozenset[str]] = frozenset({"required", "invalid"})
    input_type: ClassVar[str] = "tel"
    default_autocomplete: ClassVar[str] = "tel"
    default_width: ClassVar[str] = "govuk-input--width-20"
    default_max: ClassVar[int] = 25

    def parse(self, form, *, today=None) -> Checked:
        value, result = self._typed(form)
        if not value:
            if self.required:
                result.errors[self.id] = self.error("required", _("Enter a telephone number"))
            return result
        digits = re.sub(r"\D", "", value)
        if not TELEPHONE.match(value) or not 7 <= len(digits) <= 15:
            result.errors[self.id] = self.error(
                "invalid", _("Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"))
            return result
        result.value = value
        return result
