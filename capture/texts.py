"""The texts of a form file in English and Welsh: what a form author writes, and what a page reads.

In a form file, every text a person reads (a form's name, title and paragraphs, a page's heading, body and
action texts, a question's label, hint, summary label and error messages, an option's text and hint, a file
question's "send it later" words) is either

- a plain string, English only:            ``label: What is your full name?``
- or English and Welsh side by side:       ``label: {en: What is your full name?, cy: Beth yw eich enw llawn?}``

  and, when a fluent Welsh speaker should check the Welsh before a body goes live, a review note::

      hint:
        en: The law says a request must include your real name.
        cy: Mae'r gyfraith yn dweud bod rhaid i gais gynnwys eich enw go iawn.
        review: "go iawn" or "cywir" for "real"

Quote the texts inside a flow mapping (``{en: "Why?", cy: "Pam?"}``): YAML misreads a ``?`` or ``,`` there.
The Welsh sits next to its English, so a change to one is seen beside the other, and a missing Welsh text
is found where it should be. A form that lists ``languages: [en, cy]`` is offered in Welsh: every text in it
must then have Welsh, with the same numbers, web addresses and placeholders as the English, or the form does
not load (`missing_welsh`, `mismatches`); a form without ``cy`` is English in any page (the other helper's
templates decide what a Welsh page does with it). `make translations-review` lists every review note
(portal/catalogues.py reads the form files too).

Reading a text: a form, page, question or option's attribute (``form.title``, ``question.label``,
``option.text``, ``page.body``) is a plain ``str`` in the language of the page or email being made
(`portal.i18n.current_language`, so ``with in_language("cy"):`` gives the Welsh) and English otherwise;
a tuple of paragraphs is a tuple of ``str``. The files are parsed once at start-up: a read is an attribute
lookup and a comparison. `Text.get("en")` gives one language whatever the page's (the case payload).

The question types' own words (default error messages, "Yes" and "No") are not in the form files: they are
gettext messages in the capture catalogue (capture/translations), `Text.message`.
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

from portal.i18n import current_language

LANGUAGES = ("en", "cy")
_KEYS = {"en", "cy", "review"}
# What a translation must carry over unchanged: placeholders, numbers, web and email addresses, references.
_LITERALS = re.compile(r"%\(\w+\)[sd]|\{\w+\}|[\w.-]+@[\w.-]+\.\w+|\b(?:[a-z0-9-]+\.)+(?:uk|org|com|gov|net)\b[\w/.-]*"
                       r"|\b[A-Z]{2,4}-\d{4}-\w{4}-\w\b|\d+(?:[.,:]\d+)*")


class Text:
    """One text a person reads, in English and (if given) Welsh; `review` is a note for the Welsh's checker."""

    __slots__ = ("cy", "en", "is_message", "review")

    def __init__(self, en: str, cy: str = "", review: str = "", *, is_message: bool = False):
        self.en, self.cy, self.review, self.is_message = en, cy, review, is_message

    @classmethod
    def message(cls, english: str) -> Text:
        """A question type's own words: a gettext message (marked with N_ where it is written)."""
        return cls(english, is_message=True)

    def get(self, language: str | None = None) -> str:
        """The text in `language` (the page's or email's, if not given); English if it has no Welsh."""
        if self.is_message:
            if language is None:
                return gettext(self.en)
            from portal.i18n import in_language

            with in_language(language):
                return gettext(self.en)
        if self.cy and (language or current_language()) == "cy":
            return self.cy
        return self.en

    def __str__(self) -> str:
        return self.get()

    def __bool__(self) -> bool:
        return bool(self.en)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return (self.en, self.cy, self.is_message) == (other.en, other.cy, other.is_message)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.en, self.cy, self.is_message))

    def __repr__(self) -> str:
        return f"Text({self.en!r}, cy={self.cy!r})" if self.cy else f"Text({self.en!r})"

    @property
    def has_welsh(self) -> bool:
        return bool(self.cy) or self.is_message or not self.en

    # pydantic: a form file's string or {en, cy, review} becomes a Text ------------------------------------

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _parse, serialization=core_schema.plain_serializer_function_ser_schema(_dump))

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler) -> dict:
        return {"anyOf": TEXT_JSON_SCHEMA["anyOf"]}


# A text in a form file, as JSON Schema (capture/definitions.json_schema refers to it as #/$defs/Text)
TEXT_JSON_SCHEMA = {
    "description": "A text a person reads: English, or English and Welsh side by side (capture/texts.py)",
    "anyOf": [
        {"type": "string", "description": "English only"},
        {"type": "object", "description": "English and Welsh: the Welsh is shown on Welsh pages and in Welsh emails",
         "required": ["en"], "additionalProperties": False, "properties": {
             "en": {"type": "string", "description": "The English"},
             "cy": {"type": "string", "description": "The Welsh (Cymraeg)"},
             "review": {"type": "string", "description": "What a fluent Welsh speaker should check in the Welsh "
                        "before the form goes live; `make translations-review` lists it. Delete it once checked."},
         }},
    ],
}


def _parse(value: Any) -> Text:
    if isinstance(value, Text):
        return value
    if isinstance(value, str):
        return Text(value)
    if isinstance(value, dict):
        unknown = sorted(str(key) for key in set(value) - _KEYS)
        if unknown:
            raise PydanticCustomError("text_keys", "a text's keys are en, cy and review, not {unknown}",
                                      {"unknown": ", ".join(unknown)})
        if not all(isinstance(value.get(key, ""), str) for key in _KEYS):
            raise PydanticCustomError("text_type", "a text's en, cy and review are strings (quote them)")
        if not value.get("en"):
            raise PydanticCustomError("text_english", "a text needs its English (en)")
        return Text(value["en"], value.get("cy", ""), value.get("review", ""))
    raise PydanticCustomError("text", "a text is a string, or {en: ..., cy: ...}")


def _dump(text: Text) -> Any:
    if not text.cy and not text.review:
        return text.en
    return {key: getattr(text, key) for key in ("en", "cy", "review") if getattr(text, key)}


def in_current_language(value: Any) -> Any:
    """A model attribute as a page reads it: a Text as a str, a tuple of Texts as a tuple of str."""
    if type(value) is Text:
        return value.get()
    if type(value) is tuple and value and type(value[0]) is Text:
        return tuple(text.get() for text in value)
    return value


def literals(text: str):
    """The placeholders, numbers and addresses a translation must keep, sorted (to compare)."""
    return sorted(_LITERALS.findall(text))


def problems_of(text: Text) -> list[str]:
    """Why this Welsh does not match its English: placeholders, numbers or addresses that differ."""
    if not text.cy:
        return []
    english, welsh = literals(text.en), literals(text.cy)
    if english != welsh:
        return [f"the Welsh has {', '.join(welsh) or 'none'} where the English has {', '.join(english) or 'none'} "
                "(placeholders, numbers and addresses must be the same)"]
    return []
