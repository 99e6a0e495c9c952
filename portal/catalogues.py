"""The translation catalogues as files: what each holds, and which Welsh still needs a fluent speaker's check.

Each part of the portal keeps a catalogue, a `translations/` folder with `<language>/LC_MESSAGES/messages.po`
(README "Welsh"). A Welsh translation to be checked by a fluent Welsh speaker before a body goes live carries a
translator comment starting "review:" that says what to check; `pybabel update` keeps it, and
`make translations-review` lists every one (with anything not translated yet, or left fuzzy by a changed
English string) so a body can send the list for checking. Once checked, delete the comment.

Run as `python -m portal.catalogues review FOLDER...`: the Makefile passes its catalogue folders.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

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


def _review(folders: list[str]) -> int:
    total = 0
    for folder in folders:
        items = to_check(folder)
        total += len(items)
        print(f"{po_path(folder, 'cy')}: {len(items)} to check")
        for item in items:
            print(f"\n  English: {item.english}\n  Welsh:   {item.translation or '(none)'}\n  Check:   {item.why}")
        print()
    print(f"{total} Welsh strings to check in all. After checking one, delete its '# review:' comment in the .po file.")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "review":
        print("usage: python -m portal.catalogues review FOLDER...", file=sys.stderr)
        return 2
    return _review(argv[1:])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
