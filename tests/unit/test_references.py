"""Case references: format, alphabet, check symbol, and reading back what people type."""
from __future__ import annotations

import re
import string
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capture.references import ALPHABET, is_valid_reference, new_reference, normalise_reference

CHECKED_CHARACTERS = string.ascii_uppercase + string.digits

prefixes = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=4)
years = st.integers(min_value=2000, max_value=2099)
random_parts = st.text(alphabet=ALPHABET, min_size=4, max_size=4)


def with_check(prefix: str, year: int, random_part: str) -> str:
    """The one valid reference for these parts, found through the public API only."""
    valid = [f"{prefix}-{year}-{random_part}-{check}" for check in ALPHABET
             if is_valid_reference(f"{prefix}-{year}-{random_part}-{check}")]
    assert len(valid) == 1, valid
    return valid[0]


references = st.builds(with_check, prefixes, years, random_parts)


def test_the_alphabet_leaves_out_characters_people_confuse():
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert set(ALPHABET) <= set(CHECKED_CHARACTERS)
    assert not set(ALPHABET) & set("0O1IU")


def test_a_new_reference_has_the_prefix_the_year_four_symbols_and_a_check_symbol():
    reference = new_reference("FOI", 2026)
    assert re.fullmatch(rf"FOI-2026-[{ALPHABET}]{{4}}-[{ALPHABET}]", reference)
    assert is_valid_reference(reference)


@pytest.mark.parametrize("reference", ["FOI-2026-7K4M-X", "SAR-2027-ZZZZ-M", "CMP-2026-2222-Y"])
def test_known_references_stay_valid(reference):
    # Worked out by hand; a change here would invalidate every reference already issued.
    assert is_valid_reference(reference)


@pytest.mark.parametrize("prefix", ["foi", "F", "FOIAB", "F0I", "", "ÉIR", "FO I", 123, None])
def test_a_bad_prefix_is_refused(prefix):
    with pytest.raises(ValueError, match="prefix"):
        new_reference(prefix, 2026)


@pytest.mark.parametrize("year", [999, 10000, -2026, "2026", True, 2026.0])
def test_a_bad_year_is_refused(year):
    with pytest.raises(ValueError, match="year"):
        new_reference("FOI", year)


@given(references)
def test_every_single_wrong_character_is_caught(reference):
    for position, original in enumerate(reference):
        if original == "-":
            continue
        for replacement in CHECKED_CHARACTERS.replace(original, ""):
            typo = reference[:position] + replacement + reference[position + 1:]
            assert normalise_reference(typo) is None, typo


def swapped(text: str, i: int, j: int) -> str:
    letters = list(text)
    letters[i], letters[j] = letters[j], letters[i]
    return "".join(letters)


@given(references)
def test_every_swap_of_two_characters_is_caught(reference):
    prefix_positions = range(reference.index("-"))
    later_positions = [i for i in range(reference.index("-") + 1, len(reference)) if reference[i] != "-"]
    pairs = [(i, j) for i in prefix_positions for j in prefix_positions if i < j]
    pairs += [(i, j) for i in later_positions for j in later_positions if i < j]
    compact = [i for i, c in enumerate(reference) if c != "-"]
    pairs += list(zip(compact, compact[1:]))  # adjacent ones across the hyphens too
    for i, j in pairs:
        if reference[i] != reference[j]:
            assert normalise_reference(swapped(reference, i, j)) is None, swapped(reference, i, j)


@given(references)
def test_what_people_type_reads_back_as_the_reference(reference):
    prefix, year, random_part, check = reference.split("-")
    typed = [
        reference.lower(),
        f"  {prefix} {year} {random_part} {check}  ",
        f"{prefix}{year}{random_part}{check}".lower(),
        f"{prefix} – {year} – {random_part} – {check}",
        f"{prefix}-{year}-{random_part.lower()}{check}",
    ]
    for text in typed:
        assert normalise_reference(text) == reference, text
    assert normalise_reference(reference) == reference
    assert is_valid_reference(reference)
    assert not is_valid_reference(reference.lower())


@pytest.mark.parametrize("text", [
    "", "   ", "FOI", "FOI-2026-7K4M", "FOI-2026-7K4M-XX", "FOI-26-7K4M-X", "FOI-2026-7K4-X", "FOI-2026-7K4MX-X",
    "FOI-2026-7K4M-Q", "FOI/2026/7K4M/X", "FOI-２０２６-7K4M-X", "FOI-٢٠٢٦-7K4M-X", "FOI-2026-7K4M-X" + " " * 100,
])
def test_anything_else_is_not_a_reference(text):
    assert normalise_reference(text) is None
    assert not is_valid_reference(text)


@pytest.mark.parametrize("confusable", ["0", "O", "1", "I", "U"])
def test_a_confusable_character_is_refused_not_guessed(confusable):
    # "FOI-2026-7K4M-X" with its random part's 4 typed as one of the characters we never issue.
    assert normalise_reference(f"FOI-2026-7K{confusable}M-X") is None


def test_ten_thousand_new_references_are_valid_and_almost_all_different():
    issued = [new_reference("SAR", 2026) for _ in range(10_000)]
    assert all(map(is_valid_reference, issued))
    # 923,521 random parts: about 54 repeats expected among 10,000, hence the unique index in the database.
    assert len(set(issued)) >= 9_850
    for position in range(9, 13):
        assert set(reference[position] for reference in issued) == set(ALPHABET)
    assert set(Counter(reference[-1] for reference in issued)) == set(ALPHABET)
