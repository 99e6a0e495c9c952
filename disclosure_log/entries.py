"""What a disclosure entry may hold: the API's and the bulk import's fields, checked the same way."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any, Mapping

from portal.exceptions import PortalError
from portal.working_days import working_days_between

CASE_TYPES = ("FOI", "EIR")
LANGUAGES = ("en", "cy")  # the language an entry was published in
OUTCOMES = ("Released in full", "Partially released", "Refused", "Information not held")
MAX_TITLE = 300
MAX_TEXT = 1_000_000
MAX_LABEL = 100
MAX_EXEMPTIONS = 30
MAX_REASON = 1000
FIRST_YEAR, LAST_YEAR = 1900, 2999  # the search index counts days from 1900
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")  # it becomes a path segment: /disclosure-log/<reference>


class InvalidEntry(PortalError):
    status_code = 422
    title = "Invalid request"

    def __init__(self, detail: str, field: str | None = None):
        super().__init__(detail)
        self.field = field


@dataclasses.dataclass(frozen=True)
class EntryFields:
    title: str
    request: str
    response: str
    case_type: str
    category: str
    department: str
    outcome: str
    exemptions: tuple[str, ...]
    received: dt.date | None
    responded: dt.date | None
    published: dt.date | None  # None: the date it goes public
    publish_at: dt.datetime | None  # None: now
    internal_review: str
    ico_decision_url: str
    language: str = "en"
    # Its own Welsh version (an English entry's): the title, and the request and response when translated
    title_cy: str = ""
    request_cy: str = ""
    response_cy: str = ""

    @property
    def working_days(self) -> int | None:
        if self.received and self.responded and self.responded >= self.received:
            try:
                return working_days_between(self.received, self.responded)
            except ValueError:  # past the UK bank holiday calendar (it ends in 2100): no count, not a guess
                return None
        return None

    def welsh_texts(self) -> dict[str, str]:
        """Its Welsh version's parts that there are, named as the publish guard says where it found something."""
        texts = {"Welsh title": self.title_cy, "Welsh request": self.request_cy, "Welsh response": self.response_cy}
        return {where: text for where, text in texts.items() if text}

    def columns(self) -> dict[str, Any]:
        """The Disclosure columns these fields set (asdict is ten times slower: the bulk import feels it)."""
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if field.name != "publish_at"}
        values["exemptions"] = list(self.exemptions)
        values["working_days"] = self.working_days
        return values


def _text(data: Mapping, field: str, limit: int, required: bool = False) -> str:
    value = data.get(field, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidEntry(f"{field} must be a string", field)
    value = value.replace("\x00", "").strip()
    if required and not value:
        raise InvalidEntry(f"{field} is required", field)
    if len(value) > limit:
        raise InvalidEntry(f"{field} must be {limit:,} characters or fewer", field)
    return value


def _choice(data: Mapping, field: str, choices: tuple[str, ...]) -> str:
    value = data.get(field)
    if value not in choices:
        raise InvalidEntry(f"{field} must be one of: {', '.join(choices)}", field)
    return value


def _date(data: Mapping, field: str) -> dt.date | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        day = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidEntry(f"{field} must be a date like 2026-11-23", field)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidEntry(f"{field} must be between {FIRST_YEAR} and {LAST_YEAR}", field)
    return day


def _moment(data: Mapping, field: str) -> dt.datetime | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        moment = moment.astimezone(dt.timezone.utc) if moment and moment.tzinfo else None
    except (ValueError, OverflowError):  # 9999-12-31T23:00-12:00 is past the end of the calendar in UTC
        moment = None
    if moment is None:
        raise InvalidEntry(f"{field} must be a date and time with a time zone, like 2026-11-23T09:00:00Z", field)
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidEntry(f"{field} must be between {FIRST_YEAR} and {LAST_YEAR}", field)
    return moment


def _exemptions(data: Mapping) -> tuple[str, ...]:
    value = data.get("exemptions")
    if value is None:
        value = []
    if not isinstance(value, list) or len(value) > MAX_EXEMPTIONS or not all(isinstance(v, str) for v in value):
        raise InvalidEntry(f"exemptions must be a list of at most {MAX_EXEMPTIONS} strings", "exemptions")
    printable = ("".join(c for c in v if c.isprintable()).strip() for v in value)
    cleaned = tuple(dict.fromkeys(v for v in printable if v))
    if any(len(v) > MAX_LABEL for v in cleaned):
        raise InvalidEntry(f"each exemption must be {MAX_LABEL} characters or fewer", "exemptions")
    return cleaned


def _url(data: Mapping, field: str) -> str:
    value = _text(data, field, 500)
    if value and not value.startswith("https://"):
        raise InvalidEntry(f"{field} must be an https:// address", field)
    return value


def _welsh(data: Mapping, language: str) -> dict[str, str]:
    """The entry's own Welsh version: {"title": ..., "request": ..., "response": ...}, the title required."""
    value = data.get("welsh")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidEntry("welsh must be an object with the Welsh title, request and response", "welsh")
    unknown = sorted(set(value) - {"title", "request", "response"})
    if unknown:
        raise InvalidEntry(f"welsh may hold only title, request and response, not {unknown[0]}", "welsh")
    if language == "cy":  # its own text is Welsh: checked as given, and not kept
        _welsh_parts(value)
        return {}
    return _welsh_parts(value)


def _welsh_parts(value: Mapping) -> dict[str, str]:
    try:
        return {"title_cy": _text(value, "title", MAX_TITLE, required=True),
                "request_cy": _text(value, "request", MAX_TEXT), "response_cy": _text(value, "response", MAX_TEXT)}
    except InvalidEntry as exc:
        raise InvalidEntry(f"welsh.{exc.args[0]}", f"welsh.{exc.field}") from None


def check_reference(reference: Any) -> str:
    if not isinstance(reference, str) or not REFERENCE.fullmatch(reference):
        raise InvalidEntry("the reference may use letters, digits, '.', '_' and '-' (at most 60)", "reference")
    return reference


def parse_fields(data: Any) -> EntryFields:
    if not isinstance(data, Mapping):
        raise InvalidEntry("the body must be a JSON object")
    language = "en" if data.get("language") is None else _choice(data, "language", LANGUAGES)
    fields = EntryFields(
        title=_text(data, "title", MAX_TITLE, required=True),
        request=_text(data, "request", MAX_TEXT, required=True),
        response=_text(data, "response", MAX_TEXT, required=True),
        case_type=_choice(data, "case_type", CASE_TYPES),
        category=_text(data, "category", MAX_LABEL),
        department=_text(data, "department", MAX_LABEL),
        outcome=_choice(data, "outcome", OUTCOMES),
        exemptions=_exemptions(data),
        received=_date(data, "received"),
        responded=_date(data, "responded"),
        published=_date(data, "published"),
        publish_at=_moment(data, "publish_at"),
        internal_review=_text(data, "internal_review", 200),
        ico_decision_url=_url(data, "ico_decision_url"),
        language=language,
        **_welsh(data, language),
    )
    if fields.received and fields.responded and fields.responded < fields.received:
        raise InvalidEntry("responded must not be before received", "responded")
    return fields


def override_reason(data: Mapping) -> str:
    return _text(data, "guard_override_reason", MAX_REASON) if isinstance(data, Mapping) else ""


def change_note(data: Mapping) -> str:
    """Shown, dated, beside an attachment that replaced an earlier version."""
    return _text(data, "change_note", MAX_REASON) if isinstance(data, Mapping) else ""
