"""Which `maps_to` paths the Create Case payload schema (capture/schema/create_case.schema.json) allows.

The portal fills the schema's required fields itself, so an answer may not be mapped onto them. A part
the schema describes field by field (requester) takes only those fields: a misspelt one would reach the
case system where nobody reads it. The parts it leaves open (request, subject, complaint...) take any.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

SCHEMA_FILE = Path(__file__).resolve().parent / "schema" / "create_case.schema.json"


@functools.cache
def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _resolve(node: dict) -> dict:
    ref = node.get("$ref", "")
    if ref.startswith("#/$defs/"):
        return _schema()["$defs"][ref.removeprefix("#/$defs/")]
    return node


def _types(node: dict) -> set[str]:
    """The JSON types a schema node allows (an empty set: any)."""
    declared = node.get("type", [])
    types = {declared} if isinstance(declared, str) else set(declared)
    for choice in node.get("oneOf", []) + node.get("anyOf", []):
        types |= _types(_resolve(choice))
    return types


def problem(path: str, payload_type: str) -> str | None:
    """Why an answer whose payload value is of JSON type `payload_type` cannot go at `path`, or None."""
    keys = path.split(".")
    if not all(keys):
        return f"{path!r} is not a dotted path like requester.name"
    schema = _schema()
    if keys[0] in schema.get("required", ()):
        return f"{keys[0]} is filled in by the portal, not by an answer"
    node = schema
    for depth, key in enumerate(keys):
        where = ".".join(keys[:depth])
        types = _types(node)
        if types and "object" not in types:
            return f"{where} is a {' or '.join(sorted(types))} in the Create Case schema, so it has no {key}"
        properties = node.get("properties", {})
        if key not in properties:
            if depth and properties:
                return f"the Create Case schema has no {where}.{key} ({where} has {', '.join(properties)})"
            return None  # a part the schema leaves open
        node = _resolve(properties[key])
    types = _types(node)
    if types and payload_type not in types:
        return (f"{path} is a {' or '.join(sorted(types))} in the Create Case schema, "
                f"and this question's answer is a{'n' if payload_type[0] in 'aeiou' else ''} {payload_type}")
    return None
