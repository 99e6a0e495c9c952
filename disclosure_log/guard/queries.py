"""The log of searches that found nothing keeps no personal data: a search box is where people type their
own name, postcode, car registration or NHS number, in lower case and without punctuation.

A search is dropped if the publish guard would find anything in it, a registration in any case ("ab12 cde"),
if it holds a postcode in any case, a run of eight digits or more (an
account, phone or NHS number typed without spaces), or a person's name: a title, or a common given name
(given_names.txt), followed by another word that is not a street, a building or a month.
"""
from __future__ import annotations

import re

from disclosure_log.guard.allowed import Allowed, has_postcode
from disclosure_log.guard.numbers import vehicle_registrations
from disclosure_log.guard.people import NOT_SURNAMES, given_names
from disclosure_log.guard.text import find

_LONG_NUMBER = re.compile(r"\d{8}")
_WORDS = re.compile(r"[^\W\d_]++(?:['’][^\W\d_]++)?")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame"})
# words that follow a given name in a search for something else: "jack russell" is rare, "max height" is not
_NOT_SURNAMES = NOT_SURNAMES | frozenset("""
    a about after an and are as at be before by for from has have in into is it me my not of on or our than
    that the their them then there these this to up was what when where which who why with you your
""".split())


def is_personal(query: str) -> bool:
    if find(query, Allowed()) or has_postcode(query):
        return True
    if _LONG_NUMBER.search(query) or any(vehicle_registrations(query.upper(), Allowed())):
        return True
    words = [word.lower() for word in _WORDS.findall(query)]
    return any((first in _TITLES or first in given_names()) and len(second) > 1 and second not in _NOT_SURNAMES
               for first, second in zip(words, words[1:]))
