"""flask disclosure-log: the bulk import, index upkeep, withdrawal and the searches that found nothing."""
from __future__ import annotations

from sqlalchemy import update

from disclosure_log.models import PENDING, Disclosure
from disclosure_log.current import get_index
from tests.disclosure_helpers import (EMAIL, DisclosureApi, bulk_entry, publish_corpus, refs, search, write_jsonl)
from tests.disclosure_samples import docx_file
from tests.pages import text_of


def flask(app, *args):
    return app.test_cli_runner().invoke(args=["disclosure-log", *args])


def import_file(app, path):
    result = flask(app, "import", str(path), "--batch-size", "100")
    assert result.exit_code == 0, result.output
    return result


# Import -----------------------------------------------------------------------------------

def test_import_reports_the_lines_it_skips_and_imports_the_rest(app, client, tmp_path):
    path = write_jsonl(tmp_path / "log.jsonl", [
        bulk_entry(1),
        "{not json",
        {**bulk_entry(2), "title": ""},
        bulk_entry(3, response=f"Write to {EMAIL} for the figures."),
        "",
        bulk_entry(4),
        {**bulk_entry(5), "reference": "R" * 61},
        bulk_entry(6, case_type="SAR"),
    ])
    result = import_file(app, path)
    skipped = result.stderr.splitlines()
    assert skipped[0].startswith("line 2: not imported: ")
    assert skipped[1:] == [
        "line 3: not imported: title is required",
        "line 7: not imported: the reference may use letters, digits, '.', '_' and '-' (at most 60)",
        "line 8: not imported: case_type must be one of: FOI, EIR",
        "line 4: BULK-00003 not imported: the publish guard found email",
    ]
    assert "2 imported, 0 already there, 4 invalid, 1 stopped by the publish guard." in result.stdout
    assert set(refs(client, q="bulk")) == {"BULK-00001", "BULK-00004"}
    assert refs(client, q="write") == []


def test_running_the_import_again_imports_nothing_twice(app, client, tmp_path):
    path = write_jsonl(tmp_path / "log.jsonl", [bulk_entry(n) for n in range(250)])
    assert "250 imported, 0 already there" in import_file(app, path).stdout
    again = import_file(app, path)
    assert "0 imported, 250 already there" in again.stdout
    assert client.raw.get("/disclosure-log.json").json["total"] == 250


def test_an_interrupted_import_is_finished_by_running_it_again(app, client, tmp_path):
    write_jsonl(tmp_path / "log.jsonl", [bulk_entry(n) for n in range(120)])
    import_file(app, tmp_path / "log.jsonl")
    path = write_jsonl(tmp_path / "log.jsonl", [bulk_entry(n) for n in range(300)])
    assert "180 imported, 120 already there" in import_file(app, path).stdout
    assert client.raw.get("/disclosure-log.json").json["total"] == 300


def test_an_override_reason_imports_what_the_guard_stops(app, client, tmp_path):
    path = write_jsonl(tmp_path / "log.jsonl", [bulk_entry(1, response=f"Write to {EMAIL}.")])
    result = flask(app, "import", str(path), "--override-reason", "The council's published contact address.")
    assert "1 imported" in result.stdout and result.stderr == ""
    assert refs(client, q="write") == ["BULK-00001"]


def test_every_imported_entry_can_be_opened_and_withdrawn(app, client, tmp_path):
    """What the import accepts, the public can open and the case system can withdraw through the API."""
    references = ["FOI/2024/001", "FOI 2024 002", "FOI-2024-003"]
    path = write_jsonl(tmp_path / "log.jsonl", [bulk_entry(n, reference=r) for n, r in enumerate(references)])
    result = import_file(app, path)
    skipped = {int(line.split(":")[0].removeprefix("line ")) for line in result.stderr.splitlines()}
    imported = [r for n, r in enumerate(references, 1) if n not in skipped]
    assert "FOI-2024-003" in imported
    api = DisclosureApi(app)
    for entry in client.raw.get("/disclosure-log.json").json["results"]:
        assert entry["reference"] in imported
        client.get_page(entry["url"].removeprefix("http://127.0.0.1:5000"))
    for reference in imported:
        assert api.withdraw(reference.replace("/", "%2F")).status_code == 200, reference


