"""Form files are checked when the app is created: a broken one stops start-up, naming the file and the
field, instead of starting and then failing on /request/. The JSON Schema form authors' editors use is
the same models, and is kept up to date."""
import json
import shutil

import jsonschema
import pytest
import yaml

from capture import definitions
from capture.definitions import FORMS_DIR, SCHEMA_FILE, DefinitionError, json_schema_text, load_all
from portal.app import create_app
from tests.conftest import make_settings

FOI = (FORMS_DIR / "foi.yaml").read_text(encoding="utf-8")


def forms_folder(tmp_path, foi_text: str):
    """A copy of the shipped forms with foi.yaml replaced."""
    folder = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, folder)
    (folder / "foi.yaml").write_text(foi_text, encoding="utf-8")
    return folder


def changed(old: str, new: str) -> str:
    assert FOI.count(old) == 1, old
    return FOI.replace(old, new)


BROKEN = {
    "unknown key": (changed("      summary_label: Full name\n", "      summry_label: Full name\n"),
                    "pages.2 (full-name).question.summry_label: unknown key"),
    "wrong type": (changed("      summary_label: Full name\n", "      summary_label: Full name\n      required: sometimes\n"),
                   "pages.2 (full-name).question.required: Input should be a valid boolean"),
    "a list for text": (changed("title: Ask for information", "title:\n  - Ask for information"),
                        "title: Input should be a valid string"),
    "goto an unknown page": (changed("goto: use-sar}", "goto: use-sars}"),
                             "pages.0 (about-you).next.0.goto: routes to unknown page use-sars"),
    "route on an unknown question": (changed("{if: {question: about_yourself,", "{if: {question: about_you,"),
                                     "pages.0 (about-you).next.0.if.question: routes on unknown question about_you"),
    "maps_to the schema lacks": (changed("maps_to: requester.name", "maps_to: requester.nmae"),
                                 "pages.2 (full-name).question.maps_to: the Create Case schema has no requester.nmae"),
    "maps_to onto the portal's own field": (changed("maps_to: requester.name", "maps_to: reference"),
                                            "maps_to: reference is filled in by the portal"),
    "unknown question type": (changed("      type: name\n", "      type: slider\n"),
                              "pages.2 (full-name).question: unknown question type 'slider': one of name, email"),
    "unknown error kind": (changed("errors: {required: Enter your full name}", "errors: {requried: Enter your full name}"),
                           "question.errors: unknown error kind requried: a name question has required, too_long"),
    "unquoted comma": (changed("{value: email, text: By email,", "{value: email, text: By email, or post,"),
                       "options.0: option keys ['or post'] have no value: quote texts with commas"),
    "setting condition with includes": (changed("{if: {question: about_yourself, equals: \"yes\"}, goto: use-sar}",
                                                "{if: {setting: sar_identity, includes: always}, goto: use-sar}"),
                                        "a setting condition tests equals"),
    "bad clock": (changed("clock: foi", "clock: {working_days: 0}"), "clock: the number of working_days must be from 1 to 260"),
    "action to an unknown form": (changed("form: sar}", "form: sars}"), "pages.1 (use-sar).actions.0.form: there is no form sars"),
    "reserved page id": (changed("  - id: use-sar\n", "  - id: confirmation\n").replace("goto: use-sar}", "goto: confirmation}"),
                         "page id confirmation is taken by the journey's own page"),
    "not YAML": (changed("case_type: FOI", "case_type: [FOI"), "is not valid YAML"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_form_file_is_refused_naming_the_file_and_the_problem(tmp_path, case):
    text, problem = BROKEN[case]
    with pytest.raises(DefinitionError) as refused:
        load_all(forms_folder(tmp_path, text))
    message = str(refused.value)
    assert message.startswith(str(tmp_path / "forms" / "foi.yaml")), message
    assert problem in message, message


def test_every_problem_in_a_file_is_named_at_once(tmp_path):
    text = changed("      summary_label: Full name\n", "      summry_label: Full name\n").replace(
        "maps_to: requester.email", "maps_to: requester.emial").replace("order: 1", "order: first")
    with pytest.raises(DefinitionError) as refused:
        load_all(forms_folder(tmp_path, text))
    assert "summry_label" in str(refused.value) and "order: Input should be a valid integer" in str(refused.value)


def test_create_app_refuses_to_start_with_a_broken_form(tmp_path, services, monkeypatch):
    monkeypatch.setattr(definitions, "FORMS_DIR", forms_folder(tmp_path, changed("goto: use-sar}", "goto: nowhere}")))
    with pytest.raises(DefinitionError, match=r"forms/foi\.yaml is not a valid form definition:\n.*unknown page nowhere"):
        create_app(make_settings(tmp_path), services)


def test_the_app_serves_the_forms_it_checked_at_start_up(tmp_path, services, monkeypatch):
    retitled = changed("title: Ask for information under", "title: Ask us for information under")
    monkeypatch.setattr(definitions, "FORMS_DIR", forms_folder(tmp_path, retitled))
    app = create_app(make_settings(tmp_path), services)
    assert "Ask us for information under the Freedom of Information Act" in app.test_client().get("/request/").text
    app.extensions["portal.db"].dispose()


# The JSON Schema for form authors' editors -----------------------------------------------------------------

def test_the_published_schema_is_what_the_models_say():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text(), \
        "capture/forms/form.schema.json is out of date: run flask capture form-schema"


@pytest.mark.parametrize("path", sorted(FORMS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_each_shipped_form_names_the_schema_and_meets_it(path):
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=./form.schema.json"
    jsonschema.validate(yaml.safe_load(text), json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_the_schema_refuses_what_start_up_refuses():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    for case in ("unknown key", "wrong type", "unknown question type", "unknown error kind"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(yaml.safe_load(BROKEN[case][0]), schema)


def test_form_schema_command_writes_and_checks_the_file(tmp_path, services, monkeypatch):
    target = tmp_path / "form.schema.json"
    monkeypatch.setattr(definitions, "SCHEMA_FILE", target)
    runner = create_app(make_settings(tmp_path), services).test_cli_runner()
    assert runner.invoke(args=["capture", "form-schema", "--check"]).exit_code == 1
    assert runner.invoke(args=["capture", "form-schema"]).exit_code == 0
    assert target.read_text(encoding="utf-8") == json_schema_text()
    result = runner.invoke(args=["capture", "form-schema", "--check"])
    assert result.exit_code == 0 and "up to date" in result.output
