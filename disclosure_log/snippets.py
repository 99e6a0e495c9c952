"""Highlighted snippets: the few words around a match, escaped, with the matched words marked."""
from __future__ import annotations

import re
from typing import Sequence

from markupsafe import Markup, escape

WINDOW = 30  # words in a snippet
MAX_SCAN = 300_000  # characters looked at per field: enough to find a match, bounded for huge attachments

_WORD = re.compile(r"[^\W_]+")


def _matches(word: str, wanted: Sequence[tuple[str, bool]]) -> bool:
    return any(word.startswith(w) if prefix else word == w for w, prefix in wanted)


def snippet(text: str, wanted: Sequence[tuple[str, bool]]) -> Markup | None:
    """The WINDOW-word stretch of text with the most distinct wanted words, or None if none occurs."""
    if not wanted or not text:
        return None
    lowered = text[:MAX_SCAN].lower()
    if not any(word in lowered for word, _prefix in wanted):  # the common case for most fields: no tokenizing
        return None
    spans = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text, 0, MAX_SCAN)]
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