def test_an_entry_the_index_cannot_take_does_not_stop_the_import(app, client, tmp_path):
    path = write_jsonl(tmp_path / "log.jsonl", [bulk_entry(1), bulk_entry(2, published="1999-12-31"), bulk_entry(3)])
    result = flask(app, "import", str(path))
    assert result.exit_code == 0, result.output
    assert {"BULK-00001", "BULK-00003"} <= set(refs(client, q="bulk"))


# The index --------------------------------------------------------------------------------

QUERIES = ["", "care home", '"care home"', "hert*", "potholes -ware", "zeppelin", "housing"]


def answers(client) -> dict[str, list[str]]:
    return {query: refs(client, q=query, sort="newest") for query in QUERIES}


def test_rebuild_index_gives_the_same_results(app, client, clock):
    api = DisclosureApi(app)
    publish_corpus(api)
    figures = docx_file(["Repairs by ward."], table=[["Zeppelin Fields", "57"]])
    assert api.with_files("FOI-111", {"figures.docx": figures}).status_code == 201
    api.withdraw("FOI-110")
    api.publish("FOI-112", publish_at="2026-06-01T12:00:00Z")
    before = answers(client)
    assert before["zeppelin"] == ["FOI-111"] and "FOI-110" not in before[""] and "FOI-112" not in before[""]
    with app.app_context():
        get_index().clear()
    assert refs(client) == []
    result = flask(app, "rebuild-index")
    assert result.exit_code == 0 and "Index rebuilt from 11 published entries" in result.stdout  # not the withdrawn one
    assert answers(client) == before
    clock.advance(hours=3)
    assert "FOI-112" in refs(client)


def test_sync_index_brings_in_changes_the_index_missed(app, client):
    publish_corpus(DisclosureApi(app))
    with app.app_context(), app.extensions["portal.db"].transaction() as session:
        session.execute(update(Disclosure).where(Disclosure.reference == "FOI-105")
                        .values(response="We issued 2,000 permits in Quillmoor.", index_state=PENDING))
    assert refs(client, q="quillmoor") == []
    result = flask(app, "sync-index")
    assert result.exit_code == 0 and result.stdout.strip() == "1 entries brought up to date."
    assert refs(client, q="quillmoor") == ["FOI-105"]
    assert flask(app, "sync-index").stdout.strip() == "0 entries brought up to date."


# Withdraw and gaps ------------------------------------------------------------------------

def test_withdraw_from_the_command_line(app, client):
    DisclosureApi(app).publish("FOI-1")
    result = flask(app, "withdraw", "FOI-1", "--reason", "Superseded by FOI-2.")
    assert result.exit_code == 0 and "FOI-1 withdrawn." in result.stdout
    assert "Superseded by FOI-2." in text_of(client.get_page("/disclosure-log/FOI-1", status=410))
    assert refs(client) == []
    missing = flask(app, "withdraw", "FOI-404", "--reason", "No such entry.")
    assert missing.exit_code != 0 and "FOI-404" in missing.output


def test_gaps_lists_the_searches_that_found_nothing_most_often_first(app, client):
    for query in ["zebra crossings", "Zebra crossings!", "library fines", "ZEBRA CROSSINGS", f"{EMAIL} fines",
                  "janet pemberton sg13 8dq", "bins SG138DQ"]:  # a postcode: someone's address, never kept
        search(client, q=query)
    result = flask(app, "gaps")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["     3  zebra crossings  (last 2026-06-01)",
                                          "     1  library fines  (last 2026-06-01)"]
