"""A rule's pattern over the whole text, or only at the places text.py's one scan found a lead for it."""
from __future__ import annotations

import re
from typing import Iterable, Iterator


def matches(pattern: re.Pattern, text: str, starts: Iterable[int] | None) -> Iterator[re.Match]:
    """Each match of `pattern`, in order; with `starts`, only those that start at one of them."""
    if starts is None:
        return pattern.finditer(text)
    return (match for start in starts if (match := pattern.match(text, start)))
