"""How text becomes search terms: one reading for both engines, the query and the snippets.

Every word of an entry is indexed in two forms, at the same position:

    exact   the word as written, in lower case (Unicode NFC): what a "quoted phrase" matches
    stem    the word without its accents (café -> cafe, straße -> strasse, ø -> o), then cut to its English
            stem by the Snowball English stemmer (complaints -> complaint; complained, complaining ->
            complain): what a plain word matches

Both engines are given these terms ready-made: neither runs a tokenizer or dictionary of its own (tantivy
splits on the spaces put between them; PostgreSQL gets a tsvector written out), so the same query finds the
same entries on both. Snowball keeps apart words that are not forms of each other (complaint, the noun;
complain, the verb): complain* finds both.

Welsh: the English stemmer takes an English ending (-s, -ed, -ing, -ly) off the few Welsh words that end in
one; most (ceisiadau, gwybodaeth, gwasanaethau) are left as they are, and mutations (cyngor, gyngor) are not
joined. Folding joins words a circumflex tells apart (tân, tan); quoting keeps them apart.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata

import Stemmer

MAX_WORD_BYTES = 40  # longer "words" are codes or pasted URLs: not indexed (tantivy's default limit, kept)
EXACT_MARK = "="  # a stem never holds it (stems are letters and digits): PostgreSQL keeps both forms in one tsvector

_WORD = re.compile(r"[^\W_]+")
# Latin, Greek and Cyrillic diacritics after decomposition; other scripts' marks are parts of their letters
_DIACRITICS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SPACE = re.compile(r"\s")
# Letters with no decomposition to a base letter and a mark
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
                          "ħ": "h", "ı": "i", "ŧ": "t", "ŋ": "n", "ŀ": "l"})
_stemmers = threading.local()  # a Stemmer object must not be shared between threads


def words(text: str) -> list[str]:
    """The words of a text in their exact form: runs of letters and digits, lower-cased."""
    if text.isascii():
        return _WORD.findall(text.lower())  # the same, faster: lower-casing ASCII never splits or joins a word
    text = unicodedata.normalize("NFC", text)  # é typed as e and a combining accent is é
    return [w.lower() for w in _WORD.findall(text)]


def fold_text(lowered: str) -> str:
    """A lower-cased text without accents, character by character: fold(w) is in it for each of its words w."""
    if lowered.isascii():
        return lowered
    return _DIACRITICS.sub("", unicodedata.normalize("NFKD", lowered.translate(_LETTERS)))


@functools.lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """An exact word without its accents: café -> cafe, ﬁ -> fi, ² -> 2."""
    if word.isascii():
        return word
    return _SPACE.sub("", fold_text(word)) or word


@functools.lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """The stemmed form of an exact word, as plain words match it."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = Stemmer.Stemmer("english", 0)  # 0: no cache of its own (ours is above)
    return stemmer.stemWord(fold(word))


def probe(stemmed: str) -> str:
    """A piece of text that fold_text() of any word with this stem (or stem prefix) holds: a cheap first test.

    Snowball's English stemmer changes at most a word's last two letters (dying -> die), so all but the last
    two letters of a stem begin the word it came from (tests/unit/test_disclosure_word_forms.py checks it over a
    few hundred thousand words)."""
    return stemmed[:-2]


def terms(text: str) -> tuple[list[str], list[str]]:
    """(exact forms, stems) of a text's words, position by position, as both indexes hold them."""
    exact = words(text)
    if any(len(w) > MAX_WORD_BYTES // 4 and len(w.encode()) > MAX_WORD_BYTES for w in exact):  # 10 characters: 40 bytes at most
        exact = [w for w in exact if len(w.encode()) <= MAX_WORD_BYTES]
    return exact, list(map(stem, exact))
