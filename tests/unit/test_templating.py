"""portal/templating.py: `{% from ... import ... %}` gives what Jinja's own Template gives, from the cached module
when it can."""
from __future__ import annotations

import jinja2
import pytest

from portal.templating import Template

TEMPLATES = {
    "macros.html": "{% macro hello(name) %}Hello {{ name }}{{ suffix | default('') }}{% endmacro %}"
                   "{% set at_import = extra | default('none') %}",
    "page.html": '{% from "macros.html" import hello, at_import %}{{ hello(who) }} / {{ at_import }}',
}


def environment(template_class) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader(TEMPLATES))
    env.template_class = template_class
    env.globals["suffix"] = "!"
    return env


@pytest.mark.parametrize(("extra_globals", "variables"), [
    ({}, {"who": "Zoë"}),
    ({"extra": "a global of the page only"}, {"who": "Zoë"}),  # the imported module must see it: a fresh one
    ({}, {"who": "Zoë", "extra": "a variable, which imports without context never see"}),
])
def test_imports_render_as_with_jinja_s_own_template(extra_globals, variables):
    ours, jinja_s = environment(Template), environment(jinja2.Template)
    for env in (ours, jinja_s):
        env.get_template("macros.html")  # loaded (and cached) before the page that imports it
    expected = jinja_s.get_template("page.html", globals=extra_globals).render(variables)
    assert ours.get_template("page.html", globals=extra_globals).render(variables) == expected
    assert expected.startswith("Hello Zoë!")


def test_an_import_with_no_new_globals_is_the_cached_module_and_one_with_them_a_fresh_one():
    env = environment(Template)
    macros = env.get_template("macros.html")
    plain = env.get_template("page.html").new_context({"who": "x"})
    assert macros._get_default_module(plain) is macros._get_default_module(plain) is macros.module
    with_extra = env.get_template("page.html", globals={"extra": "x"}).new_context({})
    module = macros._get_default_module(with_extra)
    assert module is not macros.module and module.at_import == "x"


def test_the_portal_renders_with_it(app):
    assert app.jinja_env.template_class is Template
    assert isinstance(app.jinja_env.get_template("govuk_templates/base.html"), Template)
