"""The publish guard: before an FOI/EIR response goes public, look in its text for personal data.

A finding blocks publication until an officer has looked, so each rule is narrow enough to stay silent
on ordinary response text (figures, years, references, the council's own address), and each excerpt is
masked so that the list of findings does not itself republish what it found. Every regular expression
is linear: possessive quantifiers and lookbehinds keep a hostile megabyte of text from backtracking.
"""
from __future__ import annotations

import bisect
import dataclasses
import re
from typing import Iterator, Mapping, Sequence

from disclosure_log.extract import TextPart

LABELS = {
    "email": "Email address",
    "phone": "UK phone number",
    "ni_number": "National Insurance number",
    "postcode_with_name": "Postcode next to a name",
    "date_of_birth": "Date of birth",
    "fake_redaction": "Text under a redaction box",
}
MASK = "•"
NAME_TO_POSTCODE = 100  # characters from the end of a name to a postcode: a name and address block
CUE_TO_DATE = 40  # characters from "born" or "date of birth" to the date
MAX_EXCERPT = 60


@dataclasses.dataclass(frozen=True)
class Finding:
    kind: str  # a key of LABELS
    label: str  # plain English, for the list shown to the officer
    where: str  # "title", "response", "attachment letter.pdf, page 2"
    excerpt: str  # the match, masked: "j•••@example.org", "07••• ••• 123", "AB •• •• •• C"


def check_text(where: str, text: str) -> list[Finding]:
    """What in the text looks like personal data, in the order it stands, each found once."""
    text = text.translate(_SPACES)  # one for one, so positions hold
    found = sorted([*_emails(text), *_phones(text), *_ni_numbers(text), *_postcodes_with_names(text),
                    *_dates_of_birth(text)])
    unique = dict.fromkeys((kind, excerpt) for _, kind, excerpt in found)
    return [Finding(kind, LABELS[kind], where, excerpt) for kind, excerpt in unique]


_ANY_POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\b", re.IGNORECASE)


def has_postcode(text: str) -> bool:
    """A full UK postcode anywhere, in any case: "sg13 8dq" in a search box."""
    return _ANY_POSTCODE.search(text) is not None


def check_entry(fields: Mapping[str, str],
                attachments: Sequence[tuple[str, list[TextPart], list[TextPart]]]) -> list[Finding]:
    """The findings of a disclosure: its fields by name, then each attachment as
    (filename, extract_text parts, fake_redactions parts)."""
    findings = [finding for name, text in fields.items() for finding in check_text(name, text or "")]
    for filename, parts, hidden in attachments:
        for part in parts:
            findings += check_text(_attachment_where(filename, part), part.text)
        findings += [Finding("fake_redaction", LABELS["fake_redaction"], _attachment_where(filename, part),
                             _excerpt(_mask_words(part.text))) for part in hidden]
    return findings


def _attachment_where(filename: str, part: TextPart) -> str:
    return f"attachment {filename}, {part.where}" if part.where else f"attachment {filename}"


Found = Iterator[tuple[int, str, str]]  # (position, kind, masked excerpt)
_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " "})


# --- email addresses -----------------------------------------------------------------------------

# starts only where a local part can start, so a long run of word characters is tried once
_EMAIL = re.compile(r"(?<![\w.%+-])(?P<local>[\w.%+-]++)@(?P<domain>[A-Za-z0-9-]++(?:\.[A-Za-z0-9-]++)++)")
_TOP_LEVEL_DOMAIN = re.compile(r"[A-Za-z]{2,63}")


def _emails(text: str) -> Found:
    if "@" not in text:  # the cheap test first: the guard runs over every entry of a bulk import
        return
    for match in _EMAIL.finditer(text):
        if _TOP_LEVEL_DOMAIN.fullmatch(match["domain"].rpartition(".")[2]):  # not an IP address or version
            yield match.start(), "email", f"{match['local'][0]}{MASK * 3}@{match['domain']}"


# --- UK phone numbers ----------------------------------------------------------------------------

