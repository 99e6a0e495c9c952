"""The translation catalogues as files: what each holds, and which Welsh still needs a fluent speaker's check.

Each part of the portal keeps a catalogue, a `translations/` folder with `<language>/LC_MESSAGES/messages.po`
(README "Welsh"). A Welsh translation to be checked by a fluent Welsh speaker before a body goes live carries a
translator comment starting "review:" that says what to check; `pybabel update` keeps it, and
`make translations-review` lists every one (with anything not translated yet, or left fuzzy by a changed
English string) so a body can send the list for checking. Once checked, delete the comment.

Form files keep their Welsh beside the English instead (capture/texts.py: `{en: ..., cy: ..., review: ...}`): a
FOLDER of `*.yaml` form files is read for the same list, each text with a `review` note, and any text of a form
offered in Welsh (`languages: [en, cy]`) with no Welsh yet.

Run as `python -m portal.catalogues review FOLDER...`: the Makefile passes its catalogue folders and capture/forms.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
import yaml

REVIEW = "review:"


@dataclasses.dataclass(frozen=True)
class ToCheck:
    catalogue: str
    english: str
    translation: str
    why: str


def po_path(folder: Path | str, language: str) -> Path:
    return Path(folder) / language / "LC_MESSAGES" / "messages.po"


def read(folder: Path | str, language: str) -> Catalog:
    with po_path(folder, language).open("rb") as handle:
        return read_po(handle, locale=language)


def messages(catalog: Catalog) -> list[Message]:
    """The catalogue's messages, without its header (whose id is empty)."""
    return [message for message in catalog if message.id]


def english(message: Message) -> str:
    return message.id if isinstance(message.id, str) else " / ".join(message.id)


def translations(message: Message) -> tuple[str, ...]:
    return (message.string,) if isinstance(message.string, str) else tuple(message.string)


def _review_notes(comments: list[str]) -> list[str]:
    """The "review:" comments, each with the lines it wraps onto (a .po file wraps long comments)."""
    notes: list[str] = []
    for line in comments:
        if line.lower().startswith(REVIEW):
            notes.append(line[len(REVIEW):].strip())
        elif notes:
            notes[-1] += " " + line.strip()
    return notes


def to_check(folder: Path | str, language: str = "cy") -> list[ToCheck]:
    """Every message in the catalogue flagged for review, not yet translated, or fuzzy."""
    found = []
    for message in messages(read(folder, language)):
        notes = _review_notes(message.user_comments)
        if not all(translations(message)):
            notes.append("not translated yet")
        if message.fuzzy:
            notes.append("fuzzy: the English changed since this was translated")
        if notes:
            found.append(ToCheck(str(folder), english(message), " / ".join(translations(message)), "; ".join(notes)))
    return found


def _texts(node, where: str):
    """(where, {en, cy, review}) for every text given in two languages, anywhere in a form file."""
    if isinstance(node, dict):
        if isinstance(node.get("en"), str) and set(node) <= {"en", "cy", "review"}:
            yield where, node
            return
        for key, value in node.items():
            yield from _texts(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _texts(value, f"{where}.{n}")


def _plain_texts(node, where: str):
    """Texts given in English only, as a plain string, under the keys a person reads (for a Welsh form)."""
    read = {"name", "name_in_sentence", "title", "summary", "start", "confirmation_next_steps", "acknowledgement_intro",
            "acknowledgement_rights", "heading", "body", "text", "label", "hint", "summary_label", "allow_later",
            "later_warning", "errors"}
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if key in read and isinstance(value, str) and value:
                yield here, value
            elif key in read | {"required", "too_long", "invalid", "incomplete", "future", "past"} and isinstance(value, list):
                yield from ((f"{here}.{n}", item) for n, item in enumerate(value) if isinstance(item, str) and item)
            if key == "errors" and isinstance(value, dict):
                yield from ((f"{here}.{kind}", item) for kind, item in value.items() if isinstance(item, str))
            elif isinstance(value, (dict, list)):
                yield from _plain_texts(value, here)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _plain_texts(value, f"{where}.{n}")


def form_texts_to_check(folder: Path | str) -> list[ToCheck]:
    """Every text in the folder's form files with a review note, or with no Welsh in a form offered in Welsh."""
    found = []
    for path in sorted(Path(folder).glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            continue
        for where, text in _texts(raw, ""):
            notes = [text["review"]] if text.get("review") else []
            if not text.get("cy") and "cy" in (raw.get("languages") or ()):
                notes.append("not translated yet")
            if notes:
                found.append(ToCheck(f"{path} {where}", text["en"], text.get("cy", ""), "; ".join(notes)))
        if "cy" in (raw.get("languages") or ()):
            found += [ToCheck(f"{path} {where}", english, "", "not translated yet")
                      for where, english in _plain_texts(raw, "")]
    return found


def _review(folders: list[str]) -> int:
    total = 0
    for folder in folders:
        if not po_path(folder, "cy").exists() and any(Path(folder).glob("*.yaml")):
            items = form_texts_to_check(folder)
            total += len(items)
            print(f"{folder}/*.yaml: {len(items)} to check")
            for item in items:
                print(f"\n  Where:   {item.catalogue}\n  English: {item.english}\n  Welsh:   {item.translation or '(none)'}"
                      f"\n  Check:   {item.why}")
            print()
            continue
        items = to_check(folder)
        total += len(items)
        print(f"{po_path(folder, 'cy')}: {len(items)} to check")
        for item in items:
            print(f"\n  English: {item.english}\n  Welsh:   {item.translation or '(none)'}\n  Check:   {item.why}")
        print()
    print(f"{total} Welsh strings to check in all. After checking one, delete its '# review:' comment in the .po file "
          "(or its review: key in a form file).")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "review":
        print("usage: python -m portal.catalogues review FOLDER...", file=sys.stderr)
        return 2
    return _review(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
