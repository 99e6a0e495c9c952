"""Sending a stored file to a browser: a safe Content-Disposition, HTTP ranges, constant memory.

Ranges (RFC 9110 section 14): one satisfiable range -> 206 with Content-Range; one range past the
end -> 416 with `Content-Range: bytes */size`; several ranges -> the whole file with 200 (a server
may ignore Range, and download managers that resume ask for one range at a time, so a
multipart/byteranges body would be code without a user); an invalid or non-bytes Range, or an
If-Range that is not this file's strong ETag -> the whole file with 200.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Mapping
from urllib.parse import quote

from flask import Request, Response, make_response, request as current_request
from werkzeug.http import unquote_etag

from portal.adapters.ports import FileStore
from portal.errors import page as error_page

MAX_NAME = 150
# Characters no file system or header should get from a name: path separators, Windows' reserved ones, quotes.
_UNSAFE = re.compile(r'[\\/:*?"<>|;]+')
_NOT_SHOWN = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # control, format (bidi overrides), unassigned
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+&'=@!#$^~-]+")  # no %, backslash or quote: read literally everywhere
# RFC 8187 attr-char: what may stand unencoded in filename*
_ATTR_CHAR = "!#$&+-.^_`|~"


# Names -------------------------------------------------------------------------------------

def clean_name(text: str) -> str:
    """Text made fit for a file name: no separator, quote, control or direction-changing character."""
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(" " if unicodedata.category(ch) in _NOT_SHOWN else ch for ch in text)
    text = _UNSAFE.sub("_", text)
    return " ".join(text.split()).strip(" ._")


def shorten_name(stem: str, extension: str) -> str:
    """`stem.extension`, the stem cut so that the whole is at most MAX_NAME long."""
    room = MAX_NAME - len(extension) - 1
    return f"{stem[:room].rstrip(' ._')}.{extension}"


def ascii_fallback(name: str) -> str:
    """For the plain `filename=` parameter: ASCII only, nothing that needs quoting or escaping."""
    stem, _, extension = name.rpartition(".")
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    plain = " ".join(_ASCII_UNSAFE.sub("_", plain).split()).strip(" ._") or "document"
    extension = _ASCII_UNSAFE.sub("", unicodedata.normalize("NFKD", extension).encode("ascii", "ignore").decode()) or "bin"
    return shorten_name(plain, extension)


def content_disposition(name: str) -> str:
    """`attachment` with an ASCII fallback and the exact name as RFC 6266 / RFC 8187 `filename*`."""
    return f"attachment; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHAR)}"


# Ranges ------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Plan:
    status: int  # 200, 206 or 416
    start: int = 0
    end: int = -1  # inclusive; -1 for an empty body

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def plan_range(request: Request, size: int, etag: str | None) -> Plan:
    whole = Plan(200, 0, size - 1)
    wanted = request.range  # werkzeug's parser: None when absent or invalid (then it is ignored)
    if wanted is None or wanted.units != "bytes" or len(wanted.ranges) != 1:
        return whole
    if_range = request.headers.get("If-Range")
    if if_range is not None:
        tag, weak = unquote_etag(if_range)
        if weak or not etag or tag != etag:  # a date never matches: there is no Last-Modified to compare it with
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

def unsatisfiable_headers(size: int, etag: str | None) -> dict[str, str]:
    """For the 416 page: the size, so a client can ask again for a range that exists."""
    headers = {"Content-Range": f"bytes */{size}", "Accept-Ranges": "bytes"}
    if etag:
        headers["ETag"] = f'"{etag}"'
    return headers


def range_not_satisfiable(size: int, etag: str | None, headers: Mapping[str, str] | None = None):
    """The GOV.UK 416 page, with the headers a client needs to ask again."""
    html, status = error_page(416, "The part of the document asked for does not exist",
                              ["Download the document again from the start."])
    return html, status, {**unsatisfiable_headers(size, etag), **(headers or {})}


def file_response(store: FileStore, key: str, *, size: int, etag: str | None, content_type: str, filename: str,
                  plan: Plan, headers: Mapping[str, str] | None = None) -> Response:
    """The whole file (200) or the planned range (206), streamed from the store as it is read.

    The store is opened first, so a file missing from it is an error page rather than a broken download.
    `etag` is the file's strong validator (its SHA-256), quoted here."""
    all_headers = {"Content-Disposition": content_disposition(filename), **(headers or {}), "Accept-Ranges": "bytes",
                   "Content-Length": str(max(plan.length, 0))}
    if etag:
        all_headers["ETag"] = f'"{etag}"'
    if plan.status == 206:
        all_headers["Content-Range"] = f"bytes {plan.start}-{plan.end}/{size}"
    chunks = store.open(key, plan.start, plan.end) if size else iter(())
    return Response(chunks, plan.status, headers=all_headers, content_type=content_type, direct_passthrough=True)


def send_stored_file(store: FileStore, key: str, *, size: int, etag: str | None, content_type: str, filename: str,
                     headers: Mapping[str, str] | None = None) -> Response:
    """A file from the store as the request's Range and If-Range ask: 200, 206 or the 416 page."""
    plan = plan_range(current_request, size, etag)
    if plan.status == 416:
        return make_response(range_not_satisfiable(size, etag))
    return file_response(store, key, size=size, etag=etag, content_type=content_type, filename=filename,
                         plan=plan, headers=headers)
