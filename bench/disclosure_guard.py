"""The Disclosure Log's publish guard: how often it is right, and what it costs the bulk import.

The issue's figures (issue 14 item 4). Prints figures only.

    .venv/bin/python bench/disclosure_guard.py                    # a few minutes
    .venv/bin/python bench/disclosure_guard.py --entries 50000 --rounds 5
    .venv/bin/python bench/disclosure_guard.py --skip-import      # the corpus only: seconds

1. Accuracy. The labelled corpus in tests/guard_corpus.py: passages of the kind responses hold, each labelled
   with the kinds of personal data in it, half of them clean text that looks risky. Per kind: recall (of the
   passages labelled with the kind, the share where the guard found it) and false alarms (of the clean
   passages, the share where it found the kind); overall, recall over every (passage, kind) labelled and
   false alarms as the share of clean passages with any finding: what an officer would look at for nothing.
   The tuning part (the rules were tuned against it) and the held-out part (written after the tuning) are
   reported apart. The new guard runs with Example Council's settings (guard_corpus.BODY) as its allow-list;
   the old guard is `git show <--old-ref>:disclosure_log/guard.py` (by default the commit before the guard
   became a package), loaded as a module, which has no allow-list.
2. Cost. bench/gen_disclosures.py's entries (seeded: the same every run), plain and with a signature block
   as real responses end (an officer's name, the body's address, switchboard and mailbox), imported with
   disclosure_log.bulk.run_import in this process (one worker: the guard's share is not hidden by
   parallelism) into a fresh SQLite database and tantivy index each time, with no guard, the old guard and
   the new one, in turns, --rounds times. Reported: the median entries per second (wall clock) and CPU
   seconds of each, how much slower each guard makes the import than no guard and the new than the old,
   and the guard's own time per entry (check_entry over the same entries, outside the import).

The machine may be doing other work (2 cores shared): the load average is printed at start and end, and the
rounds are interleaved so that a busy spell slows every mode alike. Nothing here asserts a timing.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from disclosure_log import bulk, guard  # noqa: E402
from tests.guard_corpus import BODY, HELD_OUT, HELD_OUT_2, HELD_OUT_3, TUNING, Score, score  # noqa: E402

OLD_GUARD = "f2e3bd3e12617ac67e637636c445e29b63c2ec80"  # main before issue 14's items 2 to 5: guard.py, one module
SIGNATURE = ("\n\nYours sincerely\n\nJanet Pemberton\nInformation Governance Officer\nExample Council, Riverside House, "
             "Ware SG12 0QA\nTelephone: 01992 555 555\nEmail: information.requests@example.gov.uk")
KINDS = ["email", "phone", "ni_number", "nhs_number", "vehicle_registration", "postcode_with_name", "home_address",
         "date_of_birth"]


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_disclosures", ROOT / "bench" / "gen_disclosures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_old_guard(ref: str) -> types.ModuleType | None:
    """The guard as it was at `ref`, or None when git cannot show it."""
    shown = subprocess.run(["git", "show", f"{ref}:disclosure_log/guard.py"], cwd=ROOT, capture_output=True, text=True)
    if shown.returncode != 0:
        print(f"(no old guard: git show {ref}:disclosure_log/guard.py failed: {shown.stderr.strip()})")
        return None
    folder = Path(tempfile.mkdtemp(prefix="old-guard-"))
    path = folder / "old_guard.py"
    path.write_text(shown.stdout)
    spec = importlib.util.spec_from_file_location("old_guard", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_guard"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    shutil.rmtree(folder)
    return module


def body_allowed() -> guard.Allowed:
    settings = types.SimpleNamespace(mail_from="no-reply@example.gov.uk", feedback_url="", in_person="", **BODY)
    return guard.Allowed.from_settings(settings)


# --- accuracy ------------------------------------------------------------------------------------------

def accuracy(guards: dict[str, Callable[[str], set[str]]]) -> dict:
    splits = {"tuning": TUNING, "held out (written after the tuning; the rules were widened after it)": HELD_OUT,
              "held out 2 (written after that; two rules were tuned on its two false alarms)": HELD_OUT_2,
              "held out 3 (written after that: unseen)": HELD_OUT_3, "all": TUNING + HELD_OUT + HELD_OUT_2 + HELD_OUT_3}
    results = {}
    for split, cases in splits.items():
        if not cases:
            continue
        clean = sum(not case.kinds for case in cases)
        print(f"\n{split}: {len(cases)} passages, {clean} of them clean")
        names = list(guards)
        print(f"  {'kind':22s}" + "".join(f"{name:>34s}" for name in names))
        print(f"  {'':22s}" + "".join(f"{'recall':>20s}{'false alarms':>14s}" for _ in names))
        scores = {name: score(cases, check) for name, check in guards.items()}
        for kind in KINDS:
            cells = "".join(f"{_fraction(s.found[kind], s.expected[kind]):>20s}{_fraction(s.alarms[kind], s.clean):>14s}"
                            for s in scores.values())
            print(f"  {kind:22s}{cells}")
        overall = "".join(f"{_fraction(sum(s.found.values()), sum(s.expected.values())):>20s}"
                          f"{_fraction(s.clean_flagged, s.clean):>14s}" for s in scores.values())
        print(f"  {'overall':22s}{overall}")
        results[split] = {name: _as_json(s) for name, s in scores.items()}
        new = scores["new guard"]
        for text, kinds in new.missed:
            print(f"    new guard missed {', '.join(kinds)}: {_short(text)}")
        for text, kinds in new.false:
            print(f"    new guard false alarm ({', '.join(kinds)}): {_short(text)}")
    return results


def _fraction(part: int, whole: int) -> str:
    return f"{part}/{whole} {100 * part / whole:5.1f}%" if whole else "-"


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 90 else flat[:89] + "…"


def _as_json(result: Score) -> dict:
    return {"recall": round(result.recall, 4), "false_alarm_rate": round(result.false_alarm_rate, 4),
            "kinds": {kind: {"found": result.found[kind], "expected": result.expected[kind],
                             "false_alarms": result.alarms[kind]} for kind in KINDS}}


# --- cost ----------------------------------------------------------------------------------------------

class _NoGuard:
    @staticmethod
    def check_entry(fields, attachments, allowed=None):
        return []


class _OldGuard:
    """The old guard behind the new one's call: bulk passes the allow-list, which it never had."""

    def __init__(self, module: types.ModuleType):
        self.module = module

    def check_entry(self, fields, attachments, allowed=None):
        return self.module.check_entry(fields, attachments)


