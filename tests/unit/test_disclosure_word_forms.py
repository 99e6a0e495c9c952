"""Word forms and accents in the Disclosure Log's search: plain words in any form and without accents, quoted words
exactly as typed, and the page's count for the words as typed ("Show only the 2 results for 'complaint' ...").

The page tests run on SQLite with tantivy and on PostgreSQL (with TEST_DATABASE_URL): the two engines' answers
are compared over a larger corpus in tests/integration/test_disclosure_search.py."""
from __future__ import annotations

import re
import sysconfig
import unicodedata
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from disclosure_log import analysis
from disclosure_log.query import And, Not, Or, Phrase, Term, Wanted, as_typed, parse, positive_words, to_text
from disclosure_log.snippets import snippet
from tests.disclosure_helpers import DisclosureApi, found, search, total_shown
from tests.pages import PageClient, text_of


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


@pytest.mark.parametrize("q", [
    "complaint", '"complaint"', 'council "tax arrears" -refused', "parking OR permits OR cafés", "NOT Harlow",
    "hert* s.40(2)", '"care home" OR "home care" NOT ware', "or not and", '-"exempt" fly-tipping',
])
def test_a_query_written_out_again_reads_the_same(q):
    assert parse(to_text(parse(q))) == parse(q)


def test_as_typed_quotes_every_plain_word_and_keeps_prefixes():
    query = parse("complaints OR fly-tipping -cafés hou*")
    assert as_typed(query) == And((Or((Term("complaints", exact=True), Phrase(("fly", "tipping"), exact=True))),
                                   Not(Term("cafés", exact=True)), Term("hou", prefix=True)))
    assert to_text(as_typed(query)) == '"complaints" OR "fly tipping" NOT "cafés" hou*'


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


def test_a_plain_word_finds_its_other_forms_and_says_how_many_have_it_as_typed(forms_client):
    soup = search(forms_client, q="complaint")
    assert set(found(soup)) == {"FOI-201", "FOI-202", "FOI-205"} and total_shown(soup) == 3
    line = soup.find(id="as-typed")
    assert " ".join(line.get_text().split()) == ("These results include other forms of 'complaint', such as 'complaints'. "
                                                 "Show only the 1 result for 'complaint' exactly as you typed it")
    link = line.find("a")
    assert parse_qs(urlsplit(link["href"]).query) == {"q": ['"complaint"']}
    exact = forms_client.get_page(link["href"])
    assert found(exact) == ["FOI-202"] and exact.find(id="as-typed") is None


def test_a_word_without_its_accent_finds_it_with_one_and_as_typed_finds_only_its_own(forms_client):
    assert set(found(search(forms_client, q="café"))) == {"FOI-202", "FOI-204"}
    assert set(found(search(forms_client, q="cafe"))) == {"FOI-202", "FOI-204"}
    assert found(search(forms_client, q='"café"')) == ["FOI-202"]
    assert found(search(forms_client, q='"cafe"')) == ["FOI-204"]


def test_quoted_phrases_match_only_as_typed(forms_client):
    assert found(search(forms_client, q='"complaints procedure"')) == ["FOI-205"]
    assert found(search(forms_client, q='"complaint procedure"')) == []
    assert found(search(forms_client, q="complaint procedure")) == ["FOI-205"]


def test_the_line_keeps_the_filters_and_names_several_words_as_your_words(forms_client):
    soup = search(forms_client, q="cafe licences", case_type="FOI", sort="newest")
    assert set(found(soup)) == {"FOI-202", "FOI-204"}
    line = soup.find(id="as-typed")
    assert "other forms of your words, such as 'café' and 'licence'." in " ".join(line.get_text().split())
    assert parse_qs(urlsplit(line.find("a")["href"]).query) == {
        "q": ['"cafe" "licences"'], "case_type": ["FOI"], "sort": ["newest"]}
    assert line.find("a").get_text() == "Show only the 1 result for your words exactly as you typed them"


def test_when_no_entry_has_the_word_as_typed_the_line_says_so_without_a_link(forms_client):
    soup = search(forms_client, q="complaining")
    assert set(found(soup)) == {"FOI-203"}
    line = soup.find(id="as-typed")
    assert line.find("a") is None
    assert "No results have 'complaining' exactly as you typed it." in text_of(line)


@pytest.mark.parametrize("q", ["complained", '"complaints"', "compl*", "zebra", "noise"])
def test_no_line_when_the_words_as_typed_find_as_many(forms_client, q):
    assert search(forms_client, q=q).find(id="as-typed") is None


def test_the_json_gives_the_count_as_typed_and_its_link(forms_client):
    body = forms_client.raw.get("/disclosure-log.json?q=complaint").json
    assert body["total"] == 3 and body["as_typed"] == {"q": '"complaint"', "total": 1}
    exact = forms_client.raw.get(urlsplit(body["links"]["as_typed"]).path + "?" + urlsplit(body["links"]["as_typed"]).query)
    assert exact.json["total"] == 1 and exact.json["as_typed"] is None
    assert "as_typed" not in exact.json["links"]


def test_related_responses_match_other_forms_of_the_words(db_app, forms_client):
    from disclosure_log import search as log_search
    from disclosure_log.current import get_index
    from portal.db import session

    with db_app.test_request_context():
        titles = [e.title for e in log_search.like_text(session(), get_index(), "complaint cafés", db_app.extensions[
            "portal.services"].clock.now(), limit=5)]
    assert set(titles) == {"Complaints about street cleaning", "A complaint about a café licence",
                           "Cafe seating on pavements", "Complaints procedure review"}
