"""The yardstick for issue 16: a plain GOV.UK page from a minimal Flask app, nothing of the portal in it.

gunicorn target: `bench.govuk_yardstick:app` (run from the project root). bench/capture_pages.py starts it
beside the portal under the same gunicorn configuration and load, and reports every portal page's
requests per second as a ratio to this page's.

- `GET /`: govuk-frontend-jinja's `govuk_frontend_jinja/template.html` with GOV.UK's header, one text
  input (govukInput), a button (govukButton) and GOV.UK's footer, in a form. Flask and Jinja only: no
  session, no CSRF, no rate limit, no logging, no security headers, no translation.
- `GET /healthz`: "ok", for the bench's readiness wait.
"""
from __future__ import annotations

import jinja2
from flask import Flask, render_template

PAGE = "yardstick.html"

app = Flask(__name__)
app.jinja_loader = jinja2.ChoiceLoader([
    jinja2.DictLoader({PAGE: (
        '{% extends "govuk_frontend_jinja/template.html" %}\n'
        '{% from "govuk_frontend_jinja/components/header/macro.html" import govukHeader %}\n'
        '{% from "govuk_frontend_jinja/components/footer/macro.html" import govukFooter %}\n'
        '{% from "govuk_frontend_jinja/components/input/macro.html" import govukInput %}\n'
        '{% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}\n'
        "{% block pageTitle %}What is your full name? - Yardstick - GOV.UK{% endblock %}\n"
        "{% block govukHeader %}{{ govukHeader({'homepageUrl': 'https://www.gov.uk/'}) }}{% endblock %}\n"
        "{% block content %}\n"
        '<form method="post" novalidate>\n'
        "{{ govukInput({'label': {'text': 'What is your full name?', 'classes': 'govuk-label--l', 'isPageHeading': true},\n"
        "               'id': 'full-name', 'name': 'full_name', 'autocomplete': 'name', 'spellcheck': false}) }}\n"
        "{{ govukButton({'text': 'Continue'}) }}\n"
        "</form>\n"
        "{% endblock %}\n"
        "{% block govukFooter %}{{ govukFooter({}) }}{% endblock %}\n"
    )}),
    jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}),
])


@app.get("/")
def page():
    return render_template(PAGE)


@app.get("/healthz")
def healthz():
    return "ok"
