"""Case references such as ``FOI-2026-7K4M-Q``: short, easy to read aloud and type, with a check symbol.

``<PREFIX>-<YEAR>-<4 random symbols>-<check symbol>``. The symbols leave out 0, 1, I and O, which
people confuse, and U, which Crockford's Base32 also drops so that the random part spells fewer
rude words. That leaves 31 symbols; 31 is prime, so a position-weighted sum modulo 31 (the ISBN-10
scheme, there modulo 11) catches every single wrong character, and every swap of two characters in
the prefix, or in the year, random part and check symbol, adjacent or not. Luhn mod N would miss the
swap of the first and last symbols of the alphabet.

A reference is not a secret: 4 symbols give 923,521 per case type and year, so it must never be
the only thing that lets someone see a case, and the database must keep them unique.
"""
from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTVWXYZ"
RANDOM_LENGTH = 4
_MODULUS = len(ALPHABET)  # 31, prime
_SYMBOL_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_DIGIT_VALUE = {digit: value for value, digit in enumerate("0123456789")}
_LETTER_VALUE = {letter: value for value, letter in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}

_PREFIX = re.compile(r"[A-Z]{2,4}")
_COMPACT = re.compile(rf"([A-Z]{{2,4}})([0-9]{{4}})([{ALPHABET}]{{{RANDOM_LENGTH}}})([{ALPHABET}])")
# Spaces and every kind of dash people paste from documents: the reference is the same without them.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.]+")
_LONGEST_INPUT = 64


def new_reference(prefix: str, year: int) -> str:
    """A fresh reference such as ``FOI-2026-7K4M-Q``; the caller keeps it unique (draw again on a clash)."""
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise ValueError(f"a reference prefix is 2 to 4 capital letters, like FOI, not {prefix!r}")
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise ValueError(f"a reference year has 4 digits, not {year!r}")
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return _format(prefix, str(year), random_part)


def normalise_reference(text: str) -> str | None:
    """The reference as we write it, from what a person typed: any case, spaces or dashes or none.

    None when it is not a valid reference. Nothing is guessed: an O, 0, I, 1 or U is never part of
    the random part or check symbol, so a reference containing one there is refused, not corrected.
    """
    if not isinstance(text, str) or len(text) > _LONGEST_INPUT:
        return None
    compact = _SEPARATORS.sub("", text).upper()
    match = _COMPACT.fullmatch(compact)
    if match is None:
        return None
    prefix, year, random_part, check = match.groups()
    if _check_symbol(prefix, year, random_part) != check:
        return None
    return f"{prefix}-{year}-{random_part}-{check}"


def is_valid_reference(text: str) -> bool:
    """True only for a reference written exactly as we write it: ``FOI-2026-7K4M-Q``."""
    return normalise_reference(text) == text


def _format(prefix: str, year: str, random_part: str) -> str:
    return f"{prefix}-{year}-{random_part}-{_check_symbol(prefix, year, random_part)}"


def _check_symbol(prefix: str, year: str, random_part: str) -> str:
    """The symbol that makes sum(weight * value) over the whole reference divisible by 31.

    Weights count from the right, the check symbol's being 1, so each weight is below 31 and the year
    and random part keep theirs whatever the prefix length. Each field has its own values (letters,
    digits, symbols), all below 31; the format already rules out a character from another field.
    """
    values = ([_LETTER_VALUE[c] for c in prefix] + [_DIGIT_VALUE[c] for c in year]
              + [_SYMBOL_VALUE[c] for c in random_part])
    total = sum(weight * value for weight, value in enumerate(reversed(values), start=2))
    return ALPHABET[-total % _MODULUS]
