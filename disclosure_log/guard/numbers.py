"""Numbers that identify one person: National Insurance numbers, NHS numbers and vehicle registrations.

Each is told from the figures, references and codes of ordinary response text by its own rules: HMRC's
letters for an NI number, the modulus 11 check digit of an NHS number, the DVLA's formats and age
identifiers for a registration. Each pattern starts where the scan can skip quickly (a digit, mostly).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Iterator

from disclosure_log.guard.masking import MASK
from disclosure_log.guard.scan import matches

if TYPE_CHECKING:
    from disclosure_log.guard.allowed import Allowed

Found = Iterator[tuple[int, str, str]]

# --- National Insurance numbers ------------------------------------------------------------------

# found from its digits, then the two letters before them are checked: no D, F, I, Q, U or V in the
# prefix, and no O second (HMRC's rules), and not a prefix HMRC never allocates
_NI = re.compile(r"\d\d(?P<s2>[ -]?)\d\d(?P<s3>[ -]?)\d\d(?P<s4>[ -]?)(?P<suffix>[A-Da-d])(?![A-Za-z0-9])")
_NI_PREFIX = re.compile(r"(?<![A-Za-z0-9])(?P<prefix>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])(?P<s1>[ -]?)\Z", re.IGNORECASE)
_NI_NOT_ALLOCATED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def ni_numbers(text: str, allowed: Allowed, starts: Iterable[int] | None = None) -> Found:
    for match in matches(_NI, text, starts):
        before = _NI_PREFIX.search(text, max(0, match.start() - 4), match.start())
        if not before or before["prefix"].upper() in _NI_NOT_ALLOCATED:
            continue
        spaces = (before["s1"], match["s2"], match["s3"], match["s4"])
        whole = text[before.start():match.end()]
        # Spaced evenly (AB 12 34 56 C, ab123456c, TZ-45-67-89-C), or in capitals: "as 123456 a" in prose is not one.
        if len(set(spaces)) > 1 and (not whole.isupper() or "-" in spaces):
            continue
        yield (before.start(), "ni_number",
               f"{before['prefix'].upper()} {MASK * 2} {MASK * 2} {MASK * 2} {match['suffix'].upper()}")


# --- NHS numbers (and Scotland's CHI and Northern Ireland's H&C numbers, which share the check) ---------

# 943 476 5919, 943-476-5919 or 9434765919; the same separator both times
_NHS = re.compile(r"\d(?<![\w£$€.,/-]\d)\d\d(?P<sep>[ -]?)\d{3}(?P=sep)\d{4}(?![\w/-]|[.,]\d)")
_NHS_CUE = re.compile(r"\b(?:NHS|CHI|H&C|H[ \t]+and[ \t]+C|health[ \t]+(?:and|&)[ \t]+care|patient)\b", re.IGNORECASE)
CUE_TO_NHS = 40  # characters from "NHS number" to a number written without spaces


def nhs_numbers(text: str, allowed: Allowed, starts: Iterable[int] | None = None) -> Found:
    for match in matches(_NHS, text, starts):
        digits = match[0].replace(match["sep"], "") if match["sep"] else match[0]
        if not _nhs_check_digit_holds(digits):
            continue
        # Spaced 3-3-4 is how NHS numbers are printed (a phone number starts with 0 and groups otherwise);
        # ten digits joined are as likely an order or account number, so those need "NHS" or "patient" first.
        if match["sep"] and digits[0] == "0":
            continue
        if not match["sep"] and not _NHS_CUE.search(text, max(0, match.start() - CUE_TO_NHS), match.start()):
            continue
        sep = match["sep"] or ""
        yield match.start(), "nhs_number", f"{MASK * 3}{sep}{MASK * 3}{sep}{MASK}{digits[-3:]}"


def _nhs_check_digit_holds(digits: str) -> bool:
    """Modulus 11: the first nine digits weighted 10 to 2; 11 less the remainder is the tenth (11 is 0, 10 never)."""
    check = 11 - sum(int(digit) * weight for digit, weight in zip(digits, range(10, 1, -1))) % 11
    return check != 10 and (check % 11) == int(digits[9])


# --- vehicle registrations -----------------------------------------------------------------------

_AGE = r"(?:0[2-9]|[1-4]\d|5[1-9]|[6-9]\d)"  # March 02 to 49 and September 51 to 99: never 00, 01 or 50
_TAG = r"(?<![A-Za-z0-9])[A-HJ-PR-Y]"  # a plate's first letter: never I, Q or Z, and not inside a word
# Found from the first digit, each looking back for its letters: current (2001 on) AB12 CDE, prefix
# (1983-2001) A123 BCD, suffix (1963-1983) ABC 123D. No number starts with 0.
_CURRENT = re.compile(rf"\d\d(?<={_TAG}[A-HJ-PR-Y]\d\d)(?<={_AGE}) ?[A-HJ-PR-Z]{{3}}(?![A-Za-z0-9])")
_PREFIX = re.compile(r"[1-9](?<=(?<![A-Za-z0-9])[A-HJ-NPR-TV-Y][1-9])\d{0,2}+ ?[A-HJ-PR-Y]{3}(?![A-Za-z0-9])")
_SUFFIX = re.compile(rf"[1-9](?:(?<={_TAG}[A-HJ-PR-Y]{{2}} [1-9])|(?<={_TAG}[A-HJ-PR-Y]{{2}}[1-9]))"
                     r"\d{0,2}+[A-HJ-NPR-TV-Y](?![A-Za-z0-9])")
# The older formats are also the shape of road numbers and codes ("the A414 BUS lane", "TPO 123A"): they
# count only after a word about a vehicle.
_VEHICLE_CUE = re.compile(r"\b(?:vehicles?|registration|reg(?:istered)?|VRM|VRN|cars?|vans?|lorry|lorries|"
                          r"motorbike|motorcycle|moped|taxi|number[ \t]+plate|plates?|PCN|index|"
                          # makes, in capitals: "a blue Land Rover W473 GHJ" ("Mini" and "Seat" are words too)
                          r"(?-i:Ford|Vauxhall|Volkswagen|VW|Audi|BMW|Mercedes|Toyota|Nissan|Honda|Peugeot|Renault|"
                          r"Citro[eë]n|Fiat|Kia|Hyundai|Skoda|Škoda|SEAT|Seat|Volvo|Mazda|Mini|MINI|Land[ \t]+Rover|"
                          r"Range[ \t]+Rover|Jaguar|Tesla|Suzuki|Mitsubishi|Lexus|Dacia|Transit|Sprinter|Yamaha|"
                          r"Kawasaki|Ducati|Triumph|Vespa))\b", re.IGNORECASE)
CUE_TO_PLATE = 60
# three capitals after a code that are a word: "FY23 AND FY24", "EU27 GDP"
_NOT_PLATE_WORDS = frozenset("""
    ACT AGE ALL AND ANY ARE BUS BUT CAN CAR DAY DID FEB FOR GDP GOT HAD HAS HER HIM HIS HOW ITS JAN JUL JUN
    LET MAN MAR MAY NEW NOT NOV NOW OCT OFF OLD ONE OUR OUT PER PUT SAW SAY SEE SEP SET SHE THE TOO TWO USE
    VAN VAT WAS WAY WHO WHY YES YET YOU
""".split())


def vehicle_registrations(text: str, allowed: Allowed, starts: list[int] | None = None) -> Found:
    for match in matches(_CURRENT, text, starts):
        yield from _plate(text, match.start() - 2, match.end(), text[match.end() - 3:match.end()], needs_cue=False)
    for match in matches(_PREFIX, text, starts):
        yield from _plate(text, match.start() - 1, match.end(), text[match.end() - 3:match.end()], needs_cue=True)
    for match in matches(_SUFFIX, text, starts):
        start = match.start() - (4 if text[match.start() - 1] == " " else 3)
        yield from _plate(text, start, match.end(), text[start:start + 3], needs_cue=True)


def _plate(text: str, start: int, end: int, letters: str, needs_cue: bool) -> Found:
    if letters in _NOT_PLATE_WORDS:
        return
    if needs_cue and not _VEHICLE_CUE.search(text, max(0, start - CUE_TO_PLATE), start):
        return
    yield start, "vehicle_registration", _mask_plate(text[start:end])


def _mask_plate(plate: str) -> str:
    """The first character kept, the rest masked: "AB12 CDE" -> "A••• •••"."""
    return plate[0] + "".join(char if char == " " else MASK for char in plate[1:])
