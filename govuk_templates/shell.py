"""The parts of the GOV.UK shell that are the same on every page: rendered once, then reused.

base.html wraps GOV.UK's header, service navigation, phase banner and footer in
`{% call shell_part("footer", language, settings) %}...{% endcall %}`. The first page with a given key renders
the macros as before (caller()); later pages reuse that HTML, so the macros run once per language and settings
instead of twice a page (GOV.UK Frontend's template renders its header and footer blocks twice: once to see
whether they are empty). The key is what a part's markup depends on: the part's name, what the template passes
(the page's language and its localised settings), and the script root that url_for puts before every path.

A part holds nothing of one request: no CSP nonce, CSRF token or anything of the person's. One that holds this
request's nonce or CSRF token is refused (ValueError), never cached. The service navigation's language switcher
links to the page itself, so it is not in the cached part: the part is rendered around a placeholder (`slot`),
and each page's own switcher takes its place.
"""
from __future__ import annotations

from flask import current_app, g, request
from markupsafe import Markup

EXTENSION = "govuk_templates.shell_parts"
MAX_PARTS = 64  # a handful of languages x parts; past it (a new script root on every request?) nothing is cached
SLOT = Markup("<!--govuk_templates.shell.slot-->")


def shell_part(name: str, *key, caller, slot: str | None = None) -> Markup:
    """The part `name` for `key`: the cached HTML, or caller()'s (a slot's placeholder passed in), cached."""
    parts = current_app.extensions.setdefault(EXTENSION, {})
    full_key = (name, request.script_root, slot is not None, *key)
    html = parts.get(full_key)
    if html is None:
        html = Markup(caller(SLOT) if slot is not None else caller())
        _refuse_per_request_values(name, html, slot is not None)
        if len(parts) < MAX_PARTS:
            parts[full_key] = html
    return Markup(html.replace(SLOT, slot)) if slot is not None else html


def _refuse_per_request_values(name: str, html: str, slotted: bool) -> None:
    for what in ("csp_nonce", "csrf_token"):  # g.csrf_token: Flask-WTF's token for this request's forms
        value = g.get(what)
        if isinstance(value, str) and value and value in html:
            raise ValueError(f"the shell part {name!r} holds this request's {what}: it cannot be reused")
    if slotted and html.count(SLOT) != 1:
        raise ValueError(f"the shell part {name!r} must hold its slot exactly once")
