"""The back office's Disclosure Log API: publish, replace, schedule, guard, withdraw, attach files."""
from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest

from portal.formatting import human_size
from tests.conftest import migrated_app
from tests.disclosure_helpers import (EMAIL, MOBILE, NEW_ENTRY, NI_NUMBER, DisclosureApi, entry_is_public, found, refs,
                                      search)
from tests.disclosure_helpers import api  # noqa: F401 - a fixture
from tests.disclosure_samples import Text, docx_file, pdf
from tests.pages import text_of
from tests.unit.test_api_keys import bearer, make_key
from tests.unit.test_share_api import is_problem

MISSING = object()  # a field left out of the body


def actions(api, reference: str) -> list[str]:
    return [event["action"] for event in api.audit(reference)]


# Keys -------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "GET"])
def test_every_method_needs_a_key_with_the_disclosures_scope(app, client, method):
    raw = app.test_client()
    url = "/api/v1/disclosures/FOI-1"
    assert is_problem(raw.open(url, method=method, json=NEW_ENTRY), 401)["title"] == "Unauthorised"
    wrong = make_key(app, "shares:write", "submissions:read")
    refused = is_problem(raw.open(url, method=method, json=NEW_ENTRY, headers=bearer(wrong)), 403)
    assert "disclosures:write" in refused["detail"]
    client.get_page("/disclosure-log/FOI-1", status=404)


# Create and replace -----------------------------------------------------------------------

def test_post_publishes_a_new_entry_at_once(api, client):
    response = api.put("FOI-2026-001", method="POST")
    assert response.status_code == 201
    assert response.headers["Location"] == "/api/v1/disclosures/FOI-2026-001"
    entry = response.json
    assert (entry["reference"], entry["status"], entry["title"]) == ("FOI-2026-001", "published", NEW_ENTRY["title"])
    assert entry["published"] == "2026-06-01"
    assert entry["working_days"] == 15  # Good Friday and Easter Monday do not count
    assert [e["action"] for e in entry["audit"]] == ["published"] and entry["audit"][0]["actor"] == "case system"
    page = client.get_page("/disclosure-log/FOI-2026-001")
    assert page.h1.get_text(strip=True) == NEW_ENTRY["title"]
    assert "We repaired 300 potholes in Hertford." in text_of(page)
    assert refs(client, q="potholes") == ["FOI-2026-001"]


def test_post_on_an_existing_reference_is_409_and_changes_nothing(api, client):
    api.publish("FOI-1")
    conflict = is_problem(api.put("FOI-1", method="POST", title="A different title"), 409)
    assert "PUT" in conflict["detail"]
    assert client.get_page("/disclosure-log/FOI-1").h1.get_text(strip=True) == NEW_ENTRY["title"]
    assert actions(api, "FOI-1") == ["published"]


def test_put_replaces_an_entry_and_the_search_follows(api, client, clock):
    api.publish("FOI-1")
    clock.advance(days=1)
    response = api.put("FOI-1", title="Pothole repairs in Ware", response="We repaired 120 craters in Ware.")
    assert response.status_code == 200 and response.json["title"] == "Pothole repairs in Ware"
    assert response.json["published"] == "2026-06-01"  # a correction does not move it up the list
    assert client.get_page("/disclosure-log/FOI-1").h1.get_text(strip=True) == "Pothole repairs in Ware"
    assert refs(client, q="craters") == ["FOI-1"]
    assert refs(client, q="300") == []
    assert actions(api, "FOI-1") == ["published", "updated"]


def test_put_on_a_new_reference_creates_it(api, client):
    response = api.put("EIR-7")
    assert response.status_code == 201 and response.headers["Location"] == "/api/v1/disclosures/EIR-7"
    client.get_page("/disclosure-log/EIR-7")


def test_an_old_published_date_is_refused_or_found(api, client):
    """What the API accepts, the public can find: never a 201 for an entry search cannot hold."""
    response = api.put("FOI-1", published="1999-12-31")
    if response.status_code == 422:
        assert response.json["field"] == "published"
    else:
        assert response.status_code == 201 and refs(client, q="potholes") == ["FOI-1"]


