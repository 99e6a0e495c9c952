"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives and fails on demand.

Use the `smtp_server` fixture, or `running_smtp_server(**smtp_parameters)` for a server with
options such as authentication.
"""
from __future__ import annotations

import contextlib
import dataclasses
import email
import email.message
import email.policy
from typing import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclasses.dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None  # the user name the client authenticated with, if any

    @property
    def parsed(self) -> email.message.EmailMessage:
        """The message as a mail reader shows it: wire CRLF line ends become local newlines."""
        return email.message_from_bytes(self.raw.replace(b"\r\n", b"\n"), policy=email.policy.default)


class RecordingHandler:
    """Accepts and records every message, unless told to refuse recipients or the message."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMessage] = []
        self.rcpt_reply: str | None = None  # "{address}" in it is replaced, as real relays quote it
        self.data_reply: str | None = None  # e.g. "451 4.3.0 Try again later"

    def reject_recipients(self, reply: str = "550 5.1.1 <{address}>: Recipient address rejected") -> None:
        self.rcpt_reply = reply

    def refuse_data(self, reply: str = "451 4.3.0 Temporary local problem, try again later") -> None:
        self.data_reply = reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply.replace("{address}", address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        login = session.auth_data.login.decode() if session.authenticated else None
        self.messages.append(
            ReceivedMessage(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content), login)
        )
        return "250 Message accepted for delivery"


class LoopbackController(Controller):
    """aiosmtpd's Controller, bound to a free port chosen by the OS (port 0) without a race."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def password_authenticator(login: str, password: str):
    """An aiosmtpd authenticator that accepts one login and password."""

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        expected = LoginPassword(login.encode(), password.encode())
        return AuthResult(success=auth_data == expected, handled=False, auth_data=auth_data)

    return authenticate


@dataclasses.dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def messages(self) -> list[ReceivedMessage]:
        return self.handler.messages


@contextlib.contextmanager
def running_smtp_server(**smtp_parameters) -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0, **smtp_parameters)
    controller.start()
    try:
        yield SmtpServer(controller.hostname, controller.port, handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server
