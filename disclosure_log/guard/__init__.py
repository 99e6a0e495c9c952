"""The publish guard: before an FOI/EIR response goes public, look in its text and files for personal data.

A finding blocks publication until an officer has looked, so each rule is narrow enough to stay silent
on ordinary response text (figures, years, references, the body's own contact details, a site's address),
and each excerpt is masked so that the list of findings does not itself republish what it found. Every
regular expression is linear: possessive quantifiers, bounded repeats and lookbehinds keep a hostile
megabyte of text from backtracking, and each starts where the scan can skip ahead quickly, since the guard
runs over every entry of a bulk import.

What each rule looks for: contacts.py (email addresses, phone numbers), numbers.py (NI and NHS numbers,
vehicle registrations), people.py (postcodes and street addresses next to names), births.py (dates of
birth), files.py (authors, comments and tracked changes in attachments), queries.py (the log of searches
that found nothing). The body's own details are allowed (allowed.py). How well the rules do, on a labelled
corpus kept apart from them: tests/guard_corpus.py and bench/disclosure_guard.py.
"""
from __future__ import annotations

import dataclasses
from typing import Mapping, NamedTuple, Sequence

from disclosure_log.extract import TextPart
from disclosure_log.file_metadata import FileNote
from disclosure_log.guard import queries
from disclosure_log.guard.allowed import Allowed, has_postcode
from disclosure_log.guard.files import note_findings
from disclosure_log.guard.masking import excerpt, mask_words
from disclosure_log.guard.text import find

__all__ = ["LABELS", "NO_ONE_ALLOWED", "Allowed", "AttachmentText", "Finding", "check_entry", "check_text",
           "has_postcode", "is_personal_query"]

LABELS = {
    "email": "Email address",
    "phone": "UK phone number",
    "ni_number": "National Insurance number",
    "nhs_number": "NHS number",
    "vehicle_registration": "Vehicle registration",
    "postcode_with_name": "Postcode next to a name",
    "home_address": "Home address",
    "date_of_birth": "Date of birth",
    "fake_redaction": "Text under a redaction box",
    "file_author": "Person named in the file's properties",
    "comment": "Comment left in the file",
    "tracked_change": "Tracked change left in the file",
}
NO_ONE_ALLOWED = Allowed()


@dataclasses.dataclass(frozen=True)
class Finding:
    kind: str  # a key of LABELS
    label: str  # plain English, for the list shown to the officer
    where: str  # "title", "response", "attachment letter.pdf, page 2", "attachment letter.docx, comment 2"
    excerpt: str  # the match, masked: "j•••@example.org", "07••• ••• 123", "AB •• •• •• C"


class AttachmentText(NamedTuple):
    filename: str
    parts: Sequence[TextPart]  # extract.extract_text
    hidden: Sequence[TextPart] = ()  # extract.fake_redactions: text under boxes
    notes: Sequence[FileNote] = ()  # file_metadata.read_notes: authors, comments, tracked changes


def check_text(where: str, text: str, allowed: Allowed = NO_ONE_ALLOWED) -> list[Finding]:
    """What in the text looks like personal data, in the order it stands, each found once."""
    return [Finding(kind, LABELS[kind], where, excerpt(shown)) for kind, shown in find(text, allowed)]


def check_entry(fields: Mapping[str, str], attachments: Sequence[AttachmentText | tuple],
                allowed: Allowed = NO_ONE_ALLOWED) -> list[Finding]:
    """The findings of a disclosure: its fields by name, then each attachment (an AttachmentText, or a tuple
    of the same order): its text, the text under its boxes, then its authors, comments and tracked changes."""
    findings = [finding for name, text in fields.items() for finding in check_text(name, text or "", allowed)]
    for attachment in attachments:
        filename, parts, hidden, notes = AttachmentText(*attachment)
        for part in parts:
            findings += check_text(_attachment_where(filename, part.where), part.text, allowed)
        findings += [Finding("fake_redaction", LABELS["fake_redaction"], _attachment_where(filename, part.where),
                             excerpt(mask_words(part.text))) for part in hidden]
        findings += [Finding(kind, LABELS[kind], _attachment_where(filename, where), shown)
                     for kind, where, shown in note_findings(notes, allowed)]
    return findings


def is_personal_query(query: str) -> bool:
    """For the log of searches that found nothing: whether the search may hold personal data (queries.py)."""
    return queries.is_personal(query)


def _attachment_where(filename: str, where: str) -> str:
    return f"attachment {filename}, {where}" if where else f"attachment {filename}"
