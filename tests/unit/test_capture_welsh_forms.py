"""Capture's forms in English and Welsh (issue 15 items 2 and 5): every text a person reads has its Welsh, a
page reads the texts in its language, and the case system gets English with what the person saw beside it.

The parity checks run on the shipped form files: a text with no Welsh, Welsh whose numbers, addresses or
placeholders differ from the English, or "Welsh" that is the English (or reads like it) fails here, naming the
form and the place in the file.
"""
import datetime as dt
import json
import re
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from capture import service
from capture.definitions import DefinitionError, load_all, parse
from capture.display import answer_lines
from capture.models import Submission
from capture.questions import QUESTION_TYPES
from capture.texts import Text, literals
from portal.catalogues import form_texts_to_check
from portal.i18n import in_language
from tests.capture_helpers import submit
from tests.conftest import app_on_migrated_database, make_settings

ROOT = Path(__file__).resolve().parents[2]
CREATE_CASE_SCHEMA = json.loads((ROOT / "capture/schema/create_case.schema.json").read_text())
FORMS = load_all()
# Welsh that may be the same as its English: names and codes (none of the shipped forms needs one yet).
SAME_IN_BOTH: set[str] = set()
ENGLISH_WORDS = {"the", "you", "your", "and", "we", "our", "this", "with", "have", "will", "for", "not", "are", "from",
                 "that", "when", "what", "who", "if", "they", "their", "them", "of", "to", "in", "on", "it", "by", "or"}
ADDRESS = re.compile(r"\S+\.(?:uk|org|com)\S*|\S+@\S+")


def texts_of(form):
    return [(where, text) for where, text in form.texts() if text.en and not text.is_message]


@pytest.fixture(autouse=True)
def _no_rate_limits():
    from portal.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


# Parity: the shipped forms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_every_shipped_form_is_offered_in_welsh_with_every_text_translated(form_id):
    form = FORMS[form_id]
    assert form.languages == ("en", "cy")
    missing = [where for where, text in texts_of(form) if not text.cy]
    assert not missing, f"{form_id}: no Welsh for {missing}"


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_the_welsh_keeps_the_numbers_addresses_and_placeholders(form_id):
    wrong = [(where, text.en, text.cy) for where, text in texts_of(FORMS[form_id])
             if literals(text.en) != literals(text.cy)]
    assert not wrong, wrong


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_the_welsh_is_not_the_english(form_id):
    same = [(where, text.en) for where, text in texts_of(FORMS[form_id])
            if text.cy.casefold() == text.en.casefold() and text.en not in SAME_IN_BOTH]
    assert not same, f"{form_id}: the Welsh is the English: {same}"
    english = [(where, text.cy, words) for where, text in texts_of(FORMS[form_id])
               if (words := {w for w in re.findall(r"[A-Za-z]+", ADDRESS.sub(" ", text.cy)) if w.lower() in ENGLISH_WORDS})]
    assert not english, f"{form_id}: English words in the Welsh: {english}"


def test_the_parity_checks_can_fail():
    """The checks above see what they are for (a check that cannot fail tells nothing)."""
    assert literals("within 20 working days at ico.org.uk/x, %(parts)s") != literals("o fewn 30 diwrnod yn ico.org.uk/x, %(parts)s")
    assert literals("Select %(label)s") != literals("Dewiswch")
    assert literals("up to 2 more months") == literals("hyd at 2 fis arall")
    assert Text("Noise", "Noise").cy.casefold() == "noise"


def test_a_form_offered_in_welsh_with_an_english_only_text_does_not_load():
    raw = {"case_type": "X", "reference_prefix": "XX", "name": "Thing", "title": {"en": "Ask", "cy": "Gofyn"},
           "summary": {"en": "Ask us", "cy": "Gofynnwch i ni"}, "clock": "foi", "languages": ["en", "cy"],
           "pages": [{"id": "email-address", "question": {
               "id": "email", "type": "email", "label": {"en": "What is your email address?", "cy": "Beth yw eich cyfeiriad e-bost?"}}}]}
    with pytest.raises(DefinitionError, match=r"name: no Welsh"):
        parse(raw, "x")
    assert parse({**raw, "name": {"en": "Thing", "cy": "Peth"}}, "x").offered_in("cy")
    english_only = parse({**raw, "languages": ["en"]}, "x")  # an English form may leave any text untranslated
    assert not english_only.offered_in("cy")


