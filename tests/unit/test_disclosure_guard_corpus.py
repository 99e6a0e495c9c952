"""The publish guard on its labelled corpus (tests/guard_corpus.py): issue 14's aims, recall of at least 95% with
false alarms on at most 5% of clean passages, over the whole corpus. bench/disclosure_guard.py prints the
figures per kind and for each part (the tuning part, and the parts written after the tuning)."""
from __future__ import annotations

import pytest

from disclosure_log.guard import LABELS, Allowed, check_text
from tests.conftest import make_settings
from tests.guard_corpus import BODY, HELD_OUT, HELD_OUT_2, HELD_OUT_3, TUNING, score

CORPUS = TUNING + HELD_OUT + HELD_OUT_2 + HELD_OUT_3


@pytest.fixture
def allowed(tmp_path) -> Allowed:
    """What Example Council's settings let through."""
    return Allowed.from_settings(make_settings(tmp_path, **BODY))


def test_the_corpus_is_large_half_clean_and_labelled_with_known_kinds():
    clean = [case for case in CORPUS if not case.kinds]

    assert len(CORPUS) >= 150
    assert 0.45 <= len(clean) / len(CORPUS) <= 0.55
    assert {kind for case in CORPUS for kind in case.kinds} <= set(LABELS)
    assert len({case.text for case in CORPUS}) == len(CORPUS)  # no passage counted twice


def test_the_guard_finds_at_least_95_percent_with_at_most_5_percent_false_alarms(allowed):
    result = score(CORPUS, lambda text: {finding.kind for finding in check_text("response", text, allowed)})

    missed = "\n".join(f"  missed {', '.join(kinds)}: {text!r}" for text, kinds in result.missed)
    false = "\n".join(f"  found {', '.join(kinds)} in clean text: {text!r}" for text, kinds in result.false)
    assert result.recall >= 0.95, f"recall {result.recall:.3f}\n{missed}"
    assert result.false_alarm_rate <= 0.05, f"false alarms {result.false_alarm_rate:.3f}\n{false}"


def test_the_corpus_exercises_the_allow_list(allowed):
    """Without Example Council's settings the same rules would stop its own switchboard and address."""
    with_list = score(CORPUS, lambda text: {finding.kind for finding in check_text("response", text, allowed)})
    without = score(CORPUS, lambda text: {finding.kind for finding in check_text("response", text)})

    assert without.clean_flagged > with_list.clean_flagged
