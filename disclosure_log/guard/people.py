"""Where someone lives: a postcode or a street address next to a person's name, or after "lives at".

An address alone is often the body's own, a business's or a site's ("Wallfields Depot, Pegs Lane, Hertford
SG13 8EQ"), so it counts only with a person: a title and surname ("Mrs J. Jones"), a labelled name ("Name:
Jane Smith", "Resident: Sophie Ward"), or a common given name and a surname ("Janet Pemberton",
given_names.txt) with nothing but an address between it and the postcode; or after words that say someone
lives there ("lives at", "her home address is", "the tenant of"). A name followed by a job or an office ("Information Officer,
Hertfordshire County Council") is a signature with a work address. Names are looked for only just before
an address, so ordinary text costs one scan for postcodes and one for house numbers.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from disclosure_log.guard.masking import MASK, mask_place, mask_words
from disclosure_log.guard.scan import matches

if TYPE_CHECKING:
    from disclosure_log.guard.allowed import Allowed

Found = Iterator[tuple[int, str, str]]
NAME_TO_POSTCODE = 100  # characters from the end of a name to a postcode: a name and address block
LONGEST_NAME = 60

POSTCODE = re.compile(r"[A-PR-UWYZ](?<![A-Za-z0-9][A-PR-UWYZ])(?P<outward_rest>[A-HK-Y]?\d[A-Z\d]?) ?"
                      r"\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])")


def postcode_key(postcode: str) -> str:
    return postcode.replace(" ", "").upper()


# --- names ---------------------------------------------------------------------------------------

_UPPER, _LOWER = "A-ZÀ-ÖØ-ÞĀ-Ž", "a-zß-öø-ÿĀ-ž"  # Ā-ž alternate capital and small letters: both
_SURNAME = rf"[{_UPPER}](?:[{_LOWER}]|['’][A-Z])(?:[^\W\d_]|['’-])*+"  # Smith, O'Brien, McDonald, Wiśniewska
_TITLED = re.compile(rf"""
    (?P<cue> \b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord|Rev|Revd)\.?[ \t]++
             (?:[A-Z](?:\.[ \t]*+|[ \t]++)){{0,3}}+                                  # Mrs J. Jones, Mr J Smith
           | \b(?P<qualifier>[A-Za-z'’]++[ \t]++)?[Nn]ame[ \t]*+:[ \t]*+            # Name: Jane Smith
           | \b(?i:resident|complainant|tenant|applicant|objector|claimant|requester|customer|patient|client|
                  occupier|addressee|caller|keeper|employee|pupil|student|appellant|service[ \t]+user|
                  next[ \t]+of[ \t]+kin)[ \t]*+:[ \t]*+                           # Resident: Sophie Ward
           | \baddress[ \t]++of[ \t]++ )                                            # the address of Jane Smith
    (?P<name>{_SURNAME})
""", re.VERBOSE)
# each capitalised word with the surname after it looked at ahead, so that "The Charles Rennie" is read as
# "The" (not a given name) and then "Charles Rennie"
_GIVEN = re.compile(rf"\b(?P<given>[{_UPPER}][{_LOWER}]++)(?=[ \t]++(?:[A-Z]\.?[ \t]++)?(?P<surname>{_SURNAME}))")
# "Site name:", "Company name:" label something else; a person's name is labelled plainly or by whose it is
_PERSON_QUALIFIERS = frozenset("""
    full your my his her their first last given family sur maiden applicant applicant's applicants tenant
    tenant's resident resident's requester requester's complainant complainant's claimant claimant's customer
    customer's patient patient's client client's child child's pupil pupil's student student's driver driver's
    owner owner's occupier occupier's account contact person
""".split())
# the second of two capitalised words that make a place or a body, not a surname: "Victoria Road"
NOT_SURNAMES = frozenset("""
    academy airport and arena avenue bank barracks board bridge building centre center chapel church close
    clinic club college committee common cottages council court crescent cross drive end estate farm
    foundation gardens gate gallery grove hall hill hospital house ln library limited line lodge ltd mews
    museum parade park place plc practice primary prison quay rd river road row school services square st
    stadium station street surgery terrace theatre tower trust university vale valley view walk ward way
    wharf wing yard
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
""".split())
# a capitalised word straight after "James Marshall": a building or a body named after someone ("the James Marshall
# Commercial Hub", "Anna Sewell House"); a person's third name is read on its own ("Janet Anne Pemberton")
_NAMES_MORE = re.compile(rf"[ \t]++[{_UPPER}][{_LOWER}]")
# between a name and an address: the name signs a letter from an office
_AT_WORK = re.compile(r"\b(?:Council|Officer|Manager|Director|Head|Team|Department|Directorate|Services?|Unit|Ltd|"
                      r"Limited|Plc|LLP|Solicitors|Surgery|Police|Depot|Authority|Headquarters|Offices|"
                      r"County[ \t]+Hall|Town[ \t]+Hall|City[ \t]+Hall|Civic[ \t]+Centre|Council[ \t]+Offices)\b")


# a word in lower case between a name and its postcode: prose, not an address block
_PROSE = re.compile(r"\b(?!(?:of|at|on|in|upon|under|the|and|le|la|de)\b)[a-z]{2,}+\b")


def plain_name(word: str) -> str:
    """Lower case without accents, as given_names.txt spells names: "Zoë" -> "zoe", "Siân" -> "sian"."""
    return "".join(char for char in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(char))


@functools.cache
def given_names() -> frozenset[str]:
    lines = (Path(__file__).with_name("given_names.txt").read_text(encoding="utf-8")).splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


Name = tuple[int, int, str, bool]  # start, end, how a finding shows it, and whether a title or label says so


def _names_before(text: str, end: int) -> list[Name]:
    """Each person named in the stretch of text before `end`."""
    window = max(0, end - NAME_TO_POSTCODE - LONGEST_NAME), end
    found = []
    for match in _TITLED.finditer(text, *window):
        if match["qualifier"] is None or match["qualifier"].strip().lower() in _PERSON_QUALIFIERS:
            found.append((match.start(), match.end(), f"{match['cue'].strip()} {mask_words(match['name'])}", True))
    titled = [(start, stop) for start, stop, _, _ in found]
    for match in _GIVEN.finditer(text, *window):
        if (plain_name(match["given"]) in given_names() and match["surname"].lower() not in NOT_SURNAMES
                and match.end("surname") <= end and not _NAMES_MORE.match(text, match.end("surname"))
                and not any(start <= match.start() < stop for start, stop in titled)):
            found.append((match.start(), match.end("surname"), mask_words(f"{match['given']} {match['surname']}"), False))
    return sorted(found, key=lambda name: name[1])


def _name_at_home(text: str, names: list[Name], address_start: int, most: int) -> Name | None:
    """The nearest name ending at most `most` characters before the address, unless an office comes between or,
    for a name with no title, a sentence: "Charles Rennie Mackintosh's exhibition ran at the Museum, SG14 1DT"."""
    for name in reversed(names):
        if name[1] <= address_start and address_start - name[1] <= most:
            if _AT_WORK.search(text, name[1], address_start):
                return None
            return name if name[3] or not _PROSE.search(text, name[1], address_start) else None
    return None


# --- postcodes next to names ---------------------------------------------------------------------

def postcodes_with_names(text: str, allowed: Allowed, used: set[int], near: Iterable[int] | None = None) -> Found:
    """`used` collects the names found, so that the same name's street address is not found twice. `near`: the
    inward codes' digits (text.py), a postcode starting at most 6 characters before each."""
    postcodes = POSTCODE.finditer(text) if near is None else _postcodes_near(text, near)
    for postcode in postcodes:
        if postcode_key(postcode[0]) in allowed.postcodes:
            continue
        found = _name_at_home(text, _names_before(text, postcode.start()), postcode.start(), NAME_TO_POSTCODE)
        if found:
            used.add(found[0])
            outward = postcode[0][:1] + postcode["outward_rest"]
            yield postcode.start(), "postcode_with_name", f"{found[2]} … {outward} {MASK * 3}"


def _postcodes_near(text: str, near: Iterable[int]) -> Iterator[re.Match]:
    last = -1
    for at in near:
        for postcode in POSTCODE.finditer(text, max(0, at - 6, last + 1), at + 8):
            last = postcode.start()
            yield postcode


# --- street addresses ----------------------------------------------------------------------------

STREET_TYPES = ("Road|Street|Avenue|Lane|Close|Drive|Way|Crescent|Gardens|Place|Court|Terrace|Grove|Hill|Rise|"
                "View|Walk|Mews|Square|Park|Row|Green|Parade|Vale|End|Gate|Meadows?|Fields?|Common|Wharf|Quay|"
                "Yard|Chase|Croft|Dene|Hollow|Approach|Boulevard|Broadway|Crest|Villas|Cottages|Mead|Orchard|"
                "Paddock|Rd|St|Ave|Ln|Cl|Dr|Cres|Gdns|Pl|Ct|Sq")
# a house number (14, 14a, 14-16) and one to three capitalised words ending in a street type: 14 Acacia Avenue
_STREET = re.compile(rf"""
    \d(?<![\w£$€.,/:-]\d)\d{{0,3}}+(?:-\d{{1,4}}+)?[A-Za-z]?(?![\w-])(?:[ \t]*+,)?[ \t]++
    (?=[A-Z])(?P<street>(?:[A-Z][A-Za-z'’-]*+[ \t]++){{0,3}}(?:{STREET_TYPES}))\b\.?
""", re.VERBOSE)
# words that say the address that follows is someone's home, ending where the house number starts
_HOME_CUE = re.compile(r"""
    (?P<cue> \b(?:lives?|lived|living|resides?|resided|residing|stays|stayed|staying|moved|moving)[ \t]++
             (?:at|to|into|in)
           | \b(?:home|residential|private|correspondence)[ \t]++address(?:[ \t]++(?:is|was))?[ \t]*+:?
           | \b(?:my|his|her|their|your|tenant['’]?s|resident['’]?s|applicant['’]?s|complainant['’]?s|
                 claimant['’]?s|requester['’]?s|occupier['’]?s)[ \t]++(?:home[ \t]++)?address(?:[ \t]++(?:is|was))?[ \t]*+:?
           | (?:^|\n)[ \t]*+address(?:[ \t]++given)?[ \t]*+:
           | \b(?:my|his|her|their)[ \t]++home(?:[ \t]++(?:at|in))?[ \t]*+,?
           | \bhome[ \t]++at
           | \b(?:tenant|occupier|occupant|resident|householder|leaseholder|neighbour|neighbor)s?[ \t]++(?:of|at) )
    [ \t\n(]*+(?:(?:flat|apartment|apt\.?|unit|room)[ \t]++\w++[ \t]*+,?[ \t\n]*+)?(?:number[ \t]++|no\.?[ \t]*+)?\Z
""", re.VERBOSE | re.IGNORECASE)
CUE_TO_ADDRESS = 40
NAME_TO_ADDRESS = 30  # "Janet Pemberton, Flat 3, 14 Acacia Avenue"
_NAME_THEN_ADDRESS = re.compile(r"[ \t]*+(?:,|\n)[ \t\n]*+(?:(?:Flat|Apartment|Apt\.?|Unit|Room)[ \t]++\w++[ \t]*+,?"
                                r"[ \t\n]*+)?")


def home_addresses(text: str, allowed: Allowed, used: set[int], starts: Iterable[int] | None = None) -> Found:
    """A house number and street after words that say someone lives there, or just after a name."""
    for street in matches(_STREET, text, starts):
        start = street.start()
        cue = _HOME_CUE.search(text, max(0, start - CUE_TO_ADDRESS), start)
        if cue:
            yield cue.start("cue"), "home_address", f"{' '.join(cue['cue'].split())} {_masked_street(street)}"
            continue
        found = _name_at_home(text, _names_before(text, start), start, NAME_TO_ADDRESS)
        if found and found[0] not in used and _NAME_THEN_ADDRESS.fullmatch(text, found[1], start):
            yield found[0], "home_address", f"{found[2]}, {_masked_street(street)}"


def _masked_street(street: re.Match) -> str:
    """The number and name masked, the street type kept: "•• A••••• Avenue"."""
    kind = street["street"].rsplit(None, 1)[-1]
    named = street[0][:street.end("street") - len(kind) - street.start()]
    return mask_place(" ".join(named.split())) + " " + kind