def test_a_date_message_with_a_stray_percent_is_refused_at_load():
    with pytest.raises(ValueError, match="errors.incomplete: write %\\(parts\\)s"):
        QUESTION_TYPES["date"].model_validate({"type": "date", "id": "d", "label": "When?",
                                               "errors": {"incomplete": {"en": "100% must include a %(parts)s", "cy": "x"}}})


def test_review_notes_are_listed_for_make_translations_review():
    listed = form_texts_to_check(ROOT / "capture/forms")
    notes = {(Path(item.catalogue.split()[0]).name, item.english): item.why for item in listed}
    assert ("sar.yaml", "I have a lasting power of attorney or am their deputy") in notes
    assert all(item.translation and item.why for item in listed)  # nothing untranslated in the shipped forms


def test_review_lists_a_welsh_forms_untranslated_text(tmp_path):
    (tmp_path / "x.yaml").write_text("languages: [en, cy]\ntitle: Ask\nsummary: {en: Ask us, cy: Gofynnwch}\n"
                                     "pages:\n  - question: {label: {en: \"Why?\", cy: \"Pam?\", review: check it}, hint: Say why}\n")
    listed = {(item.english, item.why) for item in form_texts_to_check(tmp_path)}
    assert listed == {("Ask", "not translated yet"), ("Why?", "check it"), ("Say why", "not translated yet")}


# Reading a text: the page's language -----------------------------------------------------------------------

def test_a_text_reads_in_the_language_of_the_page_or_email(app):
    foi = FORMS["foi"]
    assert foi.title == "Ask for information under the Freedom of Information Act"  # outside any app: English
    with app.test_request_context("/request/foi"):
        assert foi.title == "Ask for information under the Freedom of Information Act"
        with in_language("cy"):
            assert foi.title == "Gofyn am wybodaeth o dan y Ddeddf Rhyddid Gwybodaeth"
            assert foi.sentence_name == "cais Rhyddid Gwybodaeth"
            assert FORMS["sar"].sentence_name == "cais am wybodaeth gan y testun"  # the name with a small letter
            page = foi.page("use-sar")
            assert page.heading.startswith("Gallwch ofyn") and page.body[0].startswith("Data personol")
            assert isinstance(page.body, tuple) and all(isinstance(p, str) for p in page.body)
            assert page.actions[0].text == "Gwneud cais am wybodaeth gan y testun"
            question = foi.questions["format"]
            assert (question.label, question.summary) == ("Sut hoffech chi gael y wybodaeth?", "Fformat")
            assert [o.text for o in question.options] == ["Drwy e-bost", "Drwy'r post", "Ei gweld yn bersonol"]
            assert foi.page("full-name").title == "Beth yw eich enw llawn?"
        assert foi.questions["format"].options[0].text == "By email"
    with app.test_request_context("/request/foi?lang=cy"):
        assert foi.title.startswith("Gofyn am wybodaeth")  # a Welsh page, with nothing forced


def test_a_welsh_page_of_a_form_not_offered_in_welsh_reads_its_english(app):
    form = parse({"case_type": "X", "reference_prefix": "XX", "name": "Thing", "title": "Ask", "summary": "Ask us",
                  "clock": "foi", "pages": [{"id": "email-address", "question": {"id": "email", "type": "email",
                                                                                 "label": "Email?"}}]}, "x")
    with app.test_request_context("/"), in_language("cy"):
        assert (form.title, form.questions["email"].label) == ("Ask", "Email?")