# a run of digit groups that starts like a UK number; which leading groups make one is decided below
_PHONE = re.compile(r"""
    (?<![\w+/,-])(?<!\d\.)                      # not inside a word, reference, list of figures or decimal
    (?: (?P<intl>\+44\ ?(?:\(0\)\ ?)?)\d++      # +44 7700 ..., +44 (0)20 ...
      | \(0\d++\)                               # (01992) 531234
      | 0\d{2,}+ )                              # 07700 ..., 020 ..., 0800 ...
    (?:[ -]?\d++){0,3}+
""", re.VERBOSE)
_DIGITS = re.compile(r"\d++")


def _phones(text: str) -> Found:
    for match in _PHONE.finditer(text):
        end = _phone_end(match)
        if end:
            yield match.start(), "phone", _mask_digits(text[match.start():end], keep_first=2, keep_last=3)


def _phone_end(match: re.Match) -> int | None:
    """Where the longest run of leading digit groups that is a UK number ends, or None."""
    national, end = "", None
    start = match.end("intl") if match["intl"] else match.start()
    for number, group in enumerate(_DIGITS.finditer(match.string, start, match.end())):
        if number and len(group[0]) < 3:
            break  # numbers are written in groups of three or more: this is a figure after it
        national += group[0]
        if _is_uk_number("0" + national.lstrip("0") if match["intl"] else national):
            end = group.end()
    return end


def _is_uk_number(digits: str) -> bool:
    """Geographic (01, 02), non-geographic (03, 08) and mobile (07) numbers, with their lengths."""
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    if len(digits) == 11:
        return digits[:2] in ("01", "02", "03", "07", "08")
    return len(digits) == 10 and (digits.startswith("01") or digits.startswith("0800"))


# --- National Insurance numbers ------------------------------------------------------------------

# no D, F, I, Q, U or V in the prefix, and no O second: HMRC's rules for the two letters
_NI = re.compile(r"(?<![A-Za-z0-9])(?P<prefix>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d\d) ?(\d\d) ?(\d\d) ?"
                 r"(?P<suffix>[A-D])(?![A-Za-z0-9])", re.IGNORECASE)
_NI_NOT_ALLOCATED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


_SIX_DIGITS = re.compile(r"\d\d ?\d\d ?\d\d")


def _ni_numbers(text: str) -> Found:
    if not _SIX_DIGITS.search(text):
        return
    for match in _NI.finditer(text):
        prefix = match["prefix"].upper()
        # lower case only written together: "is 123456 a" in prose is not a number
        if prefix in _NI_NOT_ALLOCATED or (" " in match[0] and not match[0].isupper()):
            continue
        yield match.start(), "ni_number", f"{prefix} {MASK * 2} {MASK * 2} {MASK * 2} {match['suffix'].upper()}"


# --- postcodes next to names ---------------------------------------------------------------------

_POSTCODE = re.compile(r"(?<![A-Za-z0-9])(?P<outward>[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) ?\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])")
_NAME = re.compile(r"""
    (?: \b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t]++
        (?:[A-Z](?:\.[ \t]*+|[ \t]++)){0,3}+                                # Mrs J. Jones, Mr J Smith
      | \b(?:[Ff]ull[ \t]++)?[Nn]ame[ \t]*+:[ \t]*+                        # Name: Jane Smith
      | \baddress[ \t]++of[ \t]++ )                                        # the address of Jane Smith
    (?P<name>[A-Z][a-z'’-]++)
""", re.VERBOSE)


def _postcodes_with_names(text: str) -> Found:
    names = list(_NAME.finditer(text))
    if not names:
        return
    ends = [name.end() for name in names]
    for postcode in _POSTCODE.finditer(text):
        # the nearest name that ends before the postcode; a name after it is often a signature
        at = bisect.bisect_right(ends, postcode.start()) - 1
        if at >= 0 and postcode.start() - ends[at] <= NAME_TO_POSTCODE:
            name = names[at]
            cue = text[name.start():name.start("name")].strip()  # a title, initials or "Name:": kept
            yield (postcode.start(), "postcode_with_name",
                   f"{cue} {_mask_words(name['name'])} … {postcode['outward']} {MASK * 3}")


