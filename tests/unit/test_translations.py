"""The catalogues: every English string in the code has a Welsh translation, with the same placeholders and markup.

The folders and the packages they are extracted from are the Makefile's CATALOGUES, so a part added there is
checked here at once. `make translations` brings a catalogue up to date with the code; these tests say which
string is missing or wrong and where.
"""
from __future__ import annotations

import collections
import gettext
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import CommandLineInterface, parse_mapping_cfg
from flask_babel import get_babel

from portal.catalogues import english, messages, po_path, read, to_check, translations

ROOT = Path(__file__).resolve().parent.parent.parent
PLACEHOLDERS = re.compile(r"%\((\w+)\)[sd]|%\{(\w+)\}|(?<![%\w])\{(\w+)\}")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)")


def makefile_catalogues() -> dict[str, list[str]]:
    line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("CATALOGUES :="))
    entries = line.split(":=", 1)[1].split()
    return {folder: sources.split("+") for folder, sources in (entry.split("=", 1) for entry in entries)}


CATALOGUES = makefile_catalogues()


def extracted(sources: list[str]) -> set:
    """What `make translations` extracts from these packages, read with the same babel.cfg."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for source in sources:
        for _filename, _line, message, _comments, _context in extract_from_dir(ROOT / source, method_map, options_map):
            found.add(message if isinstance(message, str) else tuple(message))
    return found


def placeholders(text: str) -> collections.Counter:
    return collections.Counter(next(g for g in match.groups() if g) for match in PLACEHOLDERS.finditer(text))


def tags(text: str) -> collections.Counter:
    return collections.Counter(TAG.findall(text))


def welsh_messages():
    for folder in CATALOGUES:
        for message in messages(read(ROOT / folder, "cy")):
            yield folder, message


def test_the_makefile_names_the_shell_and_secure_share_catalogues():
    assert {"portal/translations", "secure_share/translations"} <= set(CATALOGUES)
    assert CATALOGUES["portal/translations"] == ["portal", "govuk_templates", "accessibility"]


@pytest.mark.parametrize("folder", CATALOGUES)
@pytest.mark.parametrize("language", ["en", "cy"])
def test_each_catalogue_holds_exactly_the_english_of_its_code(folder, language):
    in_code = extracted(CATALOGUES[folder])
    in_catalogue = {m.id if isinstance(m.id, str) else tuple(m.id) for m in messages(read(ROOT / folder, language))}
    assert in_code, f"nothing extracted for {folder}"
    assert not in_code - in_catalogue, f"in the code but not in {po_path(folder, language)} (run make translations)"
    assert not in_catalogue - in_code, f"in {po_path(folder, language)} but no longer in the code (run make translations)"


def test_every_english_message_has_a_welsh_translation():
    missing = [(folder, english(m)) for folder, m in welsh_messages() if not all(translations(m))]
    fuzzy = [(folder, english(m)) for folder, m in welsh_messages() if m.fuzzy]
    assert not missing, f"no Welsh for: {missing}"
    assert not fuzzy, f"fuzzy (the English changed: check the Welsh, then remove the fuzzy flag): {fuzzy}"


def test_welsh_plurals_give_every_form():
    for folder, message in welsh_messages():
        if isinstance(message.id, tuple):
            assert len(translations(message)) == 6, (folder, message.id)  # zero, one, two, few, many, other


def test_welsh_keeps_every_placeholder():
    wrong = []
    for folder, message in welsh_messages():
        wanted = placeholders(english(message).split(" / ")[-1])
        wrong += [(folder, english(message), text) for text in translations(message) if placeholders(text) != wanted]
    assert not wrong, f"placeholders differ from the English: {wrong}"


def test_welsh_keeps_the_markup():
    wrong = [(folder, english(m)) for folder, m in welsh_messages()
             if any(tags(text) != tags(english(m).split(" / ")[-1]) for text in translations(m))]
    assert not wrong, f"HTML tags differ from the English: {wrong}"


def test_one_english_string_has_one_welsh_across_catalogues():
    seen: dict = {}
    for _folder, message in welsh_messages():
        seen.setdefault(message.id if isinstance(message.id, str) else tuple(message.id), set()).add(
            translations(message))
    assert not {k: v for k, v in seen.items() if len(v) > 1}, "the same English has different Welsh in two catalogues"


def test_the_compiled_catalogues_are_up_to_date():
    """The app reads the .mo files `make` compiles from the .po files: an edit to a .po needs a compile."""
    for folder in CATALOGUES:
        mo = po_path(ROOT / folder, "cy").with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run make translations-compile"
        with mo.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        for message in messages(read(ROOT / folder, "cy")):
            if isinstance(message.id, str):
                assert compiled.gettext(message.id) == message.string, f"{mo} is out of date: run make translations-compile"
            else:
                assert compiled.ngettext(*message.id, 2) == message.string[compiled.plural(2)], mo


def test_the_app_reads_every_catalogue(app):
    with app.app_context():
        loaded = {Path(folder).resolve() for folder in get_babel(app).translation_directories}
    assert {(ROOT / folder).resolve() for folder in CATALOGUES} <= loaded


def test_review_flags_are_listed_and_survive_an_update(tmp_path):
    """`make translations-review` lists the "review:" comments, and `pybabel update` (make translations) keeps them."""
    folder = tmp_path / "translations"
    shutil.copytree(ROOT / "secure_share" / "translations", folder)
    before = to_check(folder)
    assert before and all(item.why and item.translation for item in before)
    CommandLineInterface().run(["pybabel", "--quiet", "update", "--no-wrap", "--ignore-pot-creation-date",
                                "-i", str(folder / "messages.pot"), "-d", str(folder), "-l", "cy"])
    assert [item.english for item in to_check(folder)] == [item.english for item in before]
