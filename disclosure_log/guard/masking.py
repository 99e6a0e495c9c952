"""How a finding shows what it found: enough for the officer to find it in the text, too little to republish it."""
from __future__ import annotations

import re

MASK = "•"
MAX_EXCERPT = 60

_WORD = re.compile(r"\w++")


def mask_words(text: str, keep_first: int = 1) -> str:
    """Letters and digits masked but the first of each word: "Jane Smith" -> "J••• S••••"."""
    return _WORD.sub(lambda word: word[0][:keep_first] + MASK * (len(word[0]) - keep_first), text)


def mask_place(text: str) -> str:
    """An address's words as mask_words, its numbers wholly: "14 Acacia" -> "•• A•••••"."""
    return _WORD.sub(lambda word: MASK * len(word[0]) if word[0][0].isdigit()
                     else word[0][0] + MASK * (len(word[0]) - 1), text)


def mask_digits(text: str, keep_first: int, keep_last: int) -> str:
    digits = [at for at, char in enumerate(text) if char.isdigit()]
    masked = set(digits[keep_first:len(digits) - keep_last])
    return "".join(MASK if at in masked else char for at, char in enumerate(text))


def excerpt(text: str) -> str:
    return text if len(text) <= MAX_EXCERPT else text[:MAX_EXCERPT - 1].rstrip() + "…"
