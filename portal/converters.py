"""URL converters: a number in a path is at most what the database's integer columns hold.

Werkzeug's int converter takes any length of digits; /disclosure-log/sitemap-9223372036854775808.xml then
reached the database and failed there (a 500). Past the bound the URL simply does not match: a 404.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
