"""Secure Share's downloads: a document under its title, or a zip of all of them, in constant memory.

The names, Content-Disposition and HTTP ranges are portal.downloads', shared with the Disclosure Log.
"""
from __future__ import annotations

import errno
import logging
import time
from typing import Callable, Iterable, Iterator

from flask import Flask, Response
from zipstream import ZIP_STORED, ZipStream

from portal import filetypes
from portal.db import Database
from portal.downloads import Plan, clean_name, content_disposition, file_response, range_not_satisfiable, shorten_name
from secure_share import audit, service
from secure_share.models import Document, Share

log = logging.getLogger(__name__)

# A download under way asks whether its share is still open at most once a second: one small query a second
# however fast the link, and it stops within about a second of a revoke (500 MB had arrived 9.5 s after one).
CHECK_EVERY = 1.0
monotonic = time.monotonic

# A requester's documents are for them alone: never kept by a cache, never indexed.
_PRIVATE = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


# Names -------------------------------------------------------------------------------------

def download_name(document: Document) -> str:
    """The name the file is saved under: its title and its own extension ("scan.tif" stays .tif), which its
    content was checked to agree with on the way in; a name from before that check gets its type's extension.

    '../../evil"<CR><LF>Set-Cookie: x=y' becomes 'evil_ Set-Cookie_ x=y.pdf': no separator, quote or
    line break survives, so neither a path nor a header can be built from it.
    """
    typed = document.kind.lower() or "bin"
    own = document.filename.rpartition(".")[2].lower() if "." in (document.filename or "") else ""
    extension = own if own in filetypes.extensions_of(typed) else typed
    stem = clean_name(document.title)
    if stem.lower().endswith(f".{extension}"):
        stem = stem[: -len(extension) - 1].rstrip(" ._")
    return shorten_name(stem or "document", extension)


def unique_names(names: Iterable[str]) -> list[str]:
    """"Letter.pdf", "Letter (2).pdf": a zip whose members share a name loses all but one when opened."""
    taken: set[str] = set()
    result = []
    for name in names:
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem} ({n}).{extension}" if dot else f"{stem} ({n})"
        taken.add(candidate.lower())
        result.append(candidate)
    return result


# Responses ---------------------------------------------------------------------------------

def unsatisfiable(document: Document):
    """The 416 page for a range past the document's end."""
    return range_not_satisfiable(document.size, document.sha256, {"X-Robots-Tag": _PRIVATE["X-Robots-Tag"]})


def document_response(store, document: Document, plan: Plan) -> Response:
    """Open the store first (a missing file is a 404 page, not a broken download), then stream."""
    return file_response(store, document.store_key, size=document.size, etag=document.sha256,
                         content_type=document.content_type, filename=download_name(document), plan=plan,
                         headers=_PRIVATE)


def _lazy(store, key: str) -> Iterator[bytes]:
    # the store is opened only when the zip reaches this member, so a zip holds one open file at a time
    yield from store.open(key)


def build_zip(store, documents: list[Document]) -> ZipStream:
    """Stored, not deflated (PDFs and images are compressed already); sized, so Content-Length is known."""
    archive = ZipStream(compress_type=ZIP_STORED, sized=True)
    for document, name in zip(documents, unique_names(download_name(d) for d in documents)):
        archive.add(_lazy(store, document.store_key) if document.size else b"", name, size=document.size)
    return archive


def zip_size(documents: list[Document]) -> int:
    return len(build_zip(None, documents))


def zip_response(store, documents: list[Document], stem: str) -> Response:
    archive = build_zip(store, documents)
    headers = {"Content-Disposition": content_disposition(shorten_name(clean_name(stem) or "documents", "zip")),
               **_PRIVATE, "Content-Length": str(len(archive)), "Accept-Ranges": "none"}
    return Response(iter(archive), 200, headers=headers, content_type="application/zip", direct_passthrough=True)


# A download under way ----------------------------------------------------------------------

class DownloadStopped(BrokenPipeError):
    """Raised between chunks to end a download early. Only an error makes a WSGI server drop the connection:
    a body shorter than its Content-Length on a kept-alive connection (gunicorn's gthread, nginx upstream) leaves
    the browser waiting for the rest. A broken pipe is what werkzeug and gunicorn take for a client gone, so
    neither logs it as a server error."""

    def __init__(self, reason: str):
        super().__init__(errno.EPIPE, f"download stopped: {reason}")
        self.reason = reason


class WatchedStream:
    """A download's chunks, sent while `stops()` says None (asked at most every CHECK_EVERY seconds, between
    chunks), else DownloadStopped; `ended(sent, reason)` is told once how it ended: None when every byte was sent.

    A byte counts as sent when the server asks for the next chunk, so it had written the one before."""

    def __init__(self, chunks: Iterable[bytes], length: int, stops: Callable[[], str | None],
                 ended: Callable[[int, str | None], None]):
        self._chunks, self.length, self._stops, self._ended = chunks, length, stops, ended
        self.sent = 0
        self._done = False

    def __iter__(self) -> Iterator[bytes]:
        checked = monotonic()
        try:
            for chunk in self._chunks:
                now = monotonic()
                if now - checked >= CHECK_EVERY:
                    checked = now
                    reason = self._why_stop()
                    if reason is not None:
                        raise DownloadStopped(reason)
                yield chunk
                self.sent += len(chunk)
            if self.sent != self.length:
                raise DownloadStopped("the file ended early")
        except DownloadStopped as stopped:
            self._end(stopped.reason)
            raise
        except Exception:
            self._end("the file could not be read")
            raise
        self._end(None)

    def close(self) -> None:
        """The server is done with the response: a download that did not end by itself was cut off."""
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        self._end("connection closed")

    def _why_stop(self) -> str | None:
        try:
            return self._stops()
        except Exception:  # fail closed: a share we cannot check is not sent on
            log.warning("a download was stopped: its share could not be checked", exc_info=True)
            return "could not check the share"

    def _end(self, reason: str | None) -> None:
        if self._done:
            return
        self._done = True
        try:
            self._ended(self.sent, reason)
        except Exception:  # the download is over either way; its record is what is missing
            log.exception("the end of a download could not be recorded")


def watch(response: Response, *, app: Flask, database: Database, clock, share_id: str, document_ids: list[str],
          document_id: str | None, device: str, address: str, byte_range: str | None,
          on_first_download: Callable[[str], None]) -> Response:
    """Send `response` only while its share stays open, and record how the download ended.

    Each check and the closing record use a fresh short session: no transaction stays open while a large
    download runs. The record is the closing's own transaction; the case system is told after it commits."""
    def stops() -> str | None:
        with database.sessionmaker() as session:
            return service.download_stops(session, share_id, document_ids, clock.now())

    def ended(sent: int, reason: str | None) -> None:
        with app.app_context():
            with database.transaction() as session:
                share = session.get(Share, share_id)
                document = session.get(Document, document_id) if document_id else None
                first = audit.download_ended(session, share, clock.now(), device, document, sent=sent,
                                             length=length, reason=reason, byte_range=byte_range, address=address)
            if first:
                on_first_download(share_id)

    length = int(response.headers["Content-Length"])
    response.response = WatchedStream(response.response, length, stops, ended)
    return response
