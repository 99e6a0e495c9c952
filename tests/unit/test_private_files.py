"""Everything the portal writes holds personal data or the keys to it: its folders are 0700 and its files
0600, whatever the umask the process was started with, so no other local account can read a submission."""
from __future__ import annotations

import io
import os
import stat

import pytest

from portal.adapters.ports import EmailMessage
from portal.app import create_app
from portal.jobs import bind_queue, huey, send_email
from portal.services import Services
from portal.settings import Settings
from tests.conftest import make_settings

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def usual_umask():
    """The umask most shells and service managers start with: 0644 files and 0755 folders unless told otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def modes(root) -> dict[str, str]:
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.stat().st_mode))
    return found


def not_private(root, found: dict[str, str]) -> dict[str, str]:
    """What is not 0700 (a folder) or 0600 (a file). The Disclosure Log's search index holds published responses
    only, and tantivy (Rust) picks its files' modes: its folders are 0700, so no other account reaches them."""
    return {name: mode for name, mode in found.items() if mode != ("0o700" if (root / name).is_dir() else "0o600")
            and not (name.startswith("search/") and (root / name).is_file())}


@pytest.fixture
def var(tmp_path, usual_umask):
    folder = tmp_path / "deep" / "var"  # not there yet: the portal makes it
    settings = Settings.from_env({"PORTAL_VAR_DIR": str(folder), "JOB_BACKEND": "sqlite", "CLAMD_SOCKET": "",
                                  "CLAMD_HOST": ""})  # development: its secrets are generated into var/
    app = create_app(settings, Services.from_settings(settings))
    database = app.extensions["portal.db"]
    database.upgrade()
    yield folder, app
    database.dispose()
    huey.flush()
    bind_queue(make_settings(tmp_path))


def test_every_folder_and_file_under_var_is_the_portals_alone(var):
    folder, app = var
    services = app.extensions["portal.services"]
    with app.app_context():
        services.store.put("capture/drafts/d1/f1", io.BytesIO(PDF))
        services.mailer.send(EmailMessage("person@example.com", "Subject", "Body", "REF-1"))
        with app.extensions["portal.db"].transaction() as session:
            from portal import outbox

            email_id = outbox.add(session, EmailMessage("a@example.com", "S", "B"), services.clock.now())
        send_email(email_id)  # queued in the SQLite job store, not run
    found = modes(folder)
    expected = {".", "files", "outbox", "local-secrets.json", "portal.sqlite3", "portal.sqlite3-wal",
                "portal.sqlite3-shm", "jobs.sqlite3"}
    assert expected <= set(found)
    assert any(name.startswith("files/capture/drafts/d1/") for name in found)
    assert any(name.startswith("outbox/") and name.endswith(".eml") for name in found)
    assert not_private(folder, found) == {}
    assert oct(stat.S_IMODE(folder.parent.stat().st_mode)) == "0o700"  # made by the portal on the way


def test_a_database_made_by_an_older_portal_is_made_private(tmp_path, usual_umask, services):
    folder = tmp_path / "var"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    for name in ("portal.sqlite3", "portal.sqlite3-wal", "jobs.sqlite3"):
        (folder / name).touch(mode=0o644)
    settings = make_settings(folder, job_backend="sqlite")
    app = create_app(settings, services)
    try:
        found = modes(folder)
        assert {".", "portal.sqlite3", "portal.sqlite3-wal", "jobs.sqlite3"} <= set(found)
        assert not_private(folder, found) == {}
    finally:
        app.extensions["portal.db"].dispose()
        bind_queue(make_settings(tmp_path))
