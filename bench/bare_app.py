"""The portal as production serves it, plus one bench-only page: the yardstick for bench/capture_pages.py.

gunicorn target: `bench.bare_app:app` (run from the project root). It is `portal.app.create_app()` with
settings from the environment, as in production, and two additions that only the benchmark uses:

- `GET /bench/bare`: a Flask page that renders the GOV.UK base template (`govuk_templates/base.html`:
  header, phase banner, footer, CSP nonce, assets) with a trivial content block, and nothing else:
  no database, no session, no form. Served by the same workers as the Capture pages, so a form page's
  throughput divided by this page's says what the form costs on top of the GOV.UK shell.
- Requests carrying `X-Bench-Unlimited: 1` skip the rate limits. Only the question-page POST
  benchmark sends it: each bench client posts from its own loopback address, like a person, and the
  page's own limit (120 POSTs a minute per address) would otherwise turn that measurement into a count
  of 429 pages. Every other request, the GET benchmarks included, goes through the limiter as usual.
"""
from __future__ import annotations

import jinja2
from flask import render_template, request

from portal.app import create_app
from portal.security import limiter

BARE_TEMPLATE = "bench/bare.html"
UNLIMITED_HEADER = "X-Bench-Unlimited"

app = create_app()

# Prepended to the app's loader: compiled once and cached by Jinja like every other template.
app.jinja_loader.loaders.insert(0, jinja2.DictLoader({BARE_TEMPLATE: (
    '{% extends "govuk_templates/base.html" %}'
    "{% block title %}Bare page{% endblock %}"
    '{% block main_content %}<h1 class="govuk-heading-l">Bare page</h1>'
    '<p class="govuk-body">The GOV.UK base template and nothing else.</p>{% endblock %}'
)}))


@app.get("/bench/bare")
def bench_bare():
    return render_template(BARE_TEMPLATE)


@limiter.request_filter
def _bench_unlimited() -> bool:
    return request.headers.get(UNLIMITED_HEADER) == "1"
