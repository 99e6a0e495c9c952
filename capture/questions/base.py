"""What every question type is: the keys a form file may give it, and the hooks the journey calls.

A type is a pydantic model (its keys, checked when the forms load) with four behaviours: `parse` reads
and checks the answer from the form post, `lines` is how it reads back (check answers, emails, the
payload's `answers`), `payload_value` is what `maps_to` puts in the Create Case payload, and
`template` names its partial in capture/templates/capture/questions/.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from capture.answers import Checked
from capture.texts import Text, in_current_language
from portal.dates import LONDON


class DefinitionModel(BaseModel):
    """A piece of a form file: unknown keys are refused, and nothing changes once loaded.

    Its texts (capture/texts.py) read in the language of the page or email being made: `question.label` is
    the Welsh inside `with in_language("cy"):`. `texts()` gives them as written, for checks."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    def __getattribute__(self, name: str, _get=object.__getattribute__):
        value = _get(self, name)
        kind = type(value)
        if kind is Text or kind is tuple and value and type(value[0]) is Text:  # on every attribute read: kept cheap
            return in_current_language(value)
        return value

    def texts(self, where: str = ""):
        """(where, Text) for every text in this piece and the pieces in it, as the file gives them."""
        for name, value in self.__dict__.items():
            here = f"{where}.{name}" if where else name
            items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, tuple) else None
            if items is None:
                items = [(None, value)]
            for key, item in items:
                at = here if key is None else f"{here}.{key}"
                if isinstance(key, int) and isinstance(item, DefinitionModel) and isinstance(item.__dict__.get("id"), str):
                    at += f" ({item.__dict__['id']})"  # pages.3 (full-name), as the load errors say
                if isinstance(item, Text):
                    yield at, item
                elif isinstance(item, DefinitionModel):
                    yield from item.texts(at)


@dataclasses.dataclass
class PageOutcome:
    """What a POST to a question page leads to: the page again (values typed, errors), or a redirect."""

    values: dict
    errors: dict
    redirect_to_next: bool = False
    redirect_same: bool = False
    notice: str = ""
    manual: bool = False


@dataclasses.dataclass
class PostContext:
    """What a question needs to handle a POST to its page; `save` keeps the answer in the draft."""

    draft: Any
    request: Any
    services: Any
    settings: Any
    now: dt.datetime
    save: Callable[[object], None]

    @property
    def today(self) -> dt.date:
        return self.now.astimezone(LONDON).date()


def answered(value):
    """An optional question left empty is still answered: "" is kept, so the journey moves on."""
    return "" if value is None else value


def _error_kinds_in_schema(schema: dict, cls: type[Question]) -> None:
    errors = schema["properties"]["errors"]
    errors.update({"propertyNames": {"enum": sorted(cls.error_kinds)}} if cls.error_kinds else {"maxProperties": 0})


class Question(DefinitionModel):
    model_config = ConfigDict(json_schema_extra=_error_kinds_in_schema)

    type: str
    """The question type: name, email, telephone, address, text, date, radios, checkboxes, yesno or file."""
    id: str = Field("", pattern=r"^[a-z][a-z0-9_]*$")
    """The answer's key (and the form field's name); by default the page id with "_" for "-"."""
    label: Text
    """The question, shown as the page's heading."""
    hint: Text = Text("")
    required: bool = True
    summary_label: Text = Text("")
    """The question's short name on check answers, in emails and in the payload's answers."""
    maps_to: str = ""
    """Where the answer goes in the Create Case payload, as a dotted path like requester.name."""
    errors: dict[str, Text] = {}
    """Error messages that replace the defaults, by kind (required, invalid, too_long...)."""

    template: ClassVar[str]
    error_kinds: ClassVar[frozenset[str]] = frozenset({"required"})
    payload_type: ClassVar[str] = "string"  # the JSON type of payload_value, checked against the schema
    free_text: ClassVar[bool] = False  # what the person wrote: searched before they ask, compared for duplicates
    heading_in_legend: ClassVar[bool] = False  # the page's <h1> is a fieldset legend

    @classmethod
    def type_name(cls) -> str:
        return cls.model_fields["type"].annotation.__args__[0]

    @field_validator("errors")
    @classmethod
    def _known_error_kinds(cls, errors: dict[str, Text]) -> dict[str, Text]:
        unknown = sorted(set(errors) - cls.error_kinds)
        if unknown:
            known = ", ".join(sorted(cls.error_kinds)) or "none"
            raise ValueError(f"unknown error kind {', '.join(unknown)}: a {cls.type_name()} question has {known}")
        return errors

    @property
    def summary(self) -> str:
        return self.summary_label or self.label

    def error(self, kind: str, default: str, **values) -> str:
        """The form's own message for this kind of error, in the page's language, or the type's default;
        `values` fill the form's %(name)s placeholders (a date's %(parts)s)."""
        own = self.errors.get(kind)
        return (own.get() % values if values else own.get()) if own else default

    def worded_by_label(self) -> set[str]:
        """The kinds of error this question can show whose default message puts the question's summary label in
        a sentence ("Select format"). Welsh mutates a word by what comes before it, so a form offered in Welsh
        words these messages itself (`errors`), in both languages."""
        return set()

    def parse(self, form, *, today: dt.date | None = None) -> Checked:
        raise NotImplementedError

    def lines(self, value) -> list[str]:
        """The answer as lines of text (never called for an empty answer: that is "Not given")."""
        return [str(value)]

    def payload_value(self, value):
        return value

    def files(self, value) -> list[dict]:
        """The uploaded files this answer holds (only a file question has any)."""
        return []

    def handle_post(self, ctx: PostContext) -> PageOutcome:
        checked = self.parse(ctx.request.form, today=ctx.today)
        if not checked.ok:
            return PageOutcome(checked.raw, checked.errors)
        ctx.save(answered(checked.value))
        return PageOutcome(checked.raw, {}, redirect_to_next=True)
