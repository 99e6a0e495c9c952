"""Uploads and the postcode finder inside the journey: errors on the field, answers kept."""
import io

import pytest
from sqlalchemy import select, text

from capture.jobs import delete_expired_drafts
from capture.models import Submission
from portal.adapters.ports import PostcodeResult
from portal.exceptions import PostcodeLookupUnavailable
from tests.capture_helpers import answer, code_from, errors_in, fill, post
from tests.pages import check_page, text_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _no_rate_limits(app):
    from portal.security import limiter

    limiter.enabled = False
    yield
    limiter.enabled = True


def upload(client, name: str, data: bytes, action="upload"):
    return post(client, "/request/sar/identity", {"action": action, "identity": (io.BytesIO(data), name)},
                content_type="multipart/form-data")


def test_upload_then_remove_then_send_later(app, client, services):
    fill(client, "sar", upto="identity")
    response = upload(client, "passport.PDF", PDF)
    assert response.status_code == 302
    soup = client.get_page("/request/sar/identity")
    assert f"passport.PDF (PDF, {len(PDF)} bytes)" in text_of(soup)
    assert len(services.store.files) == 1
    remove = soup.select_one("button[value^='remove:']")
    response = post(client, "/request/sar/identity", {"action": remove["value"]})
    assert response.status_code == 302 and services.store.files == {}
    response = post(client, "/request/sar/identity", {"action": "continue"})
    assert errors_in(response) == ["Select a file, or choose 'I'll send proof of identity later'"]


def test_file_goes_with_the_submission(app, client, services):
    fill(client, "sar", upto="identity")
    upload(client, "licence.pdf", PDF)
    answer(client, "sar", "identity", {"action": "continue"})
    post(client, "/request/sar/check-answers", {})
    post(client, "/request/sar/confirm-email", {"code": code_from(services.mailer)})
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        submission = session.scalars(select(Submission)).one()
        files = [(f.filename, f.content_type, f.size) for f in submission.files]
    assert files == [("licence.pdf", "application/pdf", len(PDF))]
    assert submission.payload["attachments"][0]["filename"] == "licence.pdf"
    assert "store_key" not in submission.payload["attachments"][0]
    assert submission.payload["request"]["proof_of_identity"]["later"] is False


@pytest.mark.parametrize(("name", "data", "verdict", "message"), [
    ("tool.pdf", ELF, "clean", "The selected file must be a PDF, JPG, PNG, HEIC, DOCX, ODT or TXT"),
    ("empty.pdf", b"", "clean", "The selected file is empty"),
    ("eicar.pdf", PDF, "virus", "The selected file contains a virus"),
    ("scan.pdf", PDF, "down", "The selected file could not be checked for viruses. Try again later"),
])
def test_rejected_upload_says_why_and_keeps_the_answers(app, client, services, name, data, verdict, message):
    fill(client, "sar", upto="identity")
    services.scanner.verdict = verdict
    response = upload(client, name, data)
    assert response.status_code == 200 and errors_in(response)
    assert errors_in(response) == [message]
    assert services.store.files == {}
    # Everything typed before is still there.
    soup = client.get_page("/request/sar/what-data?change=1")
    assert soup.find("textarea").get_text() == "All emails between me and the housing team."


def test_upload_over_the_request_limit_is_a_413_page_and_the_draft_survives(app, client):
    fill(client, "sar", upto="identity")
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    response = upload(client, "big.pdf", PDF + b"0" * 100_000)
    assert response.status_code == 413
    check_page(response.get_data(as_text=True))
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
    client.get_page("/request/sar/identity")


def test_file_over_the_per_file_limit(app, client, settings):
    fill(client, "sar", upto="identity")
    object.__setattr__(settings, "upload_max_file", 1024)
    response = upload(client, "big.pdf", PDF + b"0" * 2000)
    assert errors_in(response) == ["The selected file must be smaller than 1KB"]


def _saved_files(app) -> list:
    from capture.models import Draft

    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        return [f for d in session.scalars(select(Draft)) for f in (d.answers.get("identity") or {}).get("files", [])]


