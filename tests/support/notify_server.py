"""A local HTTP server that answers POST /v2/notifications/email like GOV.UK Notify.

It checks the Bearer JWT the way Notify does (HS256, signed with the key's secret, `iss` is the
service id), records each request, and answers 400, 429 or 500 on demand. Use the
`notify_server` fixture; its `api_key` is a well-formed fake key.
"""
from __future__ import annotations

import dataclasses
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import jwt
import pytest

EMAIL_PATH = "/v2/notifications/email"

ERRORS = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    404: ("NotFoundError", "Not found"),
    429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
    500: ("Exception", "Internal server error"),
}


@dataclasses.dataclass(frozen=True)
class NotifyRequest:
    path: str
    body: dict
    issuer: str | None  # the JWT's `iss` claim, read without trusting the token
    token_valid: bool  # signed HS256 with the service's secret, with iat, and iss = service id


class NotifyServer:
    def __init__(self, service_id: str, secret: str):
        self.service_id = service_id
        self.secret = secret
        self.api_key = f"portal_test-{service_id}-{secret}"
        self.requests: list[NotifyRequest] = []
        self.fail_with: int | None = None
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        # A short poll interval lets stop() return quickly.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="notify-server", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def answer_with(self, status: int) -> None:
        self.fail_with = status

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def check_token(self, authorization: str) -> tuple[str | None, bool]:
        """The token's issuer and whether Notify would accept the token."""
        scheme, _, token = authorization.partition(" ")
        if scheme != "Bearer" or not token:
            return None, False
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
            claims = jwt.decode(token, self.secret, algorithms=["HS256"], options={"require": ["iss", "iat"]})
        except jwt.InvalidTokenError:
            return None, False
        return issuer, claims["iss"] == self.service_id

    def created(self, body: dict) -> dict:
        """The 201 body of a sent email, as documented for the Notify API v2."""
        notification_id = str(uuid.uuid4())
        personalisation = body.get("personalisation") or {}
        return {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": {
                "subject": personalisation.get("subject", ""),
                "body": personalisation.get("body", ""),
                "from_email": "example.service@notifications.service.gov.uk",
                "one_click_unsubscribe_url": None,
            },
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {
                "id": body.get("template_id"),
                "version": 1,
                "uri": f"{self.base_url}/services/{self.service_id}/templates/{body.get('template_id')}",
            },
        }


def _handler_for(server: NotifyServer) -> type[BaseHTTPRequestHandler]:
    class NotifyHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            issuer, valid = server.check_token(self.headers.get("Authorization", ""))
            server.requests.append(NotifyRequest(self.path, body, issuer, valid))
            if not valid:
                self._error(403)
            elif self.path != EMAIL_PATH:
                self._error(404)
            elif server.fail_with:
                self._error(server.fail_with)
            else:
                self._json(201, server.created(body))

        def _error(self, status: int) -> None:
            kind, message = ERRORS[status]
            self._json(status, {"errors": [{"error": kind, "message": message}], "status_code": status})

        def _json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:  # keep the test output clean
            pass

    return NotifyHandler


@pytest.fixture
def notify_server() -> Iterator[NotifyServer]:
    server = NotifyServer(service_id=str(uuid.uuid4()), secret=str(uuid.uuid4()))
    server.start()
    try:
        yield server
    finally:
        server.stop()
