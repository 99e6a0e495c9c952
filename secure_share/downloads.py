"""Streaming a document or a zip of all of them: safe names, HTTP ranges, constant memory.

Ranges (RFC 9110 section 14): one satisfiable range -> 206 with Content-Range; one range past the
end -> 416 with `Content-Range: bytes */size`; several ranges -> the whole document with 200 (a
server may ignore Range, and download managers that resume ask for one range at a time, so a
multipart/byteranges body would be code without a user); an invalid or non-bytes Range, or an
If-Range that is not this document's strong ETag -> the whole document with 200.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Iterable, Iterator
from urllib.parse import quote

from flask import Request, Response
from werkzeug.http import unquote_etag
from zipstream import ZIP_STORED, ZipStream

from secure_share.models import Document

MAX_NAME = 150
# Characters no file system or header should get from a name: path separators, Windows' reserved ones, quotes.
_UNSAFE = re.compile(r'[\\/:*?"<>|;]+')
_NOT_SHOWN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # control, format (bidi overrides), unassigned
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+&'=@!#$^~-]+")  # no %, backslash or quote: read literally everywhere
# RFC 8187 attr-char: what may stand unencoded in filename*
_ATTR_CHAR = "!#$&+-.^_`|~"


# Names -------------------------------------------------------------------------------------

def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(" " if unicodedata.category(ch) in _NOT_SHOWN else ch for ch in text)
    text = _UNSAFE.sub("_", text)
    return " ".join(text.split()).strip(" ._")


def _shorten(stem: str, extension: str) -> str:
    room = MAX_NAME - len(extension) - 1
    return f"{stem[:room].rstrip(' ._')}.{extension}"


def download_name(document: Document) -> str:
    """The name the file is saved under: its title and the extension of its real type.

    '../../evil"<CR><LF>Set-Cookie: x=y' becomes 'evil_ Set-Cookie_ x=y.pdf': no separator, quote or
    line break survives, so neither a path nor a header can be built from it.
    """
    extension = document.kind.lower() or "bin"
    stem = _clean(document.title)
    if stem.lower().endswith(f".{extension}"):
        stem = stem[: -len(extension) - 1].rstrip(" ._")
    return _shorten(stem or "document", extension)


def ascii_fallback(name: str) -> str:
    """For the plain `filename=` parameter: ASCII only, nothing that needs quoting or escaping."""
    stem, _, extension = name.rpartition(".")
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    plain = " ".join(_ASCII_UNSAFE.sub("_", plain).split()).strip(" ._") or "document"
    extension = _ASCII_UNSAFE.sub("", unicodedata.normalize("NFKD", extension).encode("ascii", "ignore").decode()) or "bin"
    return _shorten(plain, extension)


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the exact name as RFC 6266 / RFC 8187 `filename*`."""
    return f"attachment; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHAR)}"


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


# Ranges ------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Plan:
    status: int  # 200, 206 or 416
    start: int = 0
    end: int = -1  # inclusive; -1 for an empty body

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def plan_range(request: Request, size: int, etag: str) -> Plan:
    whole = Plan(200, 0, size - 1)
    wanted = request.range  # werkzeug's parser: None when absent or invalid (then it is ignored)
    if wanted is None or wanted.units != "bytes" or len(wanted.ranges) != 1:
        return whole
    if_range = request.headers.get("If-Range")
    if if_range is not None:
        tag, weak = unquote_etag(if_range)
        if weak or tag != etag:  # a date never matches: there is no Last-Modified to compare it with
            return whole
    start, stop = wanted.ranges[0]
    if start < 0:  # suffix: the last N bytes, or all of them when N is more than the size
        if size == 0:
            return Plan(416)
        return Plan(206, max(0, size + start), size - 1)
    if start >= size:
        return Plan(416)
    end = size - 1 if stop is None else min(stop - 1, size - 1)
    return Plan(206, start, end)


# Responses ---------------------------------------------------------------------------------

def _common_headers(name: str) -> dict[str, str]:
    return {"Content-Disposition": content_disposition(name), "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


def unsatisfiable_headers(document: Document) -> dict[str, str]:
    """For the 416 page: the size, so a client can ask again for a range that exists."""
    return {"Content-Range": f"bytes */{document.size}", "Accept-Ranges": "bytes", "ETag": f'"{document.sha256}"',
            "X-Robots-Tag": "noindex, nofollow"}


def document_response(store, document: Document, plan: Plan) -> Response:
    """Open the store first (a missing file is a 404 page, not a broken download), then stream."""
    headers = {**_common_headers(download_name(document)), "ETag": f'"{document.sha256}"', "Accept-Ranges": "bytes"}
    chunks = store.open(document.store_key, plan.start, plan.end) if document.size else iter(())
    headers["Content-Length"] = str(max(plan.length, 0))
    if plan.status == 206:
        headers["Content-Range"] = f"bytes {plan.start}-{plan.end}/{document.size}"
    return Response(chunks, plan.status, headers=headers, content_type=document.content_type,
                    direct_passthrough=True)


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
    headers = {**_common_headers(_shorten(_clean(stem) or "documents", "zip")), "Content-Length": str(len(archive)), "Accept-Ranges": "none"}
    return Response(iter(archive), 200, headers=headers, content_type="application/zip", direct_passthrough=True)
