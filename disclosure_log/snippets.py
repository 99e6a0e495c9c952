"""Highlighted snippets: the few words around a match, escaped, with the matched words marked.

A snippet starts where a reader would start reading: at the beginning of the sentence that holds the match
when that is near, otherwise a few words before the match, and always after a space, never inside a word
("tipping" out of "fly-tipping", "s" out of "council's"). The formulaic sentences responses open with
("Thank you for your request about ...") lose to a later match of the same words, and a result with no
match shows its first sentence that is not one of them. A word is marked in any form the search matched it
in (complaints for complaint, cafe for café).
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from typing import Sequence

from markupsafe import Markup, escape

from disclosure_log.analysis import fold_text
from disclosure_log.query import Wanted

WINDOW = 30  # words in a snippet
LEAD = 4  # words shown before the match when its sentence starts further back than SENTENCE_REACH
SENTENCE_REACH = 12  # words: a sentence starting at most this far before the match is shown from its start
MAX_SCAN = 300_000  # characters looked at per field: enough to find a match, bounded for huge attachments

_WORD = re.compile(r"[^\W_]+")
_SENTENCE_BREAK = re.compile(r"[.!?]+[\"'\u2019\u201d)\]]*\s+|\n\s*")
# How responses open before they answer: thanks, the request restated, the Act it was handled under.
_BOILERPLATE = re.compile(
    r"(thank you|thanks|many thanks) for"
    r"|(we|i) (refer|am writing|are writing|write)\b"
    r"|(in response|further|with reference|with regard|referring) to your"
    r"|following your"
    r"|(your|this) (request|email|letter|enquiry) (was|has been|is|of|dated)\b"
    r"|we (have )?(now )?(received|considered|dealt with|processed|handled) your"
    r"|(your|this) request (for information )?has been"
    r"|(we|i) can confirm (that )?(the \w+|we) (does not |do not )?holds?\b"
    r"|under the (freedom of information|environmental information)",
    re.IGNORECASE)


def _matches(word: str, wanted: Sequence[Wanted]) -> bool:
    return any(w.matches(word) for w in wanted)


class _Text:
    """One field's words and sentences, for choosing where a snippet starts and ends."""

    def __init__(self, text: str):
        self.text = text
        self.spans = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
        self.starts = [start for start, _end, _word in self.spans]
        self.sentences = [0] + [m.end() for m in _SENTENCE_BREAK.finditer(text)]

    def sentence_of(self, i: int) -> int:
        """The index of the first word of the sentence holding word i."""
        begins = self.sentences[bisect.bisect_right(self.sentences, self.starts[i]) - 1]
        return bisect.bisect_left(self.starts, begins)

    def is_boilerplate(self, i: int) -> bool:
        first = self.sentence_of(i)
        return bool(_BOILERPLATE.match(self.text, self.starts[first], self.starts[first] + 120))

    def token_begin(self, i: int) -> int:
        """The character where word i's space-separated token begins (an opening bracket or quote kept)."""
        position = self.starts[i]
        while position > 0 and not self.text[position - 1].isspace() and self.starts[i] - position < 100:
            position -= 1
        return position

    def token_start(self, i: int) -> int:
        """The first word of the space-separated token that word i is in ("fly" for "tipping" in "fly-tipping")."""
        return bisect.bisect_left(self.starts, self.token_begin(i))

    def start_for(self, i: int) -> int:
        """Where a snippet showing word i starts: its sentence's first word if near, else LEAD words back."""
        first = self.sentence_of(i)
        return first if i - first <= SENTENCE_REACH else self.token_start(max(first, i - LEAD))

    def render(self, first: int, wanted) -> Markup:
        """WINDOW words from word first, ending at a space, with the wanted words marked."""
        last = min(len(self.spans), first + WINDOW) - 1
        end = self.spans[last][1]
        while end < len(self.text) and not self.text[end].isspace() and end - self.spans[last][1] < 100:
            end += 1
        begin = self.token_begin(first)
        pieces = ["… " if self.text[:begin].strip() else ""]
        cursor = begin
        j = first
        while j < len(self.spans) and self.spans[j][0] < end:
            start, stop, word = self.spans[j]
            pieces.append(str(escape(self.text[cursor:start])))
            chunk = str(escape(self.text[start:stop]))
            pieces.append(f"<mark>{chunk}</mark>" if _matches(word, wanted) else chunk)
            cursor = stop
            j += 1
        pieces.append(str(escape(self.text[cursor:end])))
        if self.text[end:].strip():
            pieces.append(" …")
        return Markup(" ".join("".join(pieces).split()))


def snippet(text: str, wanted: Sequence[Wanted]) -> Markup | None:
    """The stretch of text with the most distinct wanted words (outside formulaic openings when that ties),
    or None if none occurs."""
    if not wanted or not text:
        return None
    scanned = text[:MAX_SCAN]
    if not scanned.isascii():
        scanned = unicodedata.normalize("NFC", scanned)  # as the index read it: é typed as e and an accent is é
    lowered = scanned.lower()
    folded = fold_text(lowered)
    if not any(w.in_text(lowered, folded) for w in wanted):  # the common case for most fields: no tokenizing
        return None
    words = _Text(scanned)
    hits = [i for i, (_s, _e, word) in enumerate(words.spans) if _matches(word, wanted)]
    if not hits:
        return None
    best, best_score = 0, None
    for i in hits:
        start = words.start_for(i)
        near = hits[bisect.bisect_left(hits, start):bisect.bisect_left(hits, start + WINDOW)]
        score = (len({words.spans[j][2] for j in near}), not words.is_boilerplate(i))
        if best_score is None or score > best_score:
            best, best_score = start, score
    return _with_tail(words.render(best, wanted), text, scanned)


def opening(text: str) -> Markup | None:
    """The start of a text for a result nothing in it matched: from its first sentence that says something."""
    scanned = text[:MAX_SCAN // 30]
    words = _Text(scanned)
    if not words.spans:
        return None
    first = 0
    for begins in words.sentences:
        i = bisect.bisect_left(words.starts, begins)
        if i < len(words.spans) and not words.is_boilerplate(i):
            first = i
            break
    return _with_tail(words.render(first, ()), text, scanned)


def _with_tail(marked: Markup, text: str, scanned: str) -> Markup:
    """An ellipsis after a snippet that ends where the scan did, if the text goes on."""
    if len(text) > len(scanned) and not marked.endswith("…") and text[len(scanned):].strip():
        return Markup(marked + " …")
    return marked
