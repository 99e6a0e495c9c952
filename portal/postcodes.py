"""The format of a UK postcode: checked before any lookup, and written the Royal Mail way."""
from __future__ import annotations

import re

# Outward code A9, A99, A9A, AA9, AA99 or AA9A, then the inward code 9AA, with the letters
# Royal Mail leaves out of each position; plus Girobank's GIR 0AA.
_POSTCODE = re.compile(
    r"^(?:GIR0AA|"
    r"(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRV-Y])"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)


class InvalidPostcode(ValueError):
    """The text is not in the format of a UK postcode (no lookup was made)."""


def normalise_postcode(text: str) -> str:
    """Upper case, one space before the inward code: ' sw1a2aa ' -> 'SW1A 2AA'."""
    compact = "".join(text.split()).upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid_uk_postcode(text: str) -> bool:
    return bool(_POSTCODE.match("".join(text.split()).upper()))
