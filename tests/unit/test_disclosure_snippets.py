"""Snippets start where a reader would: at a sentence near the match or a space before it, never inside a word,
and past the formulaic opening most responses have (issue 14 item 8)."""
from __future__ import annotations

import pytest

from disclosure_log.query import Wanted
from disclosure_log.snippets import WINDOW, opening, snippet

THANKS = ("Thank you for your request for information about parking, which we have dealt with under the Freedom of "
          "Information Act 2000. ")
CONFIRM = "We can confirm that the council holds the information you asked for. "


def plain(marked) -> str:
    return marked.striptags()


def marks(marked) -> list[str]:
    return [part.split("</mark>")[0] for part in str(marked).split("<mark>")[1:]]


def test_a_match_near_the_start_of_its_sentence_shows_the_whole_sentence():
    text = THANKS + CONFIRM + "In 2025 the council issued 2,000 parking permits to residents of Ware."
    shown = plain(snippet(text, [Wanted("permits")]))
    assert shown.startswith("… In 2025 the council issued 2,000 parking permits")


def test_a_word_in_the_formulaic_opening_loses_to_the_same_word_later():
    text = THANKS + CONFIRM + "The parking income for 2025 was £1.2 million, from 14 car parks."
    marked = snippet(text, [Wanted("parking")])
    assert plain(marked).startswith("… The parking income for 2025")
    assert "Thank you" not in plain(marked) and marks(marked) == ["parking", "parks"]  # one stem, park


def test_a_match_only_in_the_opening_is_still_shown():
    text = THANKS + "The figures are attached."
    assert plain(snippet(text, [Wanted("parking")])).startswith("Thank you for your request")


def test_more_words_matched_beat_a_plainer_sentence():
    text = THANKS + "Parking was busy. " + "Nothing else to say here at all. " * 6
    marked = snippet(text, [Wanted("parking"), Wanted("information")])
    assert {mark.lower() for mark in marks(marked)} == {"parking", "information"}


@pytest.mark.parametrize(("text", "word", "starts"), [  # four words back from the match is inside a word
    ("word " * 40 + "fly-tipping in the town hall", "hall", "… fly-tipping in"),
    ("word " * 40 + "the council's own car park", "park", "… council's own"),
    ("word " * 40 + "s.40(2) applies to names", "names", "… s.40(2) applies"),
    ("word " * 40 + '("quoted text") about parking', "quoted", '… word word word word ("quoted'),
])
def test_a_snippet_never_starts_inside_a_word(text, word, starts):
    shown = plain(snippet(text, [Wanted(word)]))
    assert shown.startswith(starts), shown


def test_wherever_the_match_is_the_snippet_starts_and_ends_with_a_whole_token():
    tokens = ("fly-tipping council's s.40(2) (quoted) e-mail's re-re-let plain words here " * 8).split()
    text = " ".join(tokens)
    for n, token in enumerate(tokens):
        marker = f"zz{n}"
        marked_text = " ".join(tokens[:n] + [marker] + tokens[n + 1:])
        shown = plain(snippet(marked_text, [Wanted(marker)])).removeprefix("… ").removesuffix(" …").split()
        assert shown[0] in marked_text.split() and shown[-1] in marked_text.split(), (token, shown[0], shown[-1])
    assert text


def test_a_long_sentence_starts_a_few_words_before_the_match():
    text = "In this year " + "and then some more " * 20 + "the parking permits were issued."
    shown = plain(snippet(text, [Wanted("permits")]))
    assert shown.startswith("… some more the parking permits were issued.")


def test_a_snippet_ends_at_a_space_with_an_ellipsis_when_the_text_goes_on():
    text = "Parking " + " ".join(f"w{n}" for n in range(WINDOW - 2)) + " fly-tipping and more words after it"
    shown = plain(snippet(text, [Wanted("parking")]))
    assert shown.endswith(" fly-tipping …")  # the last word whole, not "fly-"
    assert not plain(snippet("The parking permits.", [Wanted("parking")])).endswith("…")


def test_a_snippet_is_escaped_and_marks_each_form_of_a_prefix():
    marked = snippet("<b>Housing</b> and houses & homes", [Wanted("hous", prefix=True)])
    assert "<b>" not in str(marked) and "&lt;b&gt;" in str(marked)
    assert marks(marked) == ["Housing", "houses"]


def test_no_match_no_snippet():
    assert snippet("Parking permits", [Wanted("zebra")]) is None
    assert snippet("", [Wanted("zebra")]) is None
    assert snippet("Parking", []) is None


def test_the_opening_of_a_result_with_no_match_skips_the_formulaic_sentences():
    text = THANKS + CONFIRM + "There were 2,000 permits. " + "More words follow. " * 20
    shown = plain(opening(text))
    assert shown.startswith("… There were 2,000 permits.") and shown.endswith("…")


def test_an_opening_that_is_all_formula_starts_at_the_start():
    assert plain(opening(THANKS)).startswith("Thank you for your request")
    assert opening("") is None and opening("  ") is None
