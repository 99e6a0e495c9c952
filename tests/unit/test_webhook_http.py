"""The HTTP webhook adapter against a real receiver on 127.0.0.1: signed JSON, and what each answer means."""
from __future__ import annotations

import http.server
import json
import socket
import threading
import time

import pytest

from portal.adapters.webhook_http import HttpWebhookSender
from portal.exceptions import WebhookFailed, WebhookRejected
from portal.services import Services
from portal.signing import verify
from tests.conftest import TEST_SECRETS, make_settings

SECRET = TEST_SECRETS["CASE_SYSTEM_SECRET"]
BODY = {"event": "removed", "share_id": "a1b2c3", "case_reference": "SAR-2026-0042", "note": "Zoë’s"}


class Receiver:
    """A case system's webhook endpoint: records what arrives, answers `status` (a redirect's Location is /moved)."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 204
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
                self.send_response(receiver.status)
                self.send_header("Location", "/moved")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/shares"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def receiver():
    server = Receiver()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def send(receiver: Receiver, sender: HttpWebhookSender | None = None) -> int:
    return (sender or HttpWebhookSender(SECRET, timeout=5)).send(receiver.url, "removed", BODY, "a1b2c3:removed")


def test_an_event_is_posted_as_signed_json(receiver):
    assert send(receiver) == 204
    [request] = receiver.received
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hooks/shares" and headers["Content-Type"] == "application/json"
    assert json.loads(body) == BODY
    assert headers["Idempotency-Key"] == "a1b2c3:removed" and headers["X-Portal-Event"] == "removed"
    assert verify(SECRET, headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"], now=time.time())
    assert not verify("another secret", headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"],
                      now=time.time())


def test_the_portal_sends_webhooks_signed_with_the_case_system_secret(receiver, tmp_path):
    sender = Services.from_settings(make_settings(tmp_path)).webhooks
    assert send(receiver, sender) == 204
    headers, body = receiver.received[0]["headers"], receiver.received[0]["body"]
    assert verify(SECRET, headers["X-Portal-Timestamp"], body, headers["X-Portal-Signature"], now=time.time())


@pytest.mark.parametrize("status", [200, 201, 202, 204, 409])  # 409: it had the event already
def test_a_receiver_that_took_the_event_gives_its_status(receiver, status):
    receiver.status = status
    assert send(receiver) == status


@pytest.mark.parametrize("status", [500, 502, 503, 408, 425, 429, 401, 403, 302])
def test_an_answer_that_may_change_is_a_failure_to_retry(receiver, status):
    receiver.status = status
    with pytest.raises(WebhookFailed, match=f"answered {status}"):
        send(receiver)
    assert [r["path"] for r in receiver.received] == ["/hooks/shares"]  # a redirect is not followed


@pytest.mark.parametrize("status", [400, 404, 410, 422])
def test_a_refused_event_is_rejected_for_good(receiver, status):
    receiver.status = status
    with pytest.raises(WebhookRejected, match=f"answered {status}"):
        send(receiver)


def test_an_unreachable_receiver_is_a_failure_to_retry():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(WebhookFailed, match="unreachable: ConnectionError"):
        HttpWebhookSender(SECRET, timeout=2).send(f"http://127.0.0.1:{port}/hooks", "removed", BODY, "a1b2c3:removed")
