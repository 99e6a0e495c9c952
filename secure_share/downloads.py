"""Secure Share's downloads: a document under its title, or a zip of all of them, in constant memory.

The names, Content-Disposition and HTTP ranges are portal.downloads', shared with the Disclosure Log.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from flask import Response
from zipstream import ZIP_STORED, ZipStream

from portal.downloads import Plan, clean_name, content_disposition, file_response, range_not_satisfiable, shorten_name
from secure_share.models import Document

# A requester's documents are for them alone: never kept by a cache, never indexed.
_PRIVATE = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


# Names -------------------------------------------------------------------------------------

def download_name(document: Document) -> str:
    """The name the file is saved under: its title and the extension of its real type.

    '../../evil"<CR><LF>Set-Cookie: x=y' becomes 'evil_ Set-Cookie_ x=y.pdf': no separator, quote or
    line break survives, so neither a path nor a header can be built from it.
    """
    extension = document.kind.lower() or "bin"
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
