"""Dates of birth: a date a few words after "born", "date of birth" or "DOB" (or just before it), in figures
("01/02/1980"), in words ("the fourteenth of March nineteen seventy-nine"), or as a month and year
("born in March 1979, aged 45"). A date with no such word is a response's own date, and "born" that is
said of an idea ("the scheme was born on 1 April 2020") is not a birth.
"""
from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Iterator

from disclosure_log.guard.masking import mask_words

if TYPE_CHECKING:
    from disclosure_log.guard.allowed import Allowed

Found = Iterator[tuple[int, str, str]]
CUE_TO_DATE = 40  # characters from "born" or "date of birth" to the date

_DOB_CUE = re.compile(r"\b(?:born|date[ \t]++of[ \t]++birth|birth[ \t]?date|D\.?O\.?B\b\.?|(?-i:b\.)(?=[ \t]*+\d))",
                      re.IGNORECASE)  # "b. 12/03/1970", as a family tree writes it
_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?")
_UNITS = "one|two|three|four|five|six|seven|eight|nine"
_ORDINAL = (r"(?:(?:twenty|thirty)[- ]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
            r"|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth"
            r"|nineteenth|twentieth|thirtieth")
_YEAR_IN_WORDS = (rf"(?:nineteen[- ](?:hundred[- ]and[- ])?(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty"
                  rf"|ninety)(?:[- ](?:{_UNITS}))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen"
                  rf"|eighteen|nineteen|o[- ](?:{_UNITS}))"
                  rf"|two[- ]thousand(?:[- ]and)?(?:[- ](?:(?:twenty[- ]?)?(?:{_UNITS})|ten|eleven|twelve|thirteen"
                  rf"|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty))?)(?![\w-])")
_DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{_ORDINAL})"
_DATE = re.compile(rf"""
    (?<!\d)(?<!\d[/.-])
    (?: (?P<day>\d{{1,2}})[/.-](?P<month>\d{{1,2}})[/.-](?P<year>\d{{4}}|\d\d)       # 01/02/1980, 1.2.80
      | (?P<iso_year>\d{{4}})-(?P<iso_month>\d\d)-(?P<iso_day>\d\d)                  # 1980-02-01
      | (?P<month_only>\d{{1,2}})/(?P<month_year>(?:19|20)\d\d)                      # 03/1979
      | (?:(?:the[ ]++)?{_DAY}[ ]++(?:of[ ]++)?)?                                   # (the 1st of) February 1980
        {_MONTH},?[ ]++(?P<written_year>\d{{4}}|'\d\d|{_YEAR_IN_WORDS})
      | {_MONTH}[ ]++(?:the[ ]++)?{_DAY},?[ ]++(?P<us_year>\d{{4}}|{_YEAR_IN_WORDS}) )  # February 1, 1980
    (?!\d)(?![/.-]\d)
""", re.VERBOSE | re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;]\s|\n\s*\n")
_WORD = re.compile(r"[^\W\d_]++")
_CUE_AFTER_DATE = re.compile(r"[^\w\n]{0,5}")  # "01/02/1980 (date of birth)", "01/02/1980 - DOB"
# "the idea was born", "a partnership born out of": said of something that is not a person
_NOT_A_BIRTH_BEFORE = re.compile(r"\b(?:idea|ideas|scheme|schemes|project|initiative|plan|concept|campaign|service|"
                                 r"programme|program|partnership|strategy|policy|organisation|organization|charity|"
                                 r"group|movement|company|business|festival|event|network|forum|board|trust|hub|"
                                 r"app|website|vision|proposal|fund|approach|model|which)\b(?:[ \t]++\w++){0,3}?"
                                 r"[ \t]++(?:was|were|is|are|has[ \t]++been|had[ \t]++been)[ \t]++\Z", re.IGNORECASE)
_NOT_A_BIRTH_AFTER = re.compile(r"[ \t]++(?:out[ \t]++of|from)\b", re.IGNORECASE)
_YEARS = ("year", "iso_year", "month_year", "written_year", "us_year")


def dates_of_birth(text: str, allowed: Allowed) -> Found:
    lower = text.lower()
    if "born" not in lower and "birth" not in lower and "dob" not in lower and "d.o.b" not in lower and "b." not in text:
        return  # no cue, no birth date: and scanning for dates is the slow part
    cues = [cue for cue in _DOB_CUE.finditer(text) if _is_about_a_birth(text, cue)]
    if not cues:
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


def _is_about_a_birth(text: str, cue: re.Match) -> bool:
    if cue[0].lower() != "born":
        return True
    return not (_NOT_A_BIRTH_BEFORE.search(text, max(0, cue.start() - CUE_TO_DATE), cue.start())
                or _NOT_A_BIRTH_AFTER.match(text, cue.end()))


def _leads_to(gap: str) -> bool:
    """A cue leads to a date within a few words of the same sentence: "born in Ware on 1 May 1980"."""
    return len(gap) <= CUE_TO_DATE and not _SENTENCE_END.search(gap) and len(_WORD.findall(gap)) <= 3


def _is_a_date(date: re.Match) -> bool:
    if date["month_only"]:
        return 1 <= int(date["month_only"]) <= 12
    day, month = (date["day"], date["month"]) if date["day"] else (date["iso_day"], date["iso_month"])
    return day is None or (1 <= int(day) <= 31 and 1 <= int(month) <= 12)


def _mask_date(date: re.Match) -> str:
    """All but the year masked: "••/••/1980", "• •••••••• 1980"."""
    year = next(name for name in _YEARS if date[name])
    text, (start, end) = date[0], (date.start(year) - date.start(), date.end(year) - date.start())
    return mask_words(text[:start], keep_first=0) + text[start:end] + mask_words(text[end:], keep_first=0)