def upload_many(client, count: int, size: int = 100):
    files = [(io.BytesIO(PDF + b"0" * size), f"page-{n}.pdf") for n in range(count)]
    return post(client, "/request/sar/identity", {"action": "upload", "identity": files},
                content_type="multipart/form-data")


def test_a_question_takes_at_most_ten_files_and_a_post_over_it_is_refused_whole(app, client):
    fill(client, "sar", upto="identity")
    response = upload_many(client, 300)
    assert errors_in(response) == ["You can add up to 10 files. Select 10 or fewer"]
    assert _saved_files(app) == []
    assert upload_many(client, 8).status_code == 302
    assert errors_in(upload_many(client, 3)) == [
        "You can add up to 10 files. You've already added 8, so you can add 2 more. Select 2 or fewer"]
    assert upload_many(client, 2).status_code == 302 and len(_saved_files(app)) == 10
    assert errors_in(upload_many(client, 1)) == ["You can add up to 10 files. Remove one to add another"]


def test_files_sent_together_count_against_the_drafts_total(app, client, settings):
    fill(client, "sar", upto="identity")
    object.__setattr__(settings, "upload_max_total", 2500)
    response = upload_many(client, 3, size=1000)  # about 1 KB each: the third would go over
    assert errors_in(response) == ["The selected files must be smaller than 2.4KB in total"]
    assert len(_saved_files(app)) == 2  # the files that fitted are kept


def test_postcode_finder_fills_the_town(client, services):
    fill(client, "sar", upto="postal-address")
    services.postcodes.known["SG13 8EQ"] = PostcodeResult("SG13 8EQ", "East Hertfordshire", "East of England", "England")
    response = post(client, "/request/sar/postal-address", {"action": "find", "address-lookup": "sg138eq"})
    soup = check_page(response.get_data(as_text=True))
    assert soup.find("input", id="address-town")["value"] == "East Hertfordshire"
    assert soup.find("input", id="address-postcode")["value"] == "SG13 8EQ"


def test_postcode_not_found_is_a_field_error(client):
    fill(client, "sar", upto="postal-address")
    response = post(client, "/request/sar/postal-address", {"action": "find", "address-lookup": "SW1A 9ZZ"})
    assert errors_in(response) == ["We could not find that postcode. Check it, or enter the address manually"]


def test_postcode_service_down_falls_back_to_manual_entry(client, services):
    fill(client, "sar", upto="postal-address")

    def down(_postcode):
        raise PostcodeLookupUnavailable()

    services.postcodes.lookup = down
    response = post(client, "/request/sar/postal-address", {"action": "find", "address-lookup": "SG13 8EQ"})
    soup = check_page(response.get_data(as_text=True))
    assert "We cannot look up your postcode at the moment" in text_of(soup)
    assert soup.find("input", id="address-postcode")["value"] == "SG13 8EQ"
    location = answer(client, "sar", "postal-address", {"action": "save", "address-line1": "1 High St",
                                                        "address-town": "Hertford", "address-postcode": "SG13 8EQ"})
    assert location.endswith("/request/sar/phone")


def test_manual_address_link_works_without_the_finder(client):
    fill(client, "sar", upto="postal-address")
    soup = client.get_page("/request/sar/postal-address")
    link = soup.find("a", string="Enter the address manually")
    manual = client.get_page(link["href"])
    assert manual.find("input", id="address-line1") is not None


def test_expired_drafts_and_their_files_are_deleted_by_the_job(app, client, services):
    fill(client, "sar", upto="identity")
    upload(client, "passport.pdf", PDF)
    assert len(services.store.files) == 1
    services.clock.advance(minutes=61)
    with app.app_context():
        assert delete_expired_drafts.call_local() == 1
    assert services.store.files == {}


def test_a_removed_file_stays_stored_until_the_removal_is_committed(app, services):
    """Deleted before the commit, a failed commit would leave the draft naming a file that is gone."""
    from portal.db import delete_after_commit

    services.store.put("drafts/kept", io.BytesIO(b"evidence"))
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        session.execute(text("select 1"))
        delete_after_commit(session, services.store, "drafts/kept")
        session.rollback()  # the commit never happened
        assert "drafts/kept" in services.store.files
        delete_after_commit(session, services.store, "drafts/kept")
        session.commit()
    assert "drafts/kept" not in services.store.files