# --- dates of birth ------------------------------------------------------------------------------

_DOB_CUE = re.compile(r"\b(?:born|date[ \t]++of[ \t]++birth|birth[ \t]?date|D\.?O\.?B\b\.?)", re.IGNORECASE)
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?")
_DATE = re.compile(rf"""
    (?<!\d)(?<!\d[/.-])
    (?: (?P<day>\d{{1,2}})[/.-](?P<month>\d{{1,2}})[/.-](?P<year>\d{{4}}|\d\d)       # 01/02/1980, 1.2.80
      | (?P<iso_year>\d{{4}})-(?P<iso_month>\d\d)-(?P<iso_day>\d\d)                  # 1980-02-01
      | \d{{1,2}}(?:st|nd|rd|th)?[ ]++(?:of[ ]++)?{_MONTH},?[ ]++(?P<written_year>\d{{4}})  # 1 February 1980
      | {_MONTH}[ ]++\d{{1,2}}(?:st|nd|rd|th)?,?[ ]++(?P<us_year>\d{{4}}) )           # February 1, 1980
    (?!\d)(?![/.-]\d)
""", re.VERBOSE | re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;]\s|\n\s*\n")
_WORD = re.compile(r"[^\W\d_]++")
_CUE_AFTER_DATE = re.compile(r"[^\w\n]{0,5}")  # "01/02/1980 (date of birth)", "01/02/1980 - DOB"


def _dates_of_birth(text: str) -> Found:
    cues = list(_DOB_CUE.finditer(text))
    if not cues:  # no "born", "DOB"...: no date can be a birth date, and scanning for dates is the slow part
        return
    starts, ends = [cue.start() for cue in cues], [cue.end() for cue in cues]
    for date in _DATE.finditer(text):
        if not _is_a_date(date):
            continue
        before = bisect.bisect_right(ends, date.start()) - 1  # the nearest cue ending before the date
        after = bisect.bisect_left(starts, date.end())  # the nearest cue starting after it
        if before >= 0 and _leads_to(text[ends[before]:date.start()]):
            cue = cues[before]
        elif after < len(cues) and _CUE_AFTER_DATE.fullmatch(text, date.end(), starts[after]):
            cue = cues[after]
        else:
            continue
        yield date.start(), "date_of_birth", f"{cue[0]} {_mask_date(date)}"


def _leads_to(gap: str) -> bool:
    """A cue leads to a date within a few words of the same sentence: "born in Ware on 1 May 1980"."""
    return len(gap) <= CUE_TO_DATE and not _SENTENCE_END.search(gap) and len(_WORD.findall(gap)) <= 3


def _is_a_date(date: re.Match) -> bool:
    day, month = (date["day"], date["month"]) if date["day"] else (date["iso_day"], date["iso_month"])
    return day is None or (1 <= int(day) <= 31 and 1 <= int(month) <= 12)


def _mask_date(date: re.Match) -> str:
    """All but the year masked: "••/••/1980", "• •••••••• 1980"."""
    year = next(name for name in ("year", "iso_year", "written_year", "us_year") if date[name])
    text, (start, end) = date[0], (date.start(year) - date.start(), date.end(year) - date.start())
    return _mask_words(text[:start], keep_first=0) + text[start:end] + _mask_words(text[end:], keep_first=0)


# --- masking -------------------------------------------------------------------------------------

def _mask_words(text: str, keep_first: int = 1) -> str:
    """Letters and digits masked but the first of each word: "Jane Smith" -> "J••• S••••"."""
    return re.sub(r"\w++", lambda word: word[0][:keep_first] + MASK * (len(word[0]) - keep_first), text)


def _mask_digits(text: str, keep_first: int, keep_last: int) -> str:
    digits = [at for at, char in enumerate(text) if char.isdigit()]
    masked = set(digits[keep_first:len(digits) - keep_last])
    return "".join(MASK if at in masked else char for at, char in enumerate(text))


def _excerpt(text: str) -> str:
    return text if len(text) <= MAX_EXCERPT else text[:MAX_EXCERPT - 1].rstrip() + "…"
