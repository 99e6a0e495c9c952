"""Each Capture question type on its own: its answer parsed from a form post (good and bad), how it reads
back, and what it sends in the Create Case payload; and the register every form goes through."""
import datetime as dt
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from capture.definitions import FORMS_DIR, load_all
from capture.display import answer_lines
from capture.questions import QUESTION_TYPES

TEMPLATES = Path(__file__).resolve().parents[2] / "capture" / "templates"
TODAY = dt.date(2026, 6, 25)


def make(kind: str, **keys):
    return QUESTION_TYPES[kind].model_validate({"type": kind, "id": "q", "label": "Your answer", **keys})


def parse(question, **fields):
    return question.parse(MultiDict(fields), today=TODAY)


# The register ---------------------------------------------------------------------------------------------

def test_every_type_a_shipped_form_uses_is_registered():
    used = {page["question"]["type"] for path in FORMS_DIR.glob("*.yaml")
            for page in yaml.safe_load(path.read_text())["pages"] if "question" in page}
    assert used <= set(QUESTION_TYPES)


@pytest.mark.parametrize("kind", sorted(QUESTION_TYPES))
def test_every_type_has_its_partial(kind):
    cls = QUESTION_TYPES[kind]
    assert cls.type_name() == kind
    assert cls.template == f"capture/questions/{kind}.html"
    assert (TEMPLATES / cls.template).is_file()


def test_loaded_questions_are_their_types_objects():
    kinds = {type(q): q.type for form in load_all().values() for q in form.questions.values()}
    assert all(QUESTION_TYPES[kind] is cls for cls, kind in kinds.items())


def test_a_key_of_another_type_is_refused():
    with pytest.raises(ValidationError, match="multiple"):
        make("name", multiple=True)


@pytest.mark.parametrize(("kind", "kinds"), [
    ("name", ["required", "too_long"]), ("email", ["invalid", "required"]), ("date", ["future", "incomplete", "invalid", "past", "required"]),
    ("address", []), ("radios", ["required"]), ("file", ["required"]),
])
def test_error_messages_a_form_may_reword(kind, kinds):
    options = {"options": [{"value": "a", "text": "A"}]} if kind == "radios" else {}
    assert sorted(QUESTION_TYPES[kind].error_kinds) == kinds
    with pytest.raises(ValidationError, match=f"unknown error kind requried: a {kind} question has"):
        make(kind, errors={"requried": "Say something"}, **options)


def test_an_empty_answer_reads_not_given_whatever_the_type():
    assert answer_lines(make("text"), "") == ["Not given"]
    assert answer_lines(make("checkboxes", options=[{"value": "a", "text": "A"}]), []) == ["Not given"]
    assert answer_lines(make("address"), None) == ["Not given"]


# name, email, telephone -----------------------------------------------------------------------------------

def test_name():
    question = make("name")
    checked = parse(question, q="  Zoë   O'Brien \x07")
    assert checked.ok and checked.value == "Zoë O'Brien"
    assert parse(question, q="").errors == {"q": "Enter your full name"}
    assert parse(question, q="x" * 201).errors == {"q": "Full name must be 200 characters or less"}
    assert parse(make("name", max_length=5, errors={"too_long": "Too long"}), q="Sixsix").errors == {"q": "Too long"}
    assert parse(make("name", required=False), q="").ok
    assert question.lines("Zoë O'Brien") == ["Zoë O'Brien"] and question.payload_value("Zoë") == "Zoë"


def test_email():
    question = make("email")
    checked = parse(question, q="Zoe@Example.COM")
    assert checked.ok and checked.value == "Zoe@example.com"
    assert parse(question, q="").errors == {"q": "Enter your email address"}
    assert parse(question, q="not-an-email").errors == {
        "q": "Enter an email address in the correct format, like name@example.com"}
    assert parse(question, q="not-an-email").raw == {"q": "not-an-email"}  # shown again as typed
    assert question.lines("zoe@example.com") == ["zoe@example.com"]
    assert question.payload_value("zoe@example.com") == "zoe@example.com"


def test_telephone():
    question = make("telephone", required=False)
    assert parse(question, q="+44 808 157 0192").value == "+44 808 157 0192"
    assert parse(question, q="").ok and parse(question, q="").value is None
    assert parse(question, q="call me").errors == {
        "q": "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"}
    assert parse(question, q="123").errors  # too few digits
    assert parse(make("telephone"), q="").errors == {"q": "Enter a telephone number"}
    assert question.lines("01632 960 001") == ["01632 960 001"]


# text -----------------------------------------------------------------------------------------------------

def test_text():
    question = make("text", summary_label="Description", max_length=20)
    checked = parse(question, q="line one\r\nline two ")
    assert checked.ok and checked.value == "line one\nline two"
    assert parse(question, q=" ").errors == {"q": "Enter description"}
    assert parse(question, q="x" * 21).errors == {"q": "Description must be 20 characters or less"}
    assert parse(make("text", summary_label="Description"), q="x" * 10_001).errors == {
        "q": "Description must be 10,000 characters or less"}
    assert question.lines("line one\nline two") == ["line one", "line two"]
    assert question.payload_value("line one\nline two") == "line one\nline two"
    assert question.free_text and not make("name").free_text  # what "Before you ask" and duplicates read


# radios, yesno, checkboxes --------------------------------------------------------------------------------

