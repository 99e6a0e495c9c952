"""What the one-line text questions (name, email, telephone) share: a GOV.UK text input and its keys."""
from __future__ import annotations

from typing import ClassVar

from capture.answers import Checked, clean_text
from capture.questions.base import Question


class SingleLineQuestion(Question):
    max_length: int = 0
    """The most characters accepted; 0 for the type's default."""
    autocomplete: str = ""
    """The input's autocomplete token, if not the type's own."""
    width: str = ""
    """GOV.UK width classes for the input, if not the type's own, like govuk-input--width-20."""

    template: ClassVar[str] = "capture/questions/single_line.html"
    input_type: ClassVar[str] = "text"
    default_autocomplete: ClassVar[str] = ""
    default_width: ClassVar[str] = ""
    default_max: ClassVar[int] = 200

    @property
    def limit(self) -> int:
        return self.max_length or self.default_max

    def _typed(self, form) -> tuple[str, Checked]:
        value = clean_text(form.get(self.id))
        return value, Checked(raw={self.id: value})