@pytest.mark.parametrize(("received", "responded"), [("2101-01-04", "2101-01-08"), ("2100-12-20", "2999-12-31")])
def test_dates_past_the_working_day_calendar_are_kept_without_a_count(api, received, responded):
    """The UK bank holiday calendar ends in 2100; later dates the API accepts were a 500 counting working days."""
    response = api.put("FOI-1", received=received, responded=responded)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert (response.json["received"], response.json["responded"]) == (received, responded)
    assert response.json["working_days"] is None


def test_an_entry_the_index_cannot_take_does_not_stop_the_next_one(api, client):
    api.put("FOI-1", published="1999-12-31")
    api.publish("FOI-2")
    assert "FOI-2" in refs(client, q="potholes")


def test_get_of_an_unknown_entry_is_404(api):
    assert "FOI-404" in is_problem(api.call("GET", "FOI-404"), 404)["detail"]


# Invalid bodies ---------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "field"), [
    ({"title": MISSING}, "title"),
    ({"title": "   "}, "title"),
    ({"title": 42}, "title"),
    ({"title": "T" * 301}, "title"),
    ({"request": ""}, "request"),
    ({"response": ["We repaired 300"]}, "response"),
    ({"case_type": MISSING}, "case_type"),
    ({"case_type": "SAR"}, "case_type"),
    ({"case_type": "foi"}, "case_type"),
    ({"outcome": "Mostly released"}, "outcome"),
    ({"received": "2026-02-30"}, "received"),
    ({"received": "01/04/2026"}, "received"),
    ({"received": 20260401}, "received"),
    ({"responded": "2026-4-24"}, "responded"),
    ({"published": "yesterday"}, "published"),
    ({"received": "2026-04-24", "responded": "2026-04-01"}, "responded"),
    ({"publish_at": "2026-06-01T10:00:00"}, "publish_at"),
    ({"publish_at": "next Tuesday"}, "publish_at"),
    ({"publish_at": 1780304400}, "publish_at"),
    ({"publish_at": "9999-12-31T23:00:00-12:00"}, "publish_at"),
    ({"publish_at": "0001-01-01T00:30:00+01:00"}, "publish_at"),
    ({"ico_decision_url": "http://ico.org.uk/decision-notice/IC-1"}, "ico_decision_url"),
    ({"ico_decision_url": "javascript:alert(1)"}, "ico_decision_url"),
    ({"exemptions": "s.40(2)"}, "exemptions"),
    ({"exemptions": [40]}, "exemptions"),
    ({"exemptions": {}}, "exemptions"),
    ({"exemptions": ""}, "exemptions"),
    ({"exemptions": False}, "exemptions"),
    ({"category": "C" * 101}, "category"),
])
def test_an_invalid_field_is_422_naming_it_and_nothing_is_published(api, client, change, field):
    body = {k: v for k, v in {**NEW_ENTRY, **change}.items() if v is not MISSING}
    problem = is_problem(api.call("PUT", "FOI-1", json=body), 422)
    assert problem["field"] == field and problem["title"] == "Invalid request" and field in problem["detail"]
    client.get_page("/disclosure-log/FOI-1", status=404)


