"""Disclosure Log downloads, an attachment and a nightly whole-log file: ranges and ETags as Secure Share's.

A journalist fetching a million-entry file over a poor connection resumes where it broke off (Range with
If-Range); a file that changed in between comes whole rather than spliced from two versions.
"""
from __future__ import annotations

import hashlib
import json

import pytest

from tests.disclosure_helpers import api  # noqa: F401 - a fixture
from tests.disclosure_samples import Text, pdf
from tests.fakes import FakeStore
from tests.unit.test_share_downloads import IF_RANGE_CASES

NIGHTLY = "/disclosure-log/downloads/disclosure-log.csv.gz"


def stored(store: FakeStore, suffix: str) -> tuple[str, bytes]:
    [(key, data)] = [(key, data) for key, data in store.files.items() if key.endswith(suffix)]
    return key, data


@pytest.fixture(params=["attachment", "nightly file"])
def download(request, app, api, client, services) -> tuple[str, bytes]:
    """Where one of the two downloads is, and the bytes the store holds for it."""
    if request.param == "attachment":
        data = pdf([Text(20, 30, "Annex B: gritting routes for the Quillmoor estate")])
        assert api.with_files("FOI-1", {"annex.pdf": data}).status_code == 201
        return client.get_page("/disclosure-log/FOI-1").select_one('a[href*="/files/"]')["href"], data
    api.publish("FOI-1")
    result = app.test_cli_runner().invoke(args=["disclosure-log", "export"])
    assert result.exit_code == 0, result.output
    return NIGHTLY, stored(services.store, "-disclosure-log.csv.gz")[1]


def etag_of(data: bytes) -> str:
    return f'"{hashlib.sha256(data).hexdigest()}"'


def test_a_whole_download_offers_ranges_and_a_strong_etag(client, download):
    url, data = download
    response = client.raw.get(url)
    assert response.status_code == 200 and response.data == data
    assert response.headers["Content-Length"] == str(len(data))
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"] == etag_of(data)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Content-Range" not in response.headers


@pytest.mark.parametrize("header, first, last", [
    ("bytes=0-0", 0, 0),
    ("bytes=10-19", 10, 19),
    ("bytes=100-", 100, None),  # open-ended: how a download resumes
    ("bytes=-50", -50, None),  # suffix: the last 50 bytes
    ("bytes=20-99999999", 20, None),  # an end past the file is clamped
])
def test_a_range_is_a_206_with_its_content_range(client, download, header, first, last):
    url, data = download
    size = len(data)
    first = size + first if first < 0 else first
    last = size - 1 if last is None else last
    response = client.raw.get(url, headers={"Range": header})
    assert response.status_code == 206
    assert response.data == data[first:last + 1]
    assert response.headers["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert response.headers["Content-Length"] == str(last - first + 1)
    assert response.headers["ETag"] == etag_of(data)


def test_several_ranges_or_an_invalid_one_get_the_whole_file(client, download):
    url, data = download
    for header in ("bytes=0-1,5-6", "bytes=5-2", "items=0-1"):
        response = client.raw.get(url, headers={"Range": header})
        assert (response.status_code, response.data) == (200, data), header


def test_a_range_past_the_end_is_a_416_page_with_the_size(client, download):
    url, data = download
    response = client.raw.get(url, headers={"Range": f"bytes={len(data)}-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(data)}"
    assert response.headers["ETag"] == etag_of(data)
    assert response.mimetype == "text/html" and data[:50] not in response.data
    assert "The part of the document asked for does not exist" in response.get_data(as_text=True)


@pytest.mark.parametrize("if_range, status", IF_RANGE_CASES)  # "same" is the file's own ETag
def test_if_range(client, download, if_range, status):
    url, data = download
    value = {"same": etag_of(data), "weak": f"W/{etag_of(data)}"}.get(if_range, if_range)
    response = client.raw.get(url, headers={"Range": "bytes=100-", "If-Range": value})
    assert response.status_code == status
    assert response.data == (data[100:] if status == 206 else data)


def test_a_nightly_file_listed_before_etags_were_kept_still_resumes(app, api, client, services):
    api.publish("FOI-1")
    assert app.test_cli_runner().invoke(args=["disclosure-log", "export"]).exit_code == 0
    key, manifest = stored(services.store, "exports/manifest.json")
    old = json.loads(manifest)
    for listed in old["files"]:
        del listed["sha256"]
    services.store.files[key] = json.dumps(old).encode()
    data = stored(services.store, "-disclosure-log.csv.gz")[1]
    resumed = client.raw.get(NIGHTLY, headers={"Range": "bytes=100-"})
    assert (resumed.status_code, resumed.data) == (206, data[100:]) and "ETag" not in resumed.headers
    guarded = client.raw.get(NIGHTLY, headers={"Range": "bytes=100-", "If-Range": etag_of(data)})
    assert (guarded.status_code, guarded.data) == (200, data)  # nothing to match it against: the whole file
