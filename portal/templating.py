"""Jinja's Template with a cheaper `{% from ... import ... %}`.

Every `{% from %}` and `{% import %}` asks the imported template for its module on every render, and Jinja first
checks whether the importing page has globals the imported template lacks (then it must build a fresh module):
`ctx.globals_keys - self.globals.keys()`, where self.globals is a ChainMap, so each of the two dozen global names
is looked up in Python, map by map. A GOV.UK page does some 30 imports a render (GOV.UK Frontend's template, the
base template, each component): about a tenth of a question page's time went there. Here the same question is
asked with one set operation in C over the ChainMap's maps; when the answer is "none", the module is the cached
one, as in Jinja. Any other case goes to Jinja's own code unchanged.
"""
from __future__ import annotations

import jinja2


class Template(jinja2.Template):
    def _get_default_module(self, ctx=None):
        if ctx is not None:
            maps = getattr(self.globals, "maps", None)
            if maps is not None and not ctx.globals_keys.difference(*maps):
                ctx = None  # no global the imported template lacks: its cached module, as Jinja gives
        return super()._get_default_module(ctx)
