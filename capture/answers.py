"""What checking any answer shares: the result (value, GOV.UK error messages, what was typed) and clean text.

Each question type checks its own answer: capture/questions/<type>.py.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata

# Control characters other than tab and newlines come from pasted text or tampering: dropped, never stored.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u202a-\u202e\u2066-\u2069\ufeff]")


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

