"""JSON the portal accepts: only text that can be stored and sent on.

JSON's \\uXXXX escapes can spell a lone UTF-16 surrogate ("\\ud800") that no UTF-8 database, file or email
can hold; Python's json parses it happily, and it surfaced later as a 500 (UnicodeEncodeError). Refused at
parsing instead, so the client gets a 400 naming the problem.

Python's json parser also recurses, once a level: a few thousand nested arrays were a RecursionError (a 500).
They are refused the same way.
"""
from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class LoneSurrogate(ValueError):
    pass


class NestedTooDeeply(ValueError):
    pass


class PortalJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
            _check(value)
        except RecursionError:
            raise NestedTooDeeply("the JSON is nested too deeply") from None
        return value


def _check(value: Any) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise LoneSurrogate("the JSON holds a lone surrogate escape (like \\ud800), which is not text") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)
    elif isinstance(value, list):
        for item in value:
            _check(item)
