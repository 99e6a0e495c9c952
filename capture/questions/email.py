"""An email address: checked for its format (not its deliverability) and kept normalised."""
from __future__ import annotations

from typing import ClassVar, Literal

from flask_babel import gettext as _
from email_validator import EmailNotValidError, validate_email

from capture.answers import Checked
from capture.questions.single_line import SingleLineQuestion


class EmailQuestion(SingleLineQuestion):
    type: Literal["email"]

    template: ClassVar[str] = "capture/questions/email.html"
    error_kinds: ClassVar[frozenset[str]] = frozenset({"required", "invalid"})
    input_type: ClassVar[str] = "email"
    default_autocomplete: ClassVar[str] = "email"
    default_max: ClassVar[int] = 254

    def parse(self, form, *, today=None) -> Checked:
        value, result = self._typed(form)
        if not value:
            if self.required:
                result.errors[self.id] = self.error("required", _("Enter your email address"))
            return result
        try:
            normalised = validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError:
            result.errors[self.id] = self.error(
                "invalid", _("Enter an email address in the correct format, like name@example.com"))
            return result
        if len(normalised) > self.limit:
            result.errors[self.id] = _("Email address must be %(num)d characters or less", num=self.limit)
            return result
        result.value = normalised
        return result