def write_entries(path: Path, count: int, signed: bool) -> list[dict]:
    generator = load_generator()
    rng = random.Random(20261123)
    entries = [generator.entry(number, rng) for number in range(count)]
    if signed:
        entries = [{**entry, "response": entry["response"] + SIGNATURE} for entry in entries]
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
    return entries


def import_once(jsonl: Path, mode: object, allowed: guard.Allowed) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, entries imported) of one import into a fresh database and index."""
    from portal.app import create_app
    from portal.db import Database
    from portal.settings import Settings

    var = Path(tempfile.mkdtemp(prefix="guard-bench-var-"))
    try:
        settings = Settings.from_env({"PORTAL_ENV": "development", "PORTAL_VAR_DIR": str(var), "JOB_BACKEND": "immediate",
                                      "CLAMD_SOCKET": "", "SCANNER_WARNING": "false", "LOG_LEVEL": "WARNING"})
        Database(settings.sqlalchemy_url).upgrade()
        app = create_app(settings)
        real = bulk.guard
        bulk.guard = mode
        try:
            with app.app_context():
                database = app.extensions["portal.db"]
                from disclosure_log.current import get_index

                index = get_index()
                wall, cpu = time.perf_counter(), time.process_time()
                report = bulk.run_import(database.sessionmaker, index, jsonl, actor="bench",
                                         now=dt.datetime.now(dt.timezone.utc), allowed=allowed)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                database.dispose()
        finally:
            bulk.guard = real
        return wall, cpu, report.imported
    finally:
        shutil.rmtree(var, ignore_errors=True)


def guard_only(entries: list[dict], check: Callable[[dict], object]) -> float:
    """CPU microseconds per entry of the guard alone, the best of three passes."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for entry in entries:
            check({field: entry[field] for field in ("title", "request", "response")})
        best = min(best, time.process_time() - started)
    return best * 1e6 / len(entries)


