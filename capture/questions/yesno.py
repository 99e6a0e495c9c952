"""Yes or no: radios side by side, "yes" and "no" unless the form names its own two options."""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import field_validator

from capture.questions.choices import Option
from capture.questions.radios import RadiosQuestion
from capture.texts import Text
from portal.i18n import N_

# Welsh answers a yes-no question with the question's verb ("Ydw", "Oes", "Ydy"): a Welsh form gives its own
# options; these defaults are the catalogue's general "Ie" and "Na".
YES_NO = (Option(value="yes", text=Text.message(N_("Yes"))), Option(value="no", text=Text.message(N_("No"))))


class YesNoQuestion(RadiosQuestion):
    type: Literal["yesno"]
    options: tuple[Option, ...] = YES_NO

    template: ClassVar[str] = "capture/questions/yesno.html"
    inline: ClassVar[bool] = True

    @field_validator("options")
    @classmethod
    def _yes_and_no_by_default(cls, options: tuple[Option, ...]) -> tuple[Option, ...]:
        return options or YES_NO