def test_the_question_types_own_words_are_welsh_on_a_welsh_page(app):
    email = QUESTION_TYPES["email"].model_validate({"type": "email", "id": "e", "label": "Email?"})
    yesno = QUESTION_TYPES["yesno"].model_validate({"type": "yesno", "id": "y", "label": "Agree?"})
    date = FORMS["sar"].questions["date_of_birth"]
    address = QUESTION_TYPES["address"].model_validate({"type": "address", "id": "a", "label": "Address?"})
    with app.test_request_context("/"):
        assert email.parse({"e": ""}).errors == {"e": "Enter your email address"}
        with in_language("cy"):
            assert email.parse({"e": ""}).errors == {"e": "Rhowch eich cyfeiriad e-bost"}
            assert email.parse({"e": "nope"}).errors["e"].startswith("Rhowch gyfeiriad e-bost yn y fformat cywir")
            assert [o.text for o in yesno.options] == ["Ie", "Na"]
            today = dt.date(2026, 6, 25)
            assert date.parse({"date_of_birth-day": "3"}, today=today).errors == {
                "date_of_birth-month": "Rhaid i'r dyddiad geni gynnwys mis a blwyddyn"}  # the form's words, the parts filled in
            assert date.parse({"date_of_birth-day": "31", "date_of_birth-month": "2", "date_of_birth-year": "2020"},
                              today=today).errors == {"date_of_birth-day": "Rhaid i'r dyddiad geni fod yn ddyddiad go iawn"}
            assert address.parse({"a-line1": "1 Stryd Fawr", "a-town": "Caerdydd", "a-postcode": "nonsense"}).errors == {
                "a-postcode": "Rhowch god post llawn yn y DU, fel AA3 1AB"}
            assert [str(label) for _key, label, *_ in address.fields][:2] == ["Llinell 1 y cyfeiriad", "Llinell 2 y cyfeiriad (dewisol)"]
        assert date.parse({"date_of_birth-day": "3"}, today=dt.date(2026, 6, 25)).errors == {
            "date_of_birth-month": "Date of birth must include a month and year"}


def test_check_answers_lines_follow_the_page(app):
    sar = FORMS["sar"]
    with app.test_request_context("/"):
        with in_language("cy"):
            assert answer_lines(sar.questions["who_for"], "self") == ["Fi"]
            assert answer_lines(sar.questions["date_of_birth"], "1961-04-03") == ["3 Ebrill 1961"]
            assert answer_lines(sar.questions["telephone"], "") == ["Heb ei roi"]
            assert answer_lines(sar.questions["identity"], {"files": [], "later": True}) == [
                "Byddaf yn anfon prawf adnabod yn nes ymlaen"]
        assert answer_lines(sar.questions["who_for"], "self") == ["Me"]
        assert answer_lines(sar.questions["date_of_birth"], "1961-04-03") == ["3 April 1961"]


# The payload: English for the case team, with what the person saw ---------------------------------------

ANSWERS = {"who_for": "self", "full_name": "Siân Jones", "email": "sian@example.com", "date_of_birth": "1961-04-03",
           "address": {"line1": "1 Stryd Fawr", "town": "Caerdydd", "postcode": "CF10 1AA"},
           "telephone": "", "description": "Pob e-bost rhyngof i a'r tîm tai.", "period": "2023 hyd heddiw",
           "identity": {"files": [], "later": True}}


def payload_of(language: str) -> dict:
    return service.build_payload(FORMS["sar"], ANSWERS, reference="SAR-2026-7K4M-Q",
                                 received_at=dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone.utc), due=None,
                                 rule="one calendar month", flags={}, clock="awaiting_identity", language=language)


