"""The page-test helper every view test uses: fetch a page and check the invariants of a GOV.UK page."""
from __future__ import annotations

import collections
import re

from bs4 import BeautifulSoup


def check_page(html: str) -> BeautifulSoup:
    """One <h1>; the title starts with the h1 (after any 'Error: ', or 'Gwall: ' in Welsh); no duplicate ids;
    a nonce on every <script>; a CSRF token in every POST form."""
    soup = BeautifulSoup(html, "html.parser")
    headings = soup.find_all("h1")
    assert len(headings) == 1, f"expected one <h1>, found {len(headings)}"
    h1 = " ".join(headings[0].get_text().split())
    title = " ".join(soup.title.get_text().split())
    assert title.removeprefix("Error: ").removeprefix("Gwall: ").startswith(h1), \
        f"title {title!r} does not start with the h1 {h1!r}"
    assert re.search(r" - [^-]+ - [^-]+\Z", title), f"title {title!r} does not end with the service and the body"
    ids = collections.Counter(tag["id"] for tag in soup.find_all(id=True))
    duplicates = [i for i, n in ids.items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    for script in soup.find_all("script"):
        assert script.get("nonce"), f"script without a nonce: {str(script)[:80]}"
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() == "post":
            token = form.find("input", attrs={"name": "csrf_token"})
            assert token is not None and token.get("value"), f"POST form without a CSRF token: {form.get('action')}"
    return soup


class PageClient:
    """A Flask test client whose page fetches check the GOV.UK invariants."""

    def __init__(self, app):
        self.app = app
        self.raw = app.test_client()

    def __getattr__(self, name):
        return getattr(self.raw, name)

    def get_page(self, url: str, status: int = 200, **kwargs) -> BeautifulSoup:
        response = self.raw.get(url, **kwargs)
        assert response.status_code == status, f"GET {url}: {response.status_code}, expected {status}"
        assert response.mimetype == "text/html"
        return check_page(response.get_data(as_text=True))

    def post_page(self, url: str, data=None, status: int = 200, **kwargs) -> BeautifulSoup:
        response = self.raw.post(url, data=data, **kwargs)
        assert response.status_code == status, f"POST {url}: {response.status_code}, expected {status}"
        return check_page(response.get_data(as_text=True))

    def csrf_token(self, url: str) -> str:
        soup = self.get_page(url)
        return soup.find("input", attrs={"name": "csrf_token"})["value"]


def text_of(soup: BeautifulSoup) -> str:
    return re.sub(r"\s+", " ", soup.get_text()).strip()
