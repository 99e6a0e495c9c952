"""Numbers written the GOV.UK way, for pages, emails and error messages."""
from __future__ import annotations

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
        return "1 byte" if size == 1 else f"{size} bytes"
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
