"""Numbers written the GOV.UK way, for pages, emails and error messages; user text kept to its own direction."""
from __future__ import annotations

import re

from markupsafe import Markup

# Explicit direction marks, embeddings, overrides and isolates: U+202E in "Invoice\u202efdp.exe" shows "Invoiceexe.pdf"
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# Binary multiples, as Settings parses "20MB": an error saying "smaller than 20MB" matches the limit.
_UNIT = 1024
_UNITS = ("KB", "MB", "GB", "TB")


def human_size(size: int) -> str:
    """A file size in GOV.UK style: "500 bytes", "63KB", "1.5MB", "120MB", "1.2GB".

    One decimal place below 10 of a unit (when it is not a whole number), whole numbers above.
    """
    if size < 0:
        raise ValueError("a size cannot be negative")
    if size < _UNIT:
        from flask_babel import ngettext

        return ngettext("%(num)d byte", "%(num)d bytes", size)
    value = size / _UNIT
    for unit in _UNITS[:-1]:
        shown = _round(value)
        # 1023.99KB would round to 1024KB, which reads better as 1MB
        if shown < _UNIT:
            return f"{_number(shown)}{unit}"
        value /= _UNIT
    return f"{_number(_round(value))}{_UNITS[-1]}"


def _round(value: float) -> float:
    return round(value, 1) if value < 10 else float(round(value))


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def masked_email(email: str) -> str:
    """Enough of an address for its owner to know it, and no more: "j***@example.com"."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def without_bidi_controls(text: str) -> str:
    """For names and titles: none of their characters may turn the text around them."""
    return BIDI_CONTROLS.sub("", text)


def bdi(text: str | None) -> Markup:
    """User text on a page, without direction controls, in <bdi>: right-to-left text stays in its own box."""
    return Markup("<bdi>{}</bdi>").format(without_bidi_controls(text or ""))