@pytest.mark.parametrize("body", [b"not json", b"", b"[1, 2]", b'"text"', b"{", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_422(api, body):
    problem = is_problem(api.call("PUT", "FOI-1", data=body, headers={"Content-Type": "application/json"}), 422)
    assert "JSON object" in problem["detail"]


@pytest.mark.parametrize("reference", [".hidden", "-FOI-1", "FOI 1", "FOI-1%00", "caf%C3%A9", "R" * 61])
def test_a_bad_reference_is_422_naming_it(api, reference):
    assert is_problem(api.put(reference), 422)["field"] == "reference"


@pytest.mark.parametrize("reference", ["../x", "..%2Fx", "a/b"])
def test_a_reference_with_a_slash_finds_no_endpoint(api, client, reference):
    is_problem(api.put(reference), 404)
    assert refs(client) == []


def test_sixty_characters_is_the_longest_reference(api, client):
    assert api.put("R" * 60).status_code == 201
    client.get_page("/disclosure-log/" + "R" * 60)


# The publish guard ------------------------------------------------------------------------

PERSONAL = [(EMAIL, "email"), (MOBILE, "phone"), (NI_NUMBER, "ni_number")]


@pytest.mark.parametrize(("personal", "kind"), PERSONAL)
def test_personal_data_blocks_publication_with_the_findings(api, client, personal, kind):
    response = api.put("FOI-1", response=f"The officer's details are {personal}, as asked.")
    problem = is_problem(response, 422)
    assert problem["title"] == "Personal data found"
    assert [(f["kind"], f["where"]) for f in problem["findings"]] == [(kind, "response")]
    assert personal not in response.get_data(as_text=True)  # the findings are masked
    client.get_page("/disclosure-log/FOI-1", status=404)
    assert refs(client) == [] and refs(client, q="officer") == []
    is_problem(api.call("GET", "FOI-1"), 404)


@pytest.mark.parametrize(("field", "value", "kind"), [
    ("internal_review", f"Review requested by {EMAIL}", "email"),
    ("department", f"Place ({MOBILE})", "phone"),
    ("category", f"Highways, contact {EMAIL}", "email"),
    ("exemptions", ["Section 40(2)", f"Section 43 {NI_NUMBER}"], "ni_number"),
])
def test_every_shown_field_is_checked_not_only_the_text(api, client, field, value, kind):
    response = api.put("FOI-1", **{field: value})
    problem = is_problem(response, 422)
    assert [(f["kind"], f["where"]) for f in problem["findings"]] == [(kind, field)]
    client.get_page("/disclosure-log/FOI-1", status=404)


def test_personal_data_in_an_attachments_name_blocks_without_repeating_the_name(api, client):
    response = api.with_files("FOI-1", {f"letter to {EMAIL}.docx": docx_file(["The potholes were repaired."])})
    problem = is_problem(response, 422)
    assert [(f["kind"], f["where"]) for f in problem["findings"]] == [("email", "name of attachment 1")]
    assert EMAIL not in response.get_data(as_text=True)
    client.get_page("/disclosure-log/FOI-1", status=404)


def test_a_comment_or_tracked_change_left_in_an_attachment_blocks_and_is_named(api, client, services):
    letter = docx_file(["The potholes were repaired."], comment="Is this the right figure?", deleted="350",
                       author="Janet Pemberton")
    response = api.with_files("FOI-1", {"letter.docx": letter})
    problem = is_problem(response, 422)
    assert [(f["kind"], f["label"], f["where"]) for f in problem["findings"]] == [
        ("file_author", "Person named in the file's properties", "attachment letter.docx, author"),
        ("comment", "Comment left in the file", "attachment letter.docx, comment 1"),
        ("tracked_change", "Tracked change left in the file", "attachment letter.docx, tracked change 1"),
    ]
    assert "Pemberton" not in response.get_data(as_text=True)
    client.get_page("/disclosure-log/FOI-1", status=404)
    assert services.store.files == {}


def test_the_bodys_own_contact_details_do_not_block(tmp_path, services):
    app = migrated_app(tmp_path, services, contact_email="j.smith@example.gov.uk", telephone="01992 555 555",
                       guard_allow="SG13 8EQ")
    text = "Contact j.smith@example.gov.uk or 01992 555 555, or write to Mrs J. Jones, Wallfields, Hertford SG13 8EQ."
    assert DisclosureApi(app).put("FOI-1", response=text).status_code == 201
    assert DisclosureApi(app).put("FOI-2", response=text + " Or ring 01992 555 556.").status_code == 422


def test_personal_data_in_the_title_is_found_there(api):
    problem = is_problem(api.put("FOI-1", title=f"Complaint from {EMAIL}"), 422)
    assert [(f["kind"], f["where"]) for f in problem["findings"]] == [("email", "title")]


def test_a_blocked_change_leaves_the_published_entry_as_it_was(api, client):
    api.publish("FOI-1")
    is_problem(api.put("FOI-1", response=f"Call {MOBILE}."), 422)
    assert "We repaired 300 potholes in Hertford." in text_of(client.get_page("/disclosure-log/FOI-1"))
    assert actions(api, "FOI-1") == ["published"]


@pytest.mark.parametrize(("personal", "kind"), PERSONAL)
def test_a_reason_publishes_anyway_and_the_audit_keeps_it(api, client, personal, kind):
    reason = "The council's own switchboard details, published on its website."
    response = api.put("FOI-1", response=f"Contact {personal}.", guard_override_reason=reason)
    assert response.status_code == 201
    client.get_page("/disclosure-log/FOI-1")
    assert refs(client, q="contact") == ["FOI-1"]
    overridden = [e for e in api.audit("FOI-1") if e["action"] == "guard_overridden"]
    assert len(overridden) == 1
    assert overridden[0]["detail"]["reason"] == reason
    assert overridden[0]["detail"]["findings"] == [{"kind": kind, "where": "response"}]


# Scheduled publication --------------------------------------------------------------------

def test_a_scheduled_entry_appears_everywhere_at_its_time_without_a_job(api, client, clock):
    api.publish("FOI-1")
    created = api.put("FOI-2", publish_at="2026-06-01T10:00:00Z")  # the clock says 09:00
    assert created.status_code == 201 and created.json["publish_at"] == "2026-06-01T10:00:00+00:00"
    assert api.call("GET", "FOI-2").json["status"] == "published"
    assert entry_is_public(client, "FOI-1")
    assert not entry_is_public(client, "FOI-2")
    clock.advance(minutes=59, seconds=59)
    assert not entry_is_public(client, "FOI-2")
    clock.advance(seconds=1)
    assert entry_is_public(client, "FOI-2")
    assert refs(client, q="potholes", sort="newest") == ["FOI-2", "FOI-1"]


def test_a_scheduled_entry_is_not_downloadable_early(api, client, clock):
    api.put("FOI-2", publish_at="2026-06-02T09:00:00+01:00")
    assert client.raw.get("/disclosure-log.json").json["total"] == 0
    assert "FOI-2" not in client.raw.get("/disclosure-log.csv").get_data(as_text=True)
    clock.advance(days=1)
    assert client.raw.get("/disclosure-log.json").json["total"] == 1


# Withdrawal -------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [None, {}, {"reason": ""}, {"reason": "   "}, {"reason": 42}, [1]])
def test_withdrawing_needs_a_reason(api, client, body):
    api.publish("FOI-1")
    problem = is_problem(api.call("DELETE", "FOI-1", json=body), 422)
    assert problem["field"] == "reason"
    client.get_page("/disclosure-log/FOI-1")


def test_withdrawing_an_unknown_entry_is_404(api):
    is_problem(api.withdraw("FOI-404"), 404)


def test_a_withdrawn_entry_is_gone_with_its_reason_and_date(api, client, clock):
    api.publish("FOI-1")
    clock.advance(days=2, hours=5)  # 3 June 2026, 15:00 in London
    response = api.withdraw("FOI-1", reason="It named a member of staff by mistake.")
    assert response.status_code == 200 and response.json["status"] == "withdrawn"
    page = client.get_page("/disclosure-log/FOI-1", status=410)
    text = text_of(page)
    assert "This response has been withdrawn" in page.h1.get_text()
    assert "It named a member of staff by mistake." in text
    assert "3 June 2026 at 3:00pm" in text and "1 June 2026" in text
    assert "We repaired 300 potholes" not in text
    assert refs(client) == [] and refs(client, q="potholes") == []
    assert client.raw.get("/disclosure-log.json").json["total"] == 0
    rows = list(csv.reader(io.StringIO(client.raw.get("/disclosure-log.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 1  # the header alone
    assert "FOI-1" not in client.raw.get("/disclosure-log/sitemap-0.xml").get_data(as_text=True)


def test_a_withdrawn_entry_is_gone_from_the_api_too_saying_when_and_why(api, clock):
    """GET after DELETE is 410, as on the public page, never the entry as if it were there; the problem keeps
    what the case system needs for its record: when, why and the audit trail."""
    api.publish("FOI-1")
    api.withdraw("FOI-1", reason="It named a member of staff by mistake.")
    problem = is_problem(api.call("GET", "FOI-1"), 410)
    assert problem["withdrawn_reason"] == "It named a member of staff by mistake."
    assert problem["withdrawn_at"] == clock.now().isoformat()
    assert "It named a member of staff by mistake." in problem["detail"]
    assert [event["action"] for event in problem["audit"]] == ["published", "withdrawn"]


def test_withdrawing_twice_is_harmless(api, client):
    api.publish("FOI-1")
    api.withdraw("FOI-1", reason="First reason.")
    again = api.withdraw("FOI-1", reason="Second reason.")
    assert again.status_code == 200 and again.json["withdrawn_reason"] == "First reason."
    assert actions(api, "FOI-1") == ["published", "withdrawn"]
    assert "First reason." in text_of(client.get_page("/disclosure-log/FOI-1", status=410))


def test_a_withdrawn_entry_can_be_republished_by_put(api, client):
    api.publish("FOI-1")
    api.withdraw("FOI-1")
    response = api.put("FOI-1", response="We repaired 300 potholes; corrected figures.")
    assert response.status_code == 200 and response.json["status"] == "published"
    assert "withdrawn_reason" not in response.json
    assert "corrected figures" in text_of(client.get_page("/disclosure-log/FOI-1"))
    assert refs(client, q="corrected") == ["FOI-1"]
    assert actions(api, "FOI-1") == ["published", "withdrawn", "republished"]


# Attachments ------------------------------------------------------------------------------

FIGURES = docx_file(["Pothole repairs by ward."], table=[["Ward", "Repairs"], ["Zeppelin Fields", "57"]])
SCANNED = pdf([Text(20, 30, "Annex B: gritting routes for the Quillmoor estate")])


def attachment_links(page) -> dict[str, str]:
    return {link.get_text(strip=True): link["href"] for link in page.select('a[href*="/files/"]')}


def test_attachments_are_searchable_listed_and_downloadable(api, client):
    response = api.with_files("FOI-1", {"ward figures.docx": FIGURES, "annex.pdf": SCANNED})
    assert response.status_code == 201, response.json
    assert [(a["filename"], a["type"]) for a in response.json["attachments"]] == [
        ("ward figures.docx", "DOCX"), ("annex.pdf", "PDF")]
    soup = search(client, q="zeppelin")
    assert found(soup) == ["FOI-1"]
    snippet = text_of(soup.select_one("li.app-result .app-result__snippet"))
    assert snippet.startswith("Attachment: ward figures.docx:") and "Zeppelin" in snippet
    [result] = client.raw.get("/disclosure-log.json?q=zeppelin").json["results"]
    [in_json] = result["snippets"]
    assert (in_json["field"], in_json["filename"]) == ("attachment", "ward figures.docx")
    assert "<mark>Zeppelin</mark>" in in_json["html"] and "Zeppelin Fields" in in_json["text"]
    assert refs(client, q="quillmoor") == ["FOI-1"]

    page = client.get_page("/disclosure-log/FOI-1")
    listed = [" ".join(link.parent.get_text().split()) for link in page.select('a[href*="/files/"]')]
    assert listed == [f"ward figures.docx (DOCX, {human_size(len(FIGURES))})",
                      f"annex.pdf (PDF, {human_size(len(SCANNED))})"]
    for name, data in (("ward figures.docx", FIGURES), ("annex.pdf", SCANNED)):
        download = client.raw.get(attachment_links(page)[name])
        assert download.status_code == 200 and download.data == data
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert f"filename*=UTF-8''{quote(name)}" in download.headers["Content-Disposition"]


def test_a_replaced_attachment_shows_a_dated_change_note(api, client, clock):
    api.with_files("FOI-1", {"figures.docx": FIGURES})
    clock.advance(days=3)
    corrected = docx_file(["Pothole repairs by ward, corrected."], table=[["Ward", "Repairs"], ["Marlowe Green", "61"]])
    response = api.with_files("FOI-1", {"figures.docx": corrected}, change_note="The total for one ward was wrong.")
    assert response.status_code == 200, response.json
    page = client.get_page("/disclosure-log/FOI-1")
    text = text_of(page)
    assert "Updated 4 June 2026: The total for one ward was wrong." in text
    assert "4 June 2026: figures.docx was replaced by a corrected version." in text
    links = attachment_links(page)
    assert list(links) == ["figures.docx"]
    assert client.raw.get(links["figures.docx"]).data == corrected
    assert refs(client, q="marlowe") == ["FOI-1"] and refs(client, q="zeppelin") == []


def test_an_attachment_kept_by_a_later_put_stays(api, client):
    api.with_files("FOI-1", {"figures.docx": FIGURES})
    api.publish("FOI-1", title="Pothole repairs in Hertford, 2025")
    links = attachment_links(client.get_page("/disclosure-log/FOI-1"))
    assert client.raw.get(links["figures.docx"]).data == FIGURES


def test_an_attachments_part_that_is_not_a_file_is_refused(api, client):
    """Text sent as an "attachments" part (no file name) was silently dropped and the entry published without it."""
    data = {"entry": json.dumps(NEW_ENTRY), "attachments": "figures.docx"}
    problem = is_problem(api.call("PUT", "FOI-1", data=data, content_type="multipart/form-data"), 422)
    assert problem["field"] == "attachments" and "file" in problem["detail"]
    client.get_page("/disclosure-log/FOI-1", status=404)


def test_an_executable_named_pdf_is_refused_and_nothing_is_published(api, client, services):
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    problem = is_problem(api.with_files("FOI-1", {"report.pdf": program}), 422)
    assert problem["field"] == "attachments" and "report.pdf" in problem["detail"]
    client.get_page("/disclosure-log/FOI-1", status=404)
    assert services.store.files == {}


def test_personal_data_in_an_attachment_blocks_and_stores_nothing(api, client, services):
    letter = docx_file([f"Reply to {EMAIL} about the potholes."])
    problem = is_problem(api.with_files("FOI-1", {"letter.docx": letter}), 422)
    assert [(f["kind"], f["where"]) for f in problem["findings"]] == [("email", "attachment letter.docx")]
    client.get_page("/disclosure-log/FOI-1", status=404)
    assert services.store.files == {}


def test_a_withdrawn_entrys_files_are_gone(api, client, services):
    api.with_files("FOI-1", {"figures.docx": FIGURES})
    link = attachment_links(client.get_page("/disclosure-log/FOI-1"))["figures.docx"]
    api.withdraw("FOI-1")
    assert client.raw.get(link).status_code == 410
    assert services.store.files == {}


def test_a_withdrawal_whose_commit_fails_leaves_the_entry_and_its_files(api, app, client, services, monkeypatch):
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    api.with_files("FOI-1", {"figures.docx": FIGURES})
    files = dict(services.store.files)

    def database_gone(_session):
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(Session, "commit", database_gone)
    response = api.withdraw("FOI-1")
    monkeypatch.undo()
    assert response.status_code == 500
    assert services.store.files == files  # the files go only once the withdrawal is committed
    link = attachment_links(client.get_page("/disclosure-log/FOI-1"))["figures.docx"]
    assert client.raw.get(link).data == FIGURES


def test_publishing_and_withdrawing_never_commit_the_callers_session(app, services):
    from sqlalchemy import func, select

    from disclosure_log import entries, service
    from disclosure_log.models import Disclosure, DisclosureEvent

    def rows():
        with app.extensions["portal.db"].sessionmaker() as session:
            return [session.scalar(select(func.count()).select_from(t)) for t in (Disclosure, DisclosureEvent)]

    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        service.publish(session, services.store, services.scanner, reference="FOI-1", fields=entries.parse_fields(NEW_ENTRY),
                        incoming=[], override_reason="", change_note="", actor="test", now=services.clock.now(),
                        create_only=True)
        service.withdraw(session, reference="FOI-1", reason="A test.", actor="test", now=services.clock.now())
        session.flush()
        session.rollback()
    assert rows() == [0, 0]


def test_a_republished_entry_lists_only_files_that_can_be_downloaded(api, client):
    api.with_files("FOI-1", {"figures.docx": FIGURES})
    api.withdraw("FOI-1")
    api.publish("FOI-1")
    page = client.get_page("/disclosure-log/FOI-1")
    for name, href in attachment_links(page).items():
        assert client.raw.get(href).status_code == 200, f"{name} is listed but cannot be downloaded"