OPTIONS = [{"value": "email", "text": "By email"}, {"value": "post", "text": "By post"}]


def test_radios():
    question = make("radios", summary_label="Format", options=OPTIONS)
    assert parse(question, q="post").value == "post"
    assert parse(question).errors == {"q": "Select format"}
    assert parse(question, q="tampered").errors == {"q": "Select format"}
    assert parse(make("radios", required=False, options=OPTIONS)).ok
    assert question.lines("post") == ["By post"] and question.payload_value("post") == "post"


def test_radios_need_options_and_quoted_texts():
    with pytest.raises(ValidationError, match="options\n  Field required"):
        make("radios")
    with pytest.raises(ValidationError, match="at least 1 item"):
        make("checkboxes", options=[])
    with pytest.raises(ValidationError, match="quote texts with commas"):
        make("radios", options=[{"value": "waste", "text": "Bins", "recycling": None}])
    with pytest.raises(ValidationError, match="valid string"):
        make("radios", options=[{"value": True, "text": "Yes"}])  # unquoted yes in YAML


def test_yesno():
    question = make("yesno", summary_label="Postal address")
    assert [o.value for o in question.options] == ["yes", "no"]
    assert parse(question, q="no").value == "no"
    assert parse(question).errors == {"q": "Select postal address"}
    assert question.lines("yes") == ["Yes"] and question.payload_value("yes") == "yes"
    assert question.inline and not make("radios", options=OPTIONS).inline


def test_checkboxes():
    question = make("checkboxes", summary_label="Topics", options=OPTIONS)
    form = MultiDict([("q", "post"), ("q", "email")])
    assert question.parse(form).value == ["email", "post"]  # in the form's order
    assert parse(make("checkboxes", summary_label="Topics", options=OPTIONS)).errors == {"q": "Select topics"}
    assert question.parse(MultiDict([("q", "post"), ("q", "tampered")])).errors == {"q": "Select topics"}
    assert make("checkboxes", required=False, options=OPTIONS).parse(MultiDict()).value == []
    assert question.lines(["email", "post"]) == ["By email", "By post"]
    assert question.payload_value(["post"]) == ["post"]


# date -----------------------------------------------------------------------------------------------------

def date_of(question, day, month, year):
    return question.parse(MultiDict({"q-day": day, "q-month": month, "q-year": year}), today=TODAY)


def test_date():
    question = make("date", summary_label="Date of birth", date_constraint="past")
    assert date_of(question, "3", "4", "1961").value == "1961-04-03"
    assert date_of(question, "", "", "").errors == {"q-day": "Enter date of birth"}
    assert date_of(question, "3", "", "").errors == {"q-month": "Date of birth must include a month and year"}
    assert date_of(question, "31", "2", "2020").errors == {"q-day": "Date of birth must be a real date"}
    assert date_of(question, "1", "1", "61").errors == {"q-day": "Date of birth must be a real date"}
    assert date_of(question, "26", "6", "2026").errors == {"q-day": "Date of birth must be today or in the past"}
    assert date_of(question, "25", "6", "2026").ok
    future = make("date", summary_label="Start", date_constraint="future")
    assert date_of(future, "24", "6", "2026").errors == {"q-day": "Start must be today or in the future"}
    assert date_of(make("date", required=False), "", "", "").ok
    assert question.lines("1961-04-03") == ["3 April 1961"]
    assert question.payload_value("1961-04-03") == "1961-04-03"
    with pytest.raises(ValidationError, match="date_constraint"):
        make("date", date_constraint="pastt")


# address --------------------------------------------------------------------------------------------------

def test_address():
    question = make("address")
    checked = question.parse(MultiDict({"q-line1": "1 High Street", "q-town": "Hertford", "q-postcode": "sg13 8eq"}))
    assert checked.ok
    assert checked.value == {"line1": "1 High Street", "line2": "", "town": "Hertford", "county": "",
                             "postcode": "SG13 8EQ"}
    assert question.parse(MultiDict({})).errors == {
        "q-line1": "Enter address line 1, typically the building and street", "q-town": "Enter town or city",
        "q-postcode": "Enter postcode"}
    bad = question.parse(MultiDict({"q-line1": "y" * 201, "q-town": "T", "q-postcode": "nonsense"}))
    assert bad.errors == {"q-line1": "Address line 1 must be 200 characters or less",
                          "q-postcode": "Enter a full UK postcode, like AA3 1AB"}
    assert make("address", required=False).parse(MultiDict({})).ok
    assert question.lines(checked.value) == ["1 High Street", "Hertford", "SG13 8EQ"]
    assert question.payload_value(checked.value) == checked.value


# file -----------------------------------------------------------------------------------------------------

FILES = {"files": [{"file_id": "f1", "filename": "passport.pdf", "extension": "pdf", "size": 2048,
                    "content_type": "application/pdf", "sha256": "0" * 64, "store_key": "k1"}], "later": False}


def test_file():
    question = make("file", allow_later="I'll send it later", multiple=True)
    assert question.lines(FILES) == ["passport.pdf (PDF, 2KB)"]
    assert question.lines({"files": [], "later": True}) == ["I'll send it later"]
    assert question.lines({"files": [], "later": False}) == ["No files"]
    assert question.payload_value(FILES) == {"file_ids": ["f1"], "later": False}
    assert question.files(FILES) == FILES["files"]
    assert make("name").files("Zoë") == []  # only a file question holds files
