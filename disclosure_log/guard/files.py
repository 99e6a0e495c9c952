"""Findings in what an attachment holds besides its text (file_metadata.py): every comment and tracked change,
whatever it says (it was never meant to be published), and an author or last editor who is a person.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator, Sequence

from disclosure_log.file_metadata import AUTHOR, COMMENT, TRACKED_CHANGE, FileNote
from disclosure_log.guard.masking import excerpt, mask_words

if TYPE_CHECKING:
    from disclosure_log.guard.allowed import Allowed

# what tools and fresh installations put in a file's properties: no one in particular
_NO_ONE = frozenset({
    "admin", "administrator", "author", "authorised user", "default", "fpdf", "guest", "libreoffice",
    "microsoft account", "microsoft office user", "office user", "openpyxl", "owner", "pyfpdf", "python-docx",
    "staff", "unknown", "user", "valued customer", "windows user", "apache poi",
})
# a body or a team, not a person: "Hertfordshire County Council", "FOI Team"
_BODY = re.compile(r"\b(?:council|team|department|dept|directorate|services?|unit|office|authority|borough|county|"
                   r"district|parish|police|nhs|government|ministry|agency|commission|trust|ltd|limited|plc|llp|"
                   r"school|college|university|hospital|board|group|committee|foi|governance|information)\b",
                   re.IGNORECASE)
KINDS = {AUTHOR: "file_author", COMMENT: "comment", TRACKED_CHANGE: "tracked_change"}


def note_findings(notes: Sequence[FileNote], allowed: Allowed) -> Iterator[tuple[str, str, str]]:
    """(kind, where, masked excerpt) for each note that must go before the file is published."""
    for note in notes:
        if note.kind == AUTHOR and _is_no_one(note.text, allowed):
            continue
        yield KINDS[note.kind], note.where, excerpt(mask_words(" ".join(note.text.split())))


def _is_no_one(name: str, allowed: Allowed) -> bool:
    plain = " ".join(name.split()).lower()
    return not plain or plain in _NO_ONE or plain in allowed.names or _BODY.search(plain) is not None
