"""Word forms and accents in the Disclosure Log's search: plain words in any form and without accents, quoted words
exactly as typed, prefixes either way.

The page tests run on SQLite with tantivy and on PostgreSQL (with TEST_DATABASE_URL): the two engines' answers
are compared over a larger corpus in tests/integration/test_disclosure_search.py."""
from __future__ import annotations

import re
import sysconfig
import unicodedata
from pathlib import Path

import pytest

from disclosure_log import analysis
from disclosure_log.query import And, Phrase, Term, Wanted, parse, positive_words
from disclosure_log.snippets import snippet
from tests.disclosure_helpers import DisclosureApi, found, search
from tests.pages import PageClient


# How words become terms ---------------------------------------------------------------------------

@pytest.mark.parametrize(("word", "folded"), [
    ("café", "cafe"), ("naïve", "naive"), ("straße", "strasse"), ("æsop", "aesop"), ("œuvre", "oeuvre"),
    ("øresund", "oresund"), ("łódź", "lodz"), ("þing", "thing"), ("ﬁnance", "finance"), ("x²", "x2"),
    ("ｃａｆｅ", "cafe"), ("tŷ", "ty"), ("ǆemal", "dzemal"), ("council", "council"), ("中文", "中文"),
    ("नमस्ते", "नमस्ते"),  # another script's marks are part of its letters: kept
])
def test_accents_are_folded_away_and_other_scripts_are_left_alone(word, folded):
    assert analysis.fold(word) == folded
    assert analysis.fold(word) in analysis.fold_text(f"the {word}.")


@pytest.mark.parametrize(("forms", "stem"), [
    (["complaint", "complaints", "Complaints"], "complaint"),
    (["complain", "complained", "complaining", "complains"], "complain"),
    (["house", "houses", "housing"], "hous"),
    (["café", "cafe", "cafes", "Cafés"], "cafe"),
])
def test_forms_of_a_word_share_a_stem(forms, stem):
    assert {analysis.stem(analysis.words(form)[0]) for form in forms} == {stem}


def test_welsh_words_mostly_keep_their_form():
    welsh = "ceisiadau gwybodaeth gwasanaethau llywodraeth cyngor gyngor caerdydd ysgolion plant".split()
    assert [analysis.stem(w) for w in welsh] == welsh


def test_text_in_decomposed_form_gives_the_same_words():
    decomposed = unicodedata.normalize("NFD", "Café résumé")
    assert analysis.words(decomposed) == analysis.words("Café résumé") == ["café", "résumé"]


def test_terms_keep_exact_forms_and_stems_position_by_position_without_overlong_words():
    exact, stems = analysis.terms("Complaints about the CAFÉ, " + "x" * 41 + " and é" * 10 + "é" * 21)
    assert exact[:4] == ["complaints", "about", "the", "café"] and stems[:4] == ["complaint", "about", "the", "cafe"]
    assert len(exact) == len(stems) and "x" * 41 not in exact and "é" * 21 not in exact  # 42 bytes


ENDINGS = ("", "s", "es", "ies", "ed", "ied", "ing", "ly", "edly", "ingly", "er", "est", "ness", "ful", "fully", "ment",
           "ation", "ational", "ization", "izer", "ism", "ist", "ity", "iveness", "ousness", "ousli", "able", "ably",
           "ibility", "ence", "ance", "ic", "ical", "ative", "alize", "y", "e")


def _english_words() -> set[str]:
    """The words of the Python documentation and standard library, each with English endings: a few hundred thousand."""
    root = Path(sysconfig.get_paths()["stdlib"])
    found: set[str] = set()
    for path in [root / "pydoc_data" / "topics.py", *root.glob("*.py")]:
        found.update(re.findall(r"\b[a-z]{3,}\b", path.read_text(encoding="utf-8", errors="ignore")))
    found |= {"dying", "lying", "tying", "skies", "idly", "gently", "early", "news", "relational", "abilities"}
    return {word + ending for word in found for ending in ENDINGS}


