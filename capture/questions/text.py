"""Free text in the person's own words (a request, a complaint): several lines, with a character count."""
from __future__ import annotations

from typing import ClassVar, Literal

from flask_babel import gettext as _

from capture.answers import Checked, clean_text
from capture.questions.base import Question


class TextQuestion(Question):
    type: Literal["text"]
    max_length: int = 0
    """The most characters accepted (the character count's limit); 0 for 10,000."""

    template: ClassVar[str] = "capture/questions/text.html"
    error_kinds: ClassVar[frozenset[str]] = frozenset({"required", "too_long"})
    free_text: ClassVar[bool] = True
    default_max: ClassVar[int] = 10_000

    @property
    def limit(self) -> int:
        return self.max_length or self.default_max

    def parse(self, form, *, today=None) -> Checked:
        value = clean_text(form.get(self.id), multiline=True)
        result = Checked(raw={self.id: value})
        if not value:
            if self.required:
                result.errors[self.id] = self.error("required", _("Enter %(label)s", label=self.summary.lower()))
        elif len(value) > self.limit:
            result.errors[self.id] = self.error("too_long", _("%(label)s must be %(num)s characters or less", label=self.summary, num=f"{self.limit:,}"))
        result.value = value or None
        return result

    def worded_by_label(self) -> set[str]:
        return {"too_long", "required"} if self.required else {"too_long"}

    def lines(self, value) -> list[str]:
        return str(value).split("\n")
