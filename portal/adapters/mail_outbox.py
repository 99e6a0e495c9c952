"""Mailer for development: each message becomes an .eml file in a folder, and a log line shows its links.

Nothing is sent. Settings refuses this adapter in production.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path

from portal.adapters import ports
from portal.adapters.mail_common import build_mime, links_in, log_mail, message_id_of, unavailable
from portal.private_files import private_folder

logger = logging.getLogger(__name__)

DEFAULT_FROM = "no-reply@localhost"


class OutboxMailer:
    def __init__(self, folder: Path, mail_from: str = DEFAULT_FROM):
        self.folder = Path(folder)
        self.mail_from = mail_from

    def send(self, message: ports.EmailMessage) -> None:
        now = dt.datetime.now(dt.timezone.utc)
        mime = build_mime(message, self.mail_from, now)
        message_id = message_id_of(mime)
        name = f"{now:%Y%m%dT%H%M%S%fZ}-{message_id.partition('@')[0]}.eml"
        try:
            self._write(name, mime.as_bytes())
        except OSError as error:
            raise unavailable(f"outbox folder not writable: {error.strerror}") from error
        # The only body content ever logged: a developer needs the sign-in or confirmation link.
        links = " ".join(links_in(message.body)) or "-"
        log_mail(logger, "email written to outbox", reference=message.reference, message_id=message_id,
                 file=name, links=links)

    def _write(self, name: str, content: bytes) -> None:
        """Write to a temporary file then rename, so a reader never sees half a message."""
        private_folder(self.folder)
        # mkstemp makes the file readable by its owner only: it holds personal data.
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
