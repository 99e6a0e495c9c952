"""Highlighted snippets: the few words around a match, escaped, with the matched words marked.

A word is marked in any form the search matched it in (complaints for complaint, cafe for café)."""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from markupsafe import Markup, escape

from disclosure_log.analysis import fold_text
from disclosure_log.query import Wanted

WINDOW = 30  # words in a snippet
MAX_SCAN = 300_000  # characters looked at per field: enough to find a match, bounded for huge attachments

_WORD = re.compile(r"[^\W_]+")


def _matches(word: str, wanted: Sequence[Wanted]) -> bool:
    return any(w.matches(word) for w in wanted)


def snippet(text: str, wanted: Sequence[Wanted]) -> Markup | None:
    """The WINDOW-word stretch of text with the most distinct wanted words, or None if none occurs."""
    if not wanted or not text:
        return None
    text = text[:MAX_SCAN]
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)  # as the index read it: é typed as e and an accent is é
    lowered = text.lower()
    folded = fold_text(lowered)
    if not any(w.in_text(lowered, folded) for w in wanted):  # the common case for most fields: no tokenizing
        return None
    spans = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
    hits = [i for i, (_s, _e, word) in enumerate(spans) if _matches(word, wanted)]
    if not hits:
        return None
    best, best_score = hits[0], -1
    for i in hits:  # each window starts a little before a hit; score by distinct words matched
        start = max(0, i - 5)
        score = len({spans[j][2] for j in hits if start <= j < start + WINDOW})
        if score > best_score:
            best, best_score = start, score
    first, last = best, min(len(spans), best + WINDOW) - 1
    pieces = ["… " if first > 0 else ""]
    cursor = spans[first][0]
    for j in range(first, last + 1):
        start, end, word = spans[j]
        pieces.append(str(escape(text[cursor:start])))
        chunk = str(escape(text[start:end]))
        pieces.append(f"<mark>{chunk}</mark>" if _matches(word, wanted) else chunk)
        cursor = end
    if last + 1 < len(spans):
        pieces.append(" …")
    return Markup(" ".join("".join(pieces).split()))
