"""Yes or no: radios side by side, "yes" and "no" unless the form names its own two options."""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import field_validator

from capture.questions.choices import Option
from capture.questions.radios import RadiosQuestion

YES_NO = (Option(value="yes", text="Yes"), Option(value="no", text="No"))


class YesNoQuestion(RadiosQuestion):
    type: Literal["yesno"]
    options: tuple[Option, ...] = YES_NO

    template: ClassVar[str] = "capture/questions/yesno.html"
    inline: ClassVar[bool] = True

    @field_validator("options")
    @classmethod
    def _yes_and_no_by_default(cls, options: tuple[Option, ...]) -> tuple[Option, ...]:
        return options or YES_NO
