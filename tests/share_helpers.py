"""Making shares with the domain service and signing in to them through the test client, as a requester would."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import sys
import types

import pytest
from bs4 import BeautifulSoup

from secure_share import links, service
from secure_share.models import Document, Share
from tests.pages import check_page

CODE = re.compile(r"\b(\d{6}) is your security code")


def pdf(size: int = 2000, seed: int = 1) -> bytes:
    """A PDF by its signature, `size` bytes long, with bytes that differ by position (ranges are checked)."""
    body = bytes((i * 7 + seed) % 251 for i in range(size))
    return (b"%PDF-1.7\n" + body)[:size]


@dataclasses.dataclass
class MadeShare:
    id: str
    token: str
    documents: list[str]  # ids, in upload order
    data: dict[str, bytes]  # document id -> bytes

    @property
    def url(self) -> str:
        return f"/documents/{self.token}"


def make_share(app, services, documents=None, *, expires_at: dt.datetime | None = None, days: int | None = None,
               message: str = "", email: str = "jane.smith@example.com", reference: str = "SAR-2026-000123") -> MadeShare:
    """A sent share, through service.create_share/add_document/send with the fake store and scanner."""
    documents = documents if documents is not None else [("John Smith medical records.pdf", pdf())]
    settings = app.config["PORTAL_SETTINGS"]
    data = {"case_reference": reference, "recipient_name": "Jane Smith", "recipient_email": email, "message": message}
    if expires_at is not None:
        data["expires_at"] = expires_at.isoformat()
    if days is not None:
        data["expires_in_days"] = days
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        share = service.create_share(session, services.clock.now(), settings, data)
        ids, contents = [], {}
        for name, content in documents:
            session.commit()  # add_document stores the file with no transaction open
            document = service.add_document(session, share, io.BytesIO(content), name, None, services, settings)
            ids.append(document.id)
            contents[document.id] = content
        service.send(session, share, services.clock.now())
        session.commit()
        return MadeShare(share.id, links.make_token(settings.secret_key, share.id, share.link_version), ids, contents)


@pytest.fixture
def notices(monkeypatch) -> list[tuple[str, str]]:
    """What the case system is told, through a stand-in for secure_share.jobs (its file deletions are the real ones)."""
    from secure_share import jobs

    told: list[tuple[str, str]] = []
    fake = types.ModuleType("secure_share.jobs")
    fake.notify_case_system = lambda share_id, event: told.append((share_id, event))
    fake.delete_share_files, fake.delete_document_file = jobs.delete_share_files, jobs.delete_document_file
    monkeypatch.setitem(sys.modules, "secure_share.jobs", fake)
    return told


def change(app, share_id: str, fn) -> None:
    """Change a share in the database as the back office (or a test) would: fn(session, share)."""
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        fn(session, session.get(Share, share_id))
        session.commit()


def change_document(app, document_id: str, **values) -> None:
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        document = session.get(Document, document_id)
        for key, value in values.items():
            setattr(document, key, value)
        session.commit()


def csrf_from(html: str) -> str:
    token = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "csrf_token"})
    return token["value"] if token else ""


def post_from(client, page_url: str, url: str, data: dict | None = None):
    """GET page_url (checked) for its CSRF token, then POST to url."""
    page = client.raw.get(page_url)
    assert page.status_code == 200, f"GET {page_url}: {page.status_code}"
    check_page(page.get_data(as_text=True))
    return client.raw.post(url, data={"csrf_token": csrf_from(page.get_data(as_text=True)), **(data or {})})


def last_code(mailer) -> str:
    return CODE.search(mailer.sent[-1].subject).group(1)


def ask_for_code(client, share: MadeShare):
    response = post_from(client, share.url, f"{share.url}/code")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{share.url}/code"), response.status_code
    return response


def enter_code(client, share: MadeShare, code: str):
    return post_from(client, f"{share.url}/code", f"{share.url}/sign-in", {"code": code})


def sign_in(client, share: MadeShare, mailer) -> None:
    ask_for_code(client, share)
    response = enter_code(client, share, last_code(mailer))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{share.url}/files"), response.status_code


def session_cookie(client) -> str | None:
    cookie = client.raw.get_cookie("share_session", path="/documents")
    return cookie.value if cookie else None


def errors_in(response) -> list[str]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [li.get_text(strip=True) for li in soup.select(".govuk-error-summary__list li")]