def test_a_welsh_requests_payload_is_english_with_what_the_requester_saw(app):
    with app.test_request_context("/request/sar?lang=cy"):  # made on a Welsh page: the payload is English still
        payload = payload_of("cy")
    jsonschema.validate(payload, CREATE_CASE_SCHEMA)
    assert payload["language"] == "cy"
    answers = {a["question"]: a for a in payload["answers"]}
    assert {k: answers["who_for"][k] for k in ("label", "answer")} == {"label": "Information about", "answer": "Me"}
    assert answers["who_for"]["as_shown"] == {"language": "cy", "label": "Gwybodaeth am", "answer": "Fi"}
    assert answers["date_of_birth"]["answer"] == "3 April 1961"
    assert answers["date_of_birth"]["as_shown"]["answer"] == "3 Ebrill 1961"
    assert answers["telephone"]["answer"] == "Not given" and answers["telephone"]["as_shown"]["answer"] == "Heb ei roi"
    # free text exactly as typed, in both
    assert answers["description"]["answer"] == answers["description"]["as_shown"]["answer"] == ANSWERS["description"]
    assert answers["description"]["label"] == "Information requested"
    assert answers["identity"]["answer"] == "I'll send proof of identity later"
    assert payload["subject"]["relationship"] == "self"  # mapped fields are values, not words
    assert payload["requester"]["name"] == "Siân Jones"


def test_an_english_requests_payload_has_no_as_shown_even_on_a_welsh_page(app):
    with app.test_request_context("/request/sar?lang=cy"):
        payload = payload_of("en")
    jsonschema.validate(payload, CREATE_CASE_SCHEMA)
    assert payload["language"] == "en"
    assert all("as_shown" not in a for a in payload["answers"])
    assert [a["label"] for a in payload["answers"]][:2] == ["Information about", "Your full name"]


@pytest.fixture
def welsh_app(tmp_path, services):
    """The app with Welsh as the default language: every page Welsh, with no ?lang= in the journey's links."""
    application = app_on_migrated_database(make_settings(tmp_path, default_language="cy"), services)
    yield application
    application.extensions["portal.db"].dispose()


def test_a_request_made_in_welsh_reaches_the_case_system_in_english_and_welsh(welsh_app, services):
    from tests.pages import PageClient

    client = PageClient(welsh_app)
    services.clock.current = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc)
    submit(client, "complaint", services.mailer)
    with welsh_app.app_context(), welsh_app.extensions["portal.db"].sessionmaker() as session:
        submission = session.scalars(select(Submission)).one()
    payload = submission.payload
    jsonschema.validate(payload, CREATE_CASE_SCHEMA)
    assert submission.language == payload["language"] == "cy"
    answers = {a["question"]: a for a in payload["answers"]}
    assert (answers["service"]["label"], answers["service"]["answer"]) == ("Service", "Bins, recycling and street cleaning")
    assert answers["service"]["as_shown"] == {"language": "cy", "label": "Gwasanaeth",
                                              "answer": "Biniau, ailgylchu a glanhau strydoedd"}
    assert answers["description"]["answer"] == "My bin was not collected for three weeks."  # as typed
    assert payload["complaint"]["service"] == "waste"
    reference, delivered = services.case_system.delivered[-1]  # pushed to the case system as stored
    assert reference == submission.reference and delivered["answers"][0]["as_shown"]["language"] == "cy"


def test_welsh_pages_show_the_forms_welsh_through_the_unchanged_templates(welsh_app, services):
    """The templates print {{ form.title }}, {{ question.label }}, option texts and check-answers rows as before:
    on a Welsh page they are the Welsh."""
    from tests.capture_helpers import fill
    from tests.pages import PageClient, text_of

    client = PageClient(welsh_app)
    start = client.get_page("/request/complaint")
    assert start.h1.get_text(strip=True) == "Gwneud cwyn"
    assert "Dywedwch wrthym beth aeth o chwith" in text_of(start)
    fill(client, "complaint")
    service_page = text_of(client.get_page("/request/complaint/service"))
    assert "Am ba wasanaeth mae eich cwyn?" in service_page and "Parcio a ffyrdd" in service_page
    check = text_of(client.get_page("/request/complaint/check-answers"))
    assert "Gwasanaeth" in check and "Biniau, ailgylchu a glanhau strydoedd" in check
    assert "Bins, recycling" not in check and "Heb ei roi" in check  # the date left empty
