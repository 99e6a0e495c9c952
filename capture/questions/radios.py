"""One choice from a list of options."""
from __future__ import annotations

from typing import ClassVar, Literal

from flask_babel import gettext as _
from pydantic import Field

from capture.answers import Checked
from capture.questions.choices import ChoiceQuestion, Option


class RadiosQuestion(ChoiceQuestion):
    type: Literal["radios"]
    options: tuple[Option, ...] = Field(min_length=1)

    template: ClassVar[str] = "capture/questions/radios.html"
    heading_in_legend: ClassVar[bool] = True
    inline: ClassVar[bool] = False

    def parse(self, form, *, today=None) -> Checked:
        value = form.get(self.id, "")
        result = Checked(raw={self.id: value})
        if value in {o.value for o in self.options}:
            result.value = value
        elif value or self.required:
            # An unknown value means a tampered form: the same message as choosing nothing.
            result.errors[self.id] = self.error("required", _("Select %(label)s", label=self.summary.lower()))
        return result

    def worded_by_label(self) -> set[str]:
        return set() if "required" in self.errors else {"required"}  # shown for a tampered value even when optional

    def lines(self, value) -> list[str]:
        return [self.text_of(value)]
