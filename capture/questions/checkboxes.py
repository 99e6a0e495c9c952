"""Any number of options ticked; the answer keeps the form's order, whatever order they came in."""
from __future__ import annotations

from typing import ClassVar, Literal

from flask_babel import gettext as _
from pydantic import Field

from capture.answers import Checked
from capture.questions.choices import ChoiceQuestion, Option


class CheckboxesQuestion(ChoiceQuestion):
    type: Literal["checkboxes"]
    options: tuple[Option, ...] = Field(min_length=1)

    template: ClassVar[str] = "capture/questions/checkboxes.html"
    payload_type: ClassVar[str] = "array"
    heading_in_legend: ClassVar[bool] = True

    def parse(self, form, *, today=None) -> Checked:
        values = form.getlist(self.id)
        allowed = [o.value for o in self.options]
        chosen = [v for v in allowed if v in values]
        result = Checked(raw={self.id: chosen})
        if set(values) - set(allowed) or (self.required and not chosen):
            result.errors[self.id] = self.error("required", _("Select %(label)s", label=self.summary.lower()))
        result.value = chosen
        return result

    def worded_by_label(self) -> set[str]:
        return {"required"}  # shown for a tampered value even when optional

    def lines(self, value) -> list[str]:
        return [self.text_of(v) for v in value]
