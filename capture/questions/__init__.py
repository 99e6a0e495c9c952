"""The question types a form file can use, by name: the one list that definitions, the journey,
the page template, the read-back and the payload all go through.

A new type is a module here with a Question subclass (its keys, `parse`, `lines`, `payload_value`,
`template`), a partial in capture/templates/capture/questions/, and a line in QUESTION_TYPES.
"""
from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from capture.questions.address import AddressQuestion
from capture.questions.base import PageOutcome, PostContext, Question
from capture.questions.checkboxes import CheckboxesQuestion
from capture.questions.choices import Option
from capture.questions.date import DateQuestion
from capture.questions.email import EmailQuestion
from capture.questions.file import FileQuestion
from capture.questions.name import NameQuestion
from capture.questions.radios import RadiosQuestion
from capture.questions.telephone import TelephoneQuestion
from capture.questions.text import TextQuestion
from capture.questions.yesno import YesNoQuestion

QUESTION_TYPES: dict[str, type[Question]] = {
    cls.type_name(): cls
    for cls in (NameQuestion, EmailQuestion, TelephoneQuestion, AddressQuestion, TextQuestion, DateQuestion,
                RadiosQuestion, CheckboxesQuestion, YesNoQuestion, FileQuestion)
}

# A question in a form file: its "type" picks the class, and only that class's keys are allowed.
AnyQuestion = Annotated[Union[tuple(QUESTION_TYPES.values())], Field(discriminator="type")]  # noqa: UP007

__all__ = ["QUESTION_TYPES", "AnyQuestion", "Option", "PageOutcome", "PostContext", "Question"]
