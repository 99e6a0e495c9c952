"""Driving the Secure Share back-office API in tests: a keyed client and the links it emails."""
from __future__ import annotations

import re

from tests.unit.test_api_keys import bearer, make_key

# A real (tiny) PDF: typed by content as PDF, so the upload pipeline accepts it.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
NEW_SHARE = {"case_reference": "SAR-2026-0042", "recipient_name": "Jane Citizen",
             "recipient_email": "jane.citizen@example.com", "message": "Here is your response."}
LINK = re.compile(r"^(https?://\S+/documents/(\S+))$", re.M)


class ShareApi:
    def __init__(self, app, key: str | None = None):
        self.app = app
        self.client = app.test_client()
        self.headers = bearer(key or make_key(app, "shares:write"))

    def call(self, method: str, path: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def create(self, **fields) -> dict:
        response = self.call("POST", "/shares", json={**NEW_SHARE, **fields})
        assert response.status_code == 201, response.json
        return response.json

    def upload(self, share_id: str, data: bytes = PDF, filename: str | None = "letter.pdf", **kwargs):
        query = {"filename": filename} if filename is not None else {}
        query.update(kwargs.pop("query", {}))
        return self.call("POST", f"/shares/{share_id}/documents", data=data, query_string=query,
                         headers={"Content-Type": "application/pdf", **kwargs.pop("headers", {})}, **kwargs)

    def ready(self, **fields) -> dict:
        """A draft share holding one PDF."""
        share = self.create(**fields)
        response = self.upload(share["id"])
        assert response.status_code == 201, response.json
        return response.json["share"]

    def sent(self, **fields) -> dict:
        share = self.ready(**fields)
        response = self.call("POST", f"/shares/{share['id']}/send")
        assert response.status_code == 200, response.json
        return response.json


def links_in(mailer) -> list[str]:
    """Every share link emailed so far, oldest first."""
    return [match.group(1) for message in mailer.sent for match in LINK.finditer(message.body)]


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]
