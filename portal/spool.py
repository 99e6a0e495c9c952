"""Where an upload is spooled while it is read, checked and stored: the portal's own private folder.

Werkzeug's form parser (past 500 KB) and portal.uploads (past 1 MiB) copy an upload to a temporary file,
by default in /tmp: unencrypted, beside every other account's files. Here they go to <var>/spool (0700) as
tempfile.TemporaryFile files, 0600 and with no name in the folder from the moment they exist (O_TMPFILE,
or unlinked at once), so the kernel frees each when its last handle closes, on every path: accepted,
refused, an exception, a killed process. Nothing has to remember to delete them.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Request, current_app, has_app_context

from portal.private_files import private_folder

FORM_IN_MEMORY = 500 * 1024  # werkzeug's own: smaller form files stay in memory


def app_folder() -> Path:
    """The running app's spool folder (SPOOL under PORTAL_VAR_DIR)."""
    if not has_app_context():
        raise RuntimeError("an upload spools in the running app's private folder: call it in the app, or pass spool=")
    return current_app.config["PORTAL_SETTINGS"].spool_path


def spool_file(max_in_memory: int, folder: Path | None = None):
    """A file kept in memory up to `max_in_memory` bytes, then on disk in the private folder."""
    return tempfile.SpooledTemporaryFile(max_size=max_in_memory, mode="w+b",
                                         dir=private_folder(folder or app_folder()))


class SpoolingRequest(Request):
    """Flask's request, spooling a multipart form's files in the private folder instead of /tmp."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return spool_file(FORM_IN_MEMORY)
