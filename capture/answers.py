"""Checking one answer from a question page: GOV.UK error messages, values kept for re-display."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from capture.definitions import Question

TELEPHONE = re.compile(r"^\+?[0-9 ()\-]{7,25}$")
# Control characters other than tab and newlines come from pasted text or tampering: dropped, never stored.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")
DEFAULT_MAX = {"name": 200, "email": 254, "telephone": 25, "text": 10_000, "address": 200}


@dataclasses.dataclass
class Checked:
    value: object = None
    errors: dict[str, str] = dataclasses.field(default_factory=dict)  # field id -> message, in page order
    raw: dict = dataclasses.field(default_factory=dict)  # what was typed, to show again

    @property
    def ok(self) -> bool:
        return not self.errors


def clean_text(value: str | None, multiline: bool = False) -> str:
    text = unicodedata.normalize("NFC", value or "")
    text = CONTROL.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def _limit(question: Question) -> int:
    return question.max_length or DEFAULT_MAX.get(question.type, 200)


def check_name(question: Question, form) -> Checked:
    value = clean_text(form.get(question.id))
    result = Checked(raw={question.id: value})
    if not value:
        if question.required:
            result.errors[question.id] = question.error("required", "Enter your full name")
    elif len(value) > _limit(question):
        result.errors[question.id] = question.error("too_long", f"Full name must be {_limit(question)} characters or less")
    result.value = value or None
    return result


def check_email(question: Question, form) -> Checked:
    value = clean_text(form.get(question.id))
    result = Checked(raw={question.id: value})
    if not value:
        if question.required:
            result.errors[question.id] = question.error("required", "Enter your email address")
        return result
    try:
        normalised = validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        result.errors[question.id] = question.error(
            "invalid", "Enter an email address in the correct format, like name@example.com")
        return result
    if len(normalised) > _limit(question):
        result.errors[question.id] = "Email address must be 254 characters or less"
        return result
    result.value = normalised
    return result


def check_telephone(question: Question, form) -> Checked:
    value = clean_text(form.get(question.id))
    result = Checked(raw={question.id: value})
    if not value:
        if question.required:
            result.errors[question.id] = question.error("required", "Enter a telephone number")
        return result
    digits = re.sub(r"\D", "", value)
    if not TELEPHONE.match(value) or not 7 <= len(digits) <= 15:
        result.errors[question.id] = question.error(
            "invalid", "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")
        return result
    result.value = value
    return result


def check_text(question: Question, form) -> Checked:
    value = clean_text(form.get(question.id), multiline=True)
    result = Checked(raw={question.id: value})
    limit = _limit(question)
    if not value:
        if question.required:
            result.errors[question.id] = question.error("required", f"Enter {question.summary.lower()}")
    elif len(value) > limit:
        result.errors[question.id] = question.error(
            "too_long", f"{question.summary} must be {limit:,} characters or less")
    result.value = value or None
    return result


def check_choice(question: Question, form) -> Checked:
    value = form.get(question.id, "")
    result = Checked(raw={question.id: value})
    allowed = {o.value for o in question.options}
    if value in allowed:
        result.value = value
    elif value or question.required:
        # An unknown value means a tampered form: the same message as choosing nothing.
        result.errors[question.id] = question.error("required", f"Select {question.summary.lower()}")
    return result


def check_checkboxes(question: Question, form) -> Checked:
    values = form.getlist(question.id)
    allowed = [o.value for o in question.options]
    chosen = [v for v in allowed if v in values]
    result = Checked(raw={question.id: chosen})
    if set(values) - set(allowed) or (question.required and not chosen):
        result.errors[question.id] = question.error("required", f"Select {question.summary.lower()}")
    result.value = chosen
    return result


def check_date(question: Question, form, today: dt.date) -> Checked:
    parts = {p: clean_text(form.get(f"{question.id}-{p}")) for p in ("day", "month", "year")}
    result = Checked(raw={f"{question.id}-{p}": v for p, v in parts.items()})
    field = f"{question.id}-day"
    label = question.summary
    if not any(parts.values()):
        if question.required:
            result.errors[field] = question.error("required", f"Enter {label.lower()}")
        return result
    missing = [p for p in ("day", "month", "year") if not parts[p]]
    if missing:
        result.errors[f"{question.id}-{missing[0]}"] = f"{label} must include a {' and '.join(missing)}"
        return result
    try:
        day, month, year = (int(parts[p]) for p in ("day", "month", "year"))
        if len(parts["year"]) != 4:
            raise ValueError
        value = dt.date(year, month, day)
    except ValueError:
        result.errors[field] = question.error("invalid", f"{label} must be a real date")
        return result
    if question.date_constraint == "past" and value > today:
        result.errors[field] = question.error("future", f"{label} must be today or in the past")
        return result
    if question.date_constraint == "future" and value < today:
        result.errors[field] = question.error("past", f"{label} must be today or in the future")
        return result
    result.value = value.isoformat()
    return result


ADDRESS_FIELDS = (
    ("line1", "Address line 1", True, "address-line1"),
    ("line2", "Address line 2 (optional)", False, "address-line2"),
    ("town", "Town or city", True, "address-level2"),
    ("county", "County (optional)", False, ""),
    ("postcode", "Postcode", True, "postal-code"),
)


def check_address(question: Question, form, is_valid_postcode, normalise_postcode) -> Checked:
    values = {key: clean_text(form.get(f"{question.id}-{key}")) for key, *_ in ADDRESS_FIELDS}
    result = Checked(raw={f"{question.id}-{k}": v for k, v in values.items()})
    if not any(values.values()) and not question.required:
        return result
    messages = {"line1": "Enter address line 1, typically the building and street", "town": "Enter town or city",
                "postcode": "Enter postcode"}
    for key, _label, required, _auto in ADDRESS_FIELDS:
        if required and not values[key]:
            result.errors[f"{question.id}-{key}"] = messages[key]
        elif len(values[key]) > _limit(question):
            result.errors[f"{question.id}-{key}"] = f"{_label.removesuffix(' (optional)')} must be 200 characters or less"
    if values["postcode"] and f"{question.id}-postcode" not in result.errors:
        if not is_valid_postcode(values["postcode"]):
            result.errors[f"{question.id}-postcode"] = "Enter a full UK postcode, like AA3 1AB"
        else:
            values["postcode"] = normalise_postcode(values["postcode"])
    result.value = values
    return result
