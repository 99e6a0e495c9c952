"""Importing the portal does no work: no module reads the environment or writes a file when imported.

Everything is built by create_app from one Settings (portal/settings.py is the one place that reads the
environment, and only when Settings.from_env() is called). Run in a fresh interpreter, so nothing this test
session imported earlier hides an import-time read.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ("portal", "capture", "secure_share", "disclosure_log", "govuk_templates", "accessibility")

PROBE = r"""
import json, os, pkgutil, importlib, sys, traceback
root, packages = sys.argv[1], sys.argv[2].split(",")
sys.path.insert(0, root)  # this checkout's modules, whatever the virtualenv's editable install points at
reads = []

class Watched(os._Environ.__bases__[0]):
    # A mapping over the real environment that notes which project module asked for what.
    def __init__(self, real): self.real = real
    def _caller(self):
        # The innermost caller decides (os.getenv's own frame aside): a library reading its own switches at
        # import is the library's business; a project module reading one is what this test refuses.
        for frame in reversed(traceback.extract_stack()[:-2]):
            if frame.filename == "<string>" or frame.filename.endswith(("/os.py", "/_collections_abc.py")):
                continue
            if frame.filename.startswith(root) and "/.venv/" not in frame.filename:
                return f"{os.path.relpath(frame.filename, root)}:{frame.lineno}"
            return None
        return None
    def _note(self, key):
        caller = self._caller()
        if caller: reads.append([caller, str(key)])
    def __getitem__(self, key): self._note(key); return self.real[key]
    def __setitem__(self, key, value): self.real[key] = value
    def __delitem__(self, key): del self.real[key]
    def __iter__(self): self._note("*"); return iter(self.real)
    def __len__(self): return len(self.real)
    def __contains__(self, key): self._note(key); return key in self.real
    def get(self, key, default=None): self._note(key); return self.real.get(key, default)
    def copy(self): self._note("*"); return dict(self.real)

os.environ = Watched(os.environ)
imported = []
for name in packages:
    package = importlib.import_module(name)
    imported.append(name)
    for info in pkgutil.walk_packages(package.__path__, name + "."):
        if info.name.endswith(("__main__", ".run")):
            continue  # entry points, not modules: running them is their purpose
        importlib.import_module(info.name)
        imported.append(info.name)
print(json.dumps({"reads": reads, "imported": imported}))
"""


def test_importing_every_module_reads_no_environment_and_writes_no_file(tmp_path):
    var_dir = tmp_path / "var"
    env = {"PATH": os.environ.get("PATH", ""), "PORTAL_VAR_DIR": str(var_dir), "HOME": str(tmp_path),
           "PYTHONDONTWRITEBYTECODE": "1"}
    before = set((ROOT / "var").rglob("*")) if (ROOT / "var").exists() else set()
    result = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), ",".join(PACKAGES)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(found["imported"]) > 50, found["imported"]  # the walk really imported the packages
    assert found["reads"] == [], f"read from the environment at import: {found['reads']}"
    assert not var_dir.exists(), f"importing created {sorted(var_dir.rglob('*'))}"
    after = set((ROOT / "var").rglob("*")) if (ROOT / "var").exists() else set()
    assert after == before, f"importing wrote into the project's var/: {sorted(after - before)}"
