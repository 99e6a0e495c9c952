"""The layer rules of pyproject.toml's [tool.importlinter], checked on every test run, and what they leave to us:
that they name every adapter and kernel module, and that no two top-level packages import each other."""
from __future__ import annotations

import itertools
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["id"]: contract for contract in CONFIG["contracts"]}
COMPOSITION_ROOT = {"portal.app", "portal.cli"}


def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def children(package: Path) -> set[str]:
    return {path.stem for path in package.glob("*.py") if path.stem != "__init__"} | {
        path.parent.name for path in package.glob("*/__init__.py")}


def test_every_adapter_is_forbidden_to_the_features():
    adapters = {f"portal.adapters.{name}" for name in children(ROOT / "portal" / "adapters")} - {"portal.adapters.ports"}
    assert set(CONTRACTS["features-use-ports"]["forbidden_modules"]) == adapters


def test_every_kernel_module_is_kept_from_the_features():
    kernel = {f"portal.{name}" for name in children(ROOT / "portal")} - COMPOSITION_ROOT
    assert set(CONTRACTS["kernel-without-features"]["source_modules"]) == kernel


def test_no_two_top_level_packages_import_each_other_outside_the_composition_root():
    # import-linter's acyclic_siblings contract looks for cycles among the children of one package; the
    # top-level packages have no parent, so their cycles are looked for here.
    graph = grimp.build_graph(*CONFIG["root_packages"], cache_dir=None)
    for module in COMPOSITION_ROOT:
        graph.remove_module(module)
    cycles = [(a, b) for a, b in itertools.combinations(CONFIG["root_packages"], 2)
              if graph.chain_exists(a, b, as_packages=True) and graph.chain_exists(b, a, as_packages=True)]
    assert cycles == []
