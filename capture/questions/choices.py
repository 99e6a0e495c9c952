"""What the questions with options (radios, yesno, checkboxes) share: the options a form file lists."""
from __future__ import annotations

from pydantic import model_validator

from capture.questions.base import DefinitionModel, Question
from capture.texts import Text


class Option(DefinitionModel):
    value: str
    """What is stored and sent (quote it in YAML: "yes" unquoted is not text)."""
    text: Text
    """What the person reads (and the payload's answer, in English)."""
    hint: Text = Text("")

    @model_validator(mode="before")
    @classmethod
    def _comma_in_flow_mapping(cls, data):
        # {text: Bins, recycling} makes YAML read a key "recycling" and cut the text short.
        if isinstance(data, dict) and any(value is None for value in data.values()):
            loose = sorted(str(key) for key, value in data.items() if value is None)
            raise ValueError(f"option keys {loose} have no value: quote texts with commas")
        return data


class ChoiceQuestion(Question):
    options: tuple[Option, ...] = ()

    def text_of(self, value) -> str:
        return next((o.text for o in self.options if o.value == value), str(value))