def test_a_stem_less_its_last_two_letters_begins_the_word_so_snippets_can_look_for_it_cheaply():
    vocabulary = _english_words()
    assert len(vocabulary) > 200_000
    assert [w for w in vocabulary if not w.startswith(analysis.probe(analysis.stem(w)))] == []
    assert [w for w in vocabulary if not w.startswith(analysis.stem(w)[:-1])] != []  # one letter would not do: dying


# The query ---------------------------------------------------------------------------------------

def test_quotes_make_words_exact_and_the_rest_plain():
    assert parse('complaints "Café" "care homes" fly-tipping hou*') == And((
        Term("complaints"), Term("café", exact=True), Phrase(("care", "homes"), exact=True),
        Phrase(("fly", "tipping")), Term("hou", prefix=True)))


# Snippets ----------------------------------------------------------------------------------------

def _marks(text: str, q: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", str(snippet(text, positive_words(parse(q))) or ""))


@pytest.mark.parametrize(("q", "marked"), [
    ("complaint", ["Complaints", "complaint"]),
    ('"complaint"', ["complaint"]),
    ("cafe", ["Café", "cafe"]),
    ('"café"', ["Café"]),
    ("complain*", ["Complaints", "complaint", "complained"]),
    ("caf*", ["Café", "cafe"]),
])
def test_snippets_mark_the_words_in_every_form_the_search_matched(q, marked):
    text = "Complaints about the Café: one complaint said we complained to the cafe manager."
    assert _marks(text, q) == marked


def test_snippets_find_accented_words_written_decomposed():
    assert _marks(unicodedata.normalize("NFD", "We met at the café."), '"café"') == ["café"]


def test_a_wanted_word_absent_from_a_text_is_ruled_out_without_reading_its_words():
    wanted = Wanted("dying")
    assert wanted.in_text("they were dying", "they were dying") and not wanted.in_text("they were", "they were")


# The page ----------------------------------------------------------------------------------------

ENTRIES = {
    "FOI-201": ("Complaints about street cleaning", "How many complaints were made?", "There were 12 complaints."),
    "FOI-202": ("A complaint about a café licence", "Please send the complaint.", "It is attached."),
    "FOI-203": ("Residents complained about noise", "Who complained?", "We cannot say who complained."),
    "FOI-204": ("Cafe seating on pavements", "How many cafe licences?", "There are 30."),
    "FOI-205": ("Complaints procedure review", "Send the review of the complaints procedure.", "It is attached."),
}


@pytest.fixture
def forms_client(db_app) -> PageClient:
    api = DisclosureApi(db_app)
    for reference, (title, request, response) in ENTRIES.items():
        api.publish(reference, title=title, request=request, response=response)
    return PageClient(db_app)


def test_a_word_without_its_accent_finds_it_with_one_and_as_typed_finds_only_its_own(forms_client):
    assert set(found(search(forms_client, q="café"))) == {"FOI-202", "FOI-204"}
    assert set(found(search(forms_client, q="cafe"))) == {"FOI-202", "FOI-204"}
    assert found(search(forms_client, q='"café"')) == ["FOI-202"]
    assert found(search(forms_client, q='"cafe"')) == ["FOI-204"]


def test_quoted_phrases_match_only_as_typed(forms_client):
    assert found(search(forms_client, q='"complaints procedure"')) == ["FOI-205"]
    assert found(search(forms_client, q='"complaint procedure"')) == []
    assert found(search(forms_client, q="complaint procedure")) == ["FOI-205"]


def test_related_responses_match_other_forms_of_the_words(db_app, forms_client):
    from disclosure_log import search as log_search
    from disclosure_log.current import get_index
    from portal.db import session

    with db_app.test_request_context():
        titles = [e.title for e in log_search.like_text(session(), get_index(), "complaint cafés", db_app.extensions[
            "portal.services"].clock.now(), limit=5)]
    assert set(titles) == {"Complaints about street cleaning", "A complaint about a café licence",
                           "Cafe seating on pavements", "Complaints procedure review"}
