"""Build GOV.UK Frontend assets from the pinned npm package into static/, fingerprinted.

Run by `make` (python -m govuk_templates.assets). The CSS and JS get a content hash in their
names so they can be cached for a year; fonts and images keep their names because the CSS
asks for them at /assets/... .
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STATIC = HERE / "static"
MANIFEST = STATIC / "manifest.json"
FRONTEND = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
OWN = HERE / "static_src"
EXPECTED_VERSION = "6.3.0"

FINGERPRINTED = {
    "govuk-frontend.min.css": FRONTEND / "govuk-frontend.min.css",
    "govuk-frontend.min.js": FRONTEND / "govuk-frontend.min.js",
}


# GDS Transport is GOV.UK's typeface, licensed for services on GOV.UK only: any other body's pages use the same
# CSS with GOV.UK Frontend's own fallback fonts ($govuk-font-family without the typeface) and no @font-face.
OWN_BRAND_CSS = "govuk-frontend-own-brand.min.css"
_GDS_FONT_FACE = re.compile(r"@font-face\{font-family:GDS Transport;[^}]*\}")
_GDS_FAMILY = "font-family:GDS Transport,"


def own_brand_css(css: str) -> str:
    """GOV.UK Frontend's CSS without GDS Transport: no @font-face for it, its fallbacks in every font-family."""
    css = _GDS_FONT_FACE.sub("", css).replace(_GDS_FAMILY, "font-family:")
    if "GDS Transport" in css:
        raise SystemExit("GOV.UK Frontend's CSS names GDS Transport in a way the own-brand build does not know")
    return css


def _installed_version() -> str:
    package = json.loads((FRONTEND.parent.parent / "package.json").read_text())
    return package["version"]


def _fingerprint(name: str, source: Path) -> str:
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    stem, dot, ext = name.partition(".")
    target = f"{stem}-{digest}.{ext}"
    shutil.copyfile(source, STATIC / target)
    return target


def build() -> dict[str, str]:
    if not FRONTEND.exists():
        raise SystemExit("govuk-frontend is not installed: run `npm ci` first")
    version = _installed_version()
    if version != EXPECTED_VERSION:
        raise SystemExit(f"govuk-frontend {version} installed, {EXPECTED_VERSION} expected: run `npm ci`")
    if STATIC.exists():
        shutil.rmtree(STATIC)
    STATIC.mkdir(parents=True)
    shutil.copytree(FRONTEND / "assets", STATIC / "assets")
    sources = dict(FINGERPRINTED)
    sources.update({path.name: path for path in sorted(OWN.glob("*")) if path.is_file()})
    with tempfile.TemporaryDirectory() as work:
        own_brand = Path(work) / OWN_BRAND_CSS
        own_brand.write_text(own_brand_css((FRONTEND / "govuk-frontend.min.css").read_text(encoding="utf-8")),
                             encoding="utf-8")
        sources[OWN_BRAND_CSS] = own_brand
        manifest = {name: _fingerprint(name, source) for name, source in sources.items()}
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


@functools.cache
def manifest() -> dict[str, str]:
    if not MANIFEST.exists():
        raise RuntimeError("GOV.UK assets are not built: run `make assets`")
    return json.loads(MANIFEST.read_text())


def asset_path(name: str) -> str:
    return manifest()[name]


def is_fingerprinted(filename: str) -> bool:
    return filename in set(manifest().values())


if __name__ == "__main__":
    built = build()
    print(f"GOV.UK Frontend {EXPECTED_VERSION} assets built: {', '.join(sorted(built.values()))}", file=sys.stderr)
