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


FULL_NAME = '      summary_label: {en: "Full name", cy: "Enw llawn"}\n'
BROKEN = {
    "unknown key": (changed(FULL_NAME, FULL_NAME.replace("summary_label", "summry_label")),
                    "pages.2 (full-name).question.summry_label: unknown key"),
    "wrong type": (changed(FULL_NAME, FULL_NAME + "      required: sometimes\n"),
                   "pages.2 (full-name).question.required: Input should be a valid boolean"),
    "a list for text": (changed("title:\n  en: Ask for information under the Freedom of Information Act\n"
                                "  cy: Gofyn am wybodaeth o dan y Ddeddf Rhyddid Gwybodaeth\n", "title:\n  - Ask for information\n"),
                        "title: a text is a string, or {en: ..., cy: ...}"),
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
    "unknown error kind": (changed('        required: {en: "Enter your full name"', '        requried: {en: "Enter your full name"'),
                           "question.errors: unknown error kind requried: a name question has required, too_long"),
    "unquoted comma": (changed('        - value: email\n          text: {en: "By email", cy: "Drwy e-bost"}\n',
                               "        - {value: email, text: By email, or post}\n").replace(
                           '          hint: {en: "As documents or spreadsheets attached to an email, where possible", '
                           'cy: "Fel dogfennau neu daenlenni wedi\'u hatodi i e-bost, lle bo modd"}\n', "", 1),
                       "options.0: option keys ['or post'] have no value: quote texts with commas"),
    "setting condition with includes": (changed("{if: {question: about_yourself, equals: \"yes\"}, goto: use-sar}",
                                                "{if: {setting: sar_identity, includes: always}, goto: use-sar}"),
                                        "a setting condition tests equals"),
    "bad clock": (changed("clock: foi", "clock: {working_days: 0}"), "clock: the number of working_days must be from 1 to 260"),
    "action to an unknown form": (changed("form: sar\n", "form: sars\n"), "pages.1 (use-sar).actions.0.form: there is no form sars"),
    "reserved page id": (changed("  - id: use-sar\n", "  - id: confirmation\n").replace("goto: use-sar}", "goto: confirmation}"),
                         "page id confirmation is taken by the journey's own page"),
    "not YAML": (changed("case_type: FOI", "case_type: [FOI"), "is not valid YAML"),
    # English and Welsh (capture/texts.py): a form offered in Welsh has all its Welsh, and the same numbers
    "no Welsh in a Welsh form": (changed(FULL_NAME, '      summary_label: Full name\n'),
                                 "pages.2 (full-name).question.summary_label: no Welsh (give it as {en: ..., cy: ...}"),
    "no Welsh for an option": (changed('{en: "No, it is not about me", cy: "Nac ydy, nid yw amdanaf i"}', '"No, it is not about me"'),
                               "pages.0 (about-you).question.options.0.text: no Welsh"),
    "a number changed in the Welsh": (changed("o fewn 20 diwrnod gwaith. Bydd", "o fewn 30 diwrnod gwaith. Bydd"),
                                      "start_body.1: the Welsh has 30 where the English has 20"),
    "an address changed in the Welsh": (changed("Gwybodaeth yn ico.org.uk/make-a-complaint.", "Gwybodaeth yn ico.org.uk/cwyno."),
                                        "acknowledgement_rights.3: the Welsh has ico.org.uk/cwyno"),
    "a default message a Welsh form must word": (
        changed('        required: {en: "Select how you would like to receive the information", '
                'cy: "Dewiswch sut hoffech chi gael y wybodaeth"}\n', "").replace("      errors:\n    next:\n      - {if: {question: format",
                                                                                   "    next:\n      - {if: {question: format"),
        "pages.6 (format).question.errors.required: a form offered in Welsh words this message itself"),
    "a misspelt language key": (changed('{en: "Full name", cy: "Enw llawn"}', '{en: "Full name", cyy: "Enw llawn"}'),
                                "summary_label: a text's keys are en, cy and review, not cyy"),
    "Welsh without English": (changed('{en: "Full name", cy: "Enw llawn"}', '{cy: "Enw llawn"}'),
                              "summary_label: a text needs its English (en)"),
    "an unknown language": (changed("languages: [en, cy]", "languages: [en, fr]"), "languages.1: Input should be 'en' or 'cy'"),
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
    text = changed(FULL_NAME, FULL_NAME.replace("summary_label", "summry_label")).replace(
        "maps_to: requester.email", "maps_to: requester.emial").replace("order: 1", "order: first")
    with pytest.raises(DefinitionError) as refused:
        load_all(forms_folder(tmp_path, text))
    assert "summry_label" in str(refused.value) and "order: Input should be a valid integer" in str(refused.value)


def test_create_app_refuses_to_start_with_a_broken_form(tmp_path, services, monkeypatch):
    monkeypatch.setattr(definitions, "FORMS_DIR", forms_folder(tmp_path, changed("goto: use-sar}", "goto: nowhere}")))
    with pytest.raises(DefinitionError, match=r"forms/foi\.yaml is not a valid form definition:\n.*unknown page nowhere"):
        create_app(make_settings(tmp_path), services)


def test_the_app_serves_the_forms_it_checked_at_start_up(tmp_path, services, monkeypatch):
    retitled = changed("  en: Ask for information under", "  en: Ask us for information under")
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
