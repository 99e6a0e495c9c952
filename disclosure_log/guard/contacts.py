"""Email addresses and UK phone numbers that reach a person: not the body's own, not a team's mailbox, not an
organisation's 03 or 08 number. Nearly every response ends with the body's contact details; a guard that
stopped on them would teach officers to override it by habit."""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Iterator

from disclosure_log.guard.masking import MASK, mask_digits

if TYPE_CHECKING:
    from disclosure_log.guard.allowed import Allowed

Found = Iterator[tuple[int, str, str]]  # (position, kind, masked excerpt)

# --- email addresses -----------------------------------------------------------------------------

# starts only where a local part can start, so a long run of word characters is tried once
EMAIL = re.compile(r"(?<![\w.%+-])(?P<local>[\w.%+-]++)@(?P<domain>[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)++)")
MAX_LOCAL_PART = 64  # RFC 5321's limit; a longer run before an @ is not an address's
_LOCAL_PART = re.compile(r"(?<![\w.%+-])[\w.%+-]++\Z")
_DOMAIN = re.compile(r"[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)++")
_TOP_LEVEL_DOMAIN = re.compile(r"[A-Za-z]{2,63}")
_LOCAL_WORDS = re.compile(r"[._+-]")

# A team's mailbox is named for what it does; these words (joined by dots, dashes or nothing at all in a
# few common cases) never make a person's address on their own.
ROLE_WORDS = frozenset("""
    access accounts adult adults admin administration admissions advice and appeals audit benefits bins
    bookings building buildingcontrol business care careers casework children childrens cleansing claims
    comms communications complaints contact contactus control corporate council counciltax customer
    customers customerservices data dataprotection democratic democracy development digital donotreply dpo
    do education elections electoral emergency enforcement enquiries enquiry environment environmental
    estates events facilities feedback finance foi foia foirequests fraud freedom freedomofinformation
    general governance grounds health help helpdesk highways hostmaster housing hr ict ig info information
    informationgovernance informationrequests insurance invoices it jobs legal libraries library licensing
    mailbox management media news no noreply not of office parking parks payments payroll pensions planning
    policy postmaster press procurement property protection public records recruitment recycling registrars
    registration relations reply request requests revenues safeguarding sar schools service servicedesk
    services social standards street streets support tax team the trading transparency transport travel
    trees unit waste web webmaster website
    arts business carbon change climate community communities conservation consultation consultations culture
    drainage economic economy energy engagement flood flooding floods food grants greenspaces growth heritage leisure
    local noise partnership partnerships pest plan plans pollution rates regeneration road roads safety sport
    sports strategy street streetworks sustainability works
""".split())
LONGEST_ROLE_WORD = max(map(len, ROLE_WORDS))
# where anyone may choose a word as their address: "planning@gmail.com" is still a person's
WEBMAIL = frozenset("""
    aol.co.uk aol.com blueyonder.co.uk btinternet.com btopenworld.com gmail.com gmx.co.uk gmx.com
    googlemail.com hotmail.co.uk hotmail.com icloud.com live.co.uk live.com mac.com mail.com me.com msn.com
    ntlworld.com outlook.com proton.me protonmail.com sky.com talktalk.net tiscali.co.uk virginmedia.com
    yahoo.co.uk yahoo.com ymail.com
""".split())


def emails(text: str, allowed: Allowed) -> Found:
    at = text.find("@")  # from each @, back to where its local part starts: a scan for @ is the cheap one
    while at >= 0:
        local = _LOCAL_PART.search(text, max(0, at - MAX_LOCAL_PART), at)
        domain = _DOMAIN.match(text, at + 1)
        if local and domain and _TOP_LEVEL_DOMAIN.fullmatch(domain[0].rpartition(".")[2]):  # not an IP or version
            address = f"{local[0]}@{domain[0]}"
            if address.lower() not in allowed.emails and not is_role_mailbox(local[0], domain[0]):
                yield local.start(), "email", f"{local[0][0]}{MASK * 3}@{domain[0]}"
        at = text.find("@", domain.end() if domain else at + 1)


def is_role_mailbox(local: str, domain: str) -> bool:
    """foi@, information.requests@, customer-services@, localplan@: a team's mailbox, not a person's."""
    words = [word for word in _LOCAL_WORDS.split(local.lower()) if word]
    return bool(words) and domain.lower() not in WEBMAIL and all(map(_role_words_run_together, words))


@functools.lru_cache(maxsize=4096)
def _role_words_run_together(word: str) -> bool:
    """"climatechange", "customerservices": the word is role words written without a separator, each of at
    least three letters (so "jsmith" or "annahill" never is)."""
    if word in ROLE_WORDS:
        return True
    ends = {0}  # where a run of role words read from the start can end
    for start in range(len(word)):
        if start in ends:
            ends.update(stop for stop in range(start + 3, min(len(word), start + LONGEST_ROLE_WORD) + 1)
                        if word[start:stop] in ROLE_WORDS)
    return len(word) in ends


# --- UK phone numbers ----------------------------------------------------------------------------

