"""Every rule over one piece of text: what in it looks like personal data, in the order it stands.

One scan finds where a rule led by a digit could match (an NI or NHS number, a registration, a postcode's
inward code, a house number and street), and each of those rules then looks only there (scan.py). Ordinary
response text, with its figures and years, has almost none: the guard runs over every entry of a bulk import.
"""
from __future__ import annotations

import re

from disclosure_log.guard.allowed import Allowed
from disclosure_log.guard.births import dates_of_birth
from disclosure_log.guard.contacts import emails, phones
from disclosure_log.guard.numbers import nhs_numbers, ni_numbers, vehicle_registrations
from disclosure_log.guard.people import STREET_TYPES, home_addresses, postcodes_with_names

_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})
# Each alternative matches wherever its rules can (a superset), from the first digit of a run of digits (each
# rule's match starts at one; trying the others would double the scan's time). A postcode's inward code goes
# before a registration's digit, which can be the same one ("SW1A 1AA").
_CANDIDATES = re.compile(rf"""
    \d(?<!\d\d)(?: (?P<ni> \d[\ -]?\d\d[\ -]?\d\d[\ -]?[A-Da-d](?![A-Za-z0-9]) )             # 12 34 56 C
        | (?P<nhs> \d\d[\ -]?\d{{3}}[\ -]?\d{{4}} )                                   # 943 476 5919
        | (?P<postcode> (?:[A-Z\d]?\d)?[ABD-HJLNP-UW-Z]{{2}}(?![A-Za-z0-9]) )          # its inward code: 8EQ, 138EQ
        | (?P<street> \d{{0,3}}+[A-Za-z]?(?:[ \t]*+,)?[ \t]++(?=[A-Z])(?:[A-Z][A-Za-z'’-]*+[ \t]++){{0,3}}
                      (?:{STREET_TYPES})\b )                                         # 14 Acacia Avenue
        | (?P<plate> (?<=[A-Z]\d)\d{{0,2}}+(?:\ ?[A-Z]{{3}}|[A-Z])(?![A-Za-z0-9])      # AB12 CDE, A123 BCD, ABC123D
                   | (?<=[A-Z]\ \d)\d{{0,2}}+[A-Z](?![A-Za-z0-9]) ) )                  # ABC 123D
""", re.VERBOSE)


def find(text: str, allowed: Allowed) -> list[tuple[str, str]]:
    """(kind, masked excerpt) of each thing found, once each, in the order found things stand."""
    if not text.isascii():
        text = text.translate(_SPACES)  # one for one, so positions hold
    leads: dict[str, list[int]] = {}
    for candidate in _CANDIDATES.finditer(text):
        leads.setdefault(candidate.lastgroup, []).append(candidate.start())
    found = [*emails(text, allowed), *phones(text, allowed), *dates_of_birth(text, allowed)]
    if "ni" in leads:
        found += ni_numbers(text, allowed, leads["ni"])
    if "nhs" in leads:
        found += nhs_numbers(text, allowed, leads["nhs"])
    if "plate" in leads:
        found += vehicle_registrations(text, allowed, leads["plate"])
    used: set[int] = set()  # names found with a postcode: their street address is not found again
    if "postcode" in leads:
        found += postcodes_with_names(text, allowed, used, leads["postcode"])
    if "street" in leads:
        found += home_addresses(text, allowed, used, leads["street"])
    return list(dict.fromkeys((kind, excerpt) for _, kind, excerpt in sorted(found)))