def cost(count: int, rounds: int, old: types.ModuleType | None, allowed: guard.Allowed) -> dict:
    modes = {"no guard": _NoGuard(), **({"old guard": _OldGuard(old)} if old else {}), "new guard": guard}
    results = {}
    folder = Path(tempfile.mkdtemp(prefix="guard-bench-"))
    try:
        for signed in (False, True):
            corpus = "generated, each with a signature block" if signed else "generated"
            jsonl = folder / f"entries-{signed}.jsonl"
            entries = write_entries(jsonl, count, signed)
            print(f"\nBulk import of {count:,} entries ({corpus}), one worker, SQLite and tantivy, "
                  f"median of {rounds} rounds in turns")
            timings: dict[str, list[tuple[float, float]]] = {name: [] for name in modes}
            stopped: dict[str, int] = {}
            for round_number in range(rounds):
                for name, mode in (modes.items() if round_number % 2 == 0 else reversed(modes.items())):
                    wall, cpu, imported = import_once(jsonl, mode, allowed)
                    timings[name].append((wall, cpu))
                    stopped[name] = count - imported
                    print(f"  round {round_number + 1}, {name}: {count / wall:,.0f} entries/s, {cpu:.1f} CPU s, "
                          f"{imported:,} imported", flush=True)
            own = {"no guard": 0.0, "new guard": guard_only(entries, lambda f: guard.check_entry(f, [], allowed))}
            if old:
                own["old guard"] = guard_only(entries, lambda f: old.check_entry(f, []))
            medians = {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
                       for name, runs in timings.items()}
            base_wall, base_cpu = medians["no guard"]
            print(f"  {'':10s}{'entries/s':>12s}{'CPU s':>8s}{'slower than no guard':>24s}{'guard µs/entry':>16s}"
                  f"{'stopped':>9s}")
            for name, (wall, cpu) in medians.items():
                slower = f"{100 * (wall / base_wall - 1):+.0f}% wall, {100 * (cpu / base_cpu - 1):+.0f}% CPU"
                print(f"  {name:10s}{count / wall:12,.0f}{cpu:8.1f}{slower:>24s}{own[name]:16.1f}{stopped[name]:9,}")
            if any(stopped.values()):
                print("  (a guard that stops entries saves their database and index writes: its import is not"
                      " comparable)")
            if old:
                (old_wall, old_cpu), (new_wall, new_cpu) = medians["old guard"], medians["new guard"]
                print(f"  new guard against the old: {100 * (new_wall / old_wall - 1):+.0f}% wall, "
                      f"{100 * (new_cpu / old_cpu - 1):+.0f}% CPU")
            results[corpus] = {name: {"entries_per_s": round(count / wall), "cpu_s": round(cpu, 2),
                                      "guard_us_per_entry": round(own[name], 1), "stopped": stopped[name]}
                               for name, (wall, cpu) in medians.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000, help="entries per import (default 10,000)")
    parser.add_argument("--rounds", type=int, default=3, help="imports of each kind (default 3)")
    parser.add_argument("--old-ref", default=OLD_GUARD, help="the git revision whose disclosure_log/guard.py is the"
                                                              " old guard (default: the last one before the package)")
    parser.add_argument("--skip-import", action="store_true", help="the corpus only")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(f"load average at start: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    old = load_old_guard(args.old_ref)
    allowed = body_allowed()
    guards = {"new guard": lambda text: {f.kind for f in guard.check_text("response", text, allowed)}}
    if old:
        guards = {"old guard": lambda text: {f.kind for f in old.check_text("response", text)}, **guards}
    figures = {"accuracy": accuracy(guards)}
    if not args.skip_import:
        with contextlib.redirect_stderr(open(os.devnull, "w")):  # create_app's start-up notes, each round
            figures["cost"] = cost(args.entries, args.rounds, old, allowed)
    print(f"\nload average at end: {' '.join(f'{n:.2f}' for n in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