# A run of digit groups that starts like a UK number; which leading groups make one is decided below. Each
# alternative starts with its own character so that the scan skips the rest of the text quickly, and each
# lookbehind keeps a number inside a word, a reference, a list of figures or a decimal from counting.
PHONE = re.compile(r"""  # the text has "+44" or "(0"
    (?: (?P<intl>\+(?<![\w+/,-]\+)(?<!\d\.\+)44\ ?(?:\(0\)\ ?)?)\d++  # +44 7700 ..., +44 (0)20 ...
      | \((?<![\w+/,-]\()0\d++\)                                     # (01992) 531234
      | 0(?<![\w+/-]0)(?<!\d[.,]0)\d{2,}+ )                         # 07700 ..., 020 ..., CSV's ,07700...
    (?:[ .-]?\d++){0,3}+                                             # 07700 900123, 07700.900.123
""", re.VERBOSE)
NATIONAL_PHONE = re.compile(r"0(?<![\w+/-]0)(?<!\d[.,]0)\d{2,}+(?:[ .-]?\d++){0,3}+")  # the text has neither
_DIGITS = re.compile(r"\d++")
PERSONAL, ORGANISATION = "personal", "organisation"


# a landline given for a team or an office, said just before it: "the Licensing Team on 01992 ...", "Parking
# Services: 01992 ...", "ring the Surgery reception on 01632 ..." (a mobile is always someone's own)
_OFFICE_BEFORE = re.compile(r"""
    \b(?:team|services?|council|office|department|dept|unit|centre|center|helpline|switchboard|reception|hub|desk|fax|
         surgery|practice|school|library|ltd|limited|plc|llp|authority|trust|police|hospital|clinic|enquiry[ \t]+line)
    \b[^\w\n]{0,3}+(?:(?:on|is|at|tel|telephone|phone|number|line|direct|dial|ring|call)\b[^\w\n]{0,3}+){0,3}\Z
""", re.VERBOSE | re.IGNORECASE)
OFFICE_TO_NUMBER = 50
# a body's name, address and number as one line or sentence: "Ware Town Council, Priory Street, Ware SG12 0DE;
# tel 01992 ...", "Citizens Advice East Herts, 4 Railway Place, ... tel ..." (nobody's own between them)
_ORGANISATION_FIRST = re.compile(r"""
    (?:^|(?<=\n)|(?<=\.[ \t]))[ \t]*+(?:The[ \t]++)?(?:[A-Z][\w'’&-]*+[ \t]++){0,5}?
    (?:Council|Constabulary|Police|Ltd|Limited|Plc|LLP|Surgery|Practice|Trust|Museum|Centre|Center|Advice|School|
       Academy|College|University|Hospital|Authority|Agency|Board|ICB|Library|Services)\b(?:(?!\.[ \t])[^\n])*+\Z
""", re.VERBOSE)
_SOMEONES = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|home|mobile|personal|private|my|his|her|their|name|resident|tenant)\b",
                       re.IGNORECASE)
ORGANISATION_TO_NUMBER = 160


def phones(text: str, allowed: Allowed) -> Found:
    for match in (PHONE if "+44" in text or "(0" in text else NATIONAL_PHONE).finditer(text):
        number = uk_number(match)
        if not number or number[2] != PERSONAL or number[1] in allowed.phones:
            continue
        if not number[1].startswith("07") and (
                _OFFICE_BEFORE.search(text, max(0, match.start() - OFFICE_TO_NUMBER), match.start())
                or _organisation_first(text, match.start())):
            continue
        yield match.start(), "phone", mask_digits(text[match.start():number[0]], keep_first=2, keep_last=3)


def _organisation_first(text: str, at: int) -> bool:
    """The line or sentence with the number begins with a body's name and names no one."""
    start = max(0, at - ORGANISATION_TO_NUMBER)
    found = _ORGANISATION_FIRST.search(text, start, at)
    return bool(found) and (found.start() > start or start == 0) and not _SOMEONES.search(text, found.start(), at)


def uk_number(match: re.Match) -> tuple[int, str, str] | None:
    """(end, national digits, kind) of the longest run of leading digit groups that is a UK number, or None."""
    national, found = "", None
    intl = match.groupdict().get("intl")
    start = match.end("intl") if intl else match.start()
    for number, group in enumerate(_DIGITS.finditer(match.string, start, match.end())):
        if number and len(group[0]) < 3:
            break  # numbers are written in groups of three or more: this is a figure after it
        national += group[0]
        digits = "0" + national.lstrip("0") if intl else national
        kind = _number_kind(digits)
        if kind:
            found = (group.end(), digits, kind)
    return found


def _number_kind(digits: str) -> str | None:
    """Geographic (01, 02) and mobile (07) numbers are people's as well as offices'; 03 (UK-wide), 08
    (freephone and business rate) and 09 numbers are only ever an organisation's."""
    if len(digits) == 11:
        return PERSONAL if digits[:2] in ("01", "02", "07") else ORGANISATION if digits[:2] in ("03", "08", "09") else None
    if len(digits) == 10:
        return PERSONAL if digits.startswith("01") else ORGANISATION if digits.startswith(("0800", "0500")) else None
    return None
