"""`make run`: its children's lines headed by their names, and the virus scanner warned about once."""
from __future__ import annotations

import io
import logging

from portal.run import Prefixed
from portal.services import SCANNER_OFF, Services
from portal.settings import Settings
from tests.conftest import make_settings


def test_each_line_is_headed_by_its_process_name_padded_to_align(capsys):
    out = Prefixed(["web", "worker", "case-system"], colour=False)
    out.follow("worker", io.StringIO("Huey consumer started\n+ portal.jobs.send_email\n")).join()
    out.line("web", "GET /healthz 200 0.2ms\n")

    assert capsys.readouterr().out.splitlines() == [
        "worker      | Huey consumer started",
        "worker      | + portal.jobs.send_email",
        "web         | GET /healthz 200 0.2ms",
    ]


def test_the_processes_make_run_starts_leave_the_scanner_warning_to_it(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.services"):
        # what portal/run.py gives its children
        Services.from_settings(Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "CLAMD_SOCKET": "",
                                                  "SCANNER_WARNING": "false"}))
        assert SCANNER_OFF not in caplog.text
        Services.from_settings(make_settings(tmp_path))
    assert caplog.messages.count(SCANNER_OFF) == 1
