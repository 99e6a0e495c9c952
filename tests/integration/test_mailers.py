"""The three mailers against real components: an aiosmtpd server, a Notify-like HTTP server, a folder."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import logging
import socket
import uuid

import pytest

from portal.adapters.mail_common import MailRejected
from portal.adapters.mail_notify import NotifyMailer
from portal.adapters.mail_outbox import OutboxMailer
from portal.adapters.mail_smtp import SmtpMailer
from portal.adapters.ports import EmailMessage
from portal.exceptions import MailerUnavailable
from tests.support.notify_server import EMAIL_PATH, NotifyServer, notify_server  # noqa: F401
from tests.support.smtp import SmtpServer, password_authenticator, running_smtp_server, smtp_server  # noqa: F401

pytestmark = pytest.mark.integration

ADDRESS = "renee.dupont@example.com"
LINK = "https://portal.example.gov.uk/share/sign-in/IjEyMyI.abc"
MESSAGE = EmailMessage(
    to=ADDRESS,
    subject="Your documents from Café Council are ready",
    body=f"Dear Renée Dupont,\n\nThe fee for copies is £10.\n\nSign in to download them:\n{LINK}\n",
    reference="FOI-2024-000123",
)
MAIL_FROM = "Example Council <no-reply@example.gov.uk>"
# As long as an alert's real link: far past the 78 characters at which a header line is usually folded.
UNSUBSCRIBE = ("https://portal.example.gov.uk/disclosure-log/email-alerts/unsubscribe/"
               "WzEsIjZhYjRmMDJiYzQzYjE5ODQiXQ.aw7m7A.B2eVqjc4oE-EdHUAI6y8u6PQ4M0")
ALERT = EmailMessage(to=ADDRESS, subject="2 new responses matching ‘café’", body=f"Two.\n\n{UNSUBSCRIBE}\n",
                     unsubscribe_url=UNSUBSCRIBE)
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on: the OS picked it free and we let it go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def logged(caplog) -> str:
    """What the portal and the clients it uses logged; the test SMTP server's own log is not ours."""
    return "\n".join(record.getMessage() for record in caplog.records if record.name != "mail.log")


def assert_no_personal_data(text: str) -> None:
    for secret in (ADDRESS, "Renée", "Dupont", "£10"):
        assert secret not in text


# SMTP


def smtp_mailer(server: SmtpServer, **options) -> SmtpMailer:
    return SmtpMailer(server.host, server.port, mail_from=MAIL_FROM, timeout=5, **options)


def test_smtp_delivers_the_message_with_its_headers_and_utf8_body(smtp_server):
    smtp_mailer(smtp_server).send(MESSAGE)

    [received] = smtp_server.messages
    assert received.mail_from == "no-reply@example.gov.uk"
    assert received.rcpt_tos == [ADDRESS]
    assert received.raw.isascii()  # 7-bit safe: no relay needs 8BITMIME or SMTPUTF8
    parsed = received.parsed
    assert parsed["From"] == MAIL_FROM
    assert parsed["To"] == ADDRESS
    assert parsed["Subject"] == MESSAGE.subject
    assert parsed["Message-ID"].endswith("@example.gov.uk>")
    sent_at = email.utils.parsedate_to_datetime(parsed["Date"])
    assert abs(dt.datetime.now(dt.timezone.utc) - sent_at) < dt.timedelta(minutes=1)
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_content() == MESSAGE.body


def test_smtp_logs_the_reference_but_never_the_address(smtp_server, caplog):
    caplog.set_level(logging.INFO, logger="portal.adapters.mail_smtp")

    smtp_mailer(smtp_server).send(MESSAGE)

    assert "email sent by SMTP reference=FOI-2024-000123 message_id=" in logged(caplog)
    assert_no_personal_data(logged(caplog))


def test_smtp_logs_in_when_a_username_is_set():
    authenticator = password_authenticator("portal", "relay-password")
    with running_smtp_server(auth_require_tls=False, authenticator=authenticator) as server:
        smtp_mailer(server, username="portal", password="relay-password").send(MESSAGE)

        [received] = server.messages
        assert received.login == "portal"


def test_smtp_wrong_password_is_retried_not_dropped():
    """A bad relay password is fixed by an operator; the messages must still go out afterwards."""
    authenticator = password_authenticator("portal", "relay-password")
    with running_smtp_server(auth_require_tls=False, authenticator=authenticator) as server:
        with pytest.raises(MailerUnavailable):
            smtp_mailer(server, username="portal", password="wrong").send(MESSAGE)

        assert server.messages == []


def test_smtp_refused_recipient_is_rejected_without_quoting_the_address(smtp_server, caplog):
    smtp_server.handler.reject_recipients("550 5.1.1 <{address}>: Recipient address rejected")

    with pytest.raises(MailRejected) as raised:
        smtp_mailer(smtp_server).send(MESSAGE)

    assert "550" in str(raised.value)
    assert raised.value.__suppress_context__  # the smtplib error quoting the address stays out of tracebacks
    assert "email not sent reference=FOI-2024-000123" in logged(caplog)
    assert_no_personal_data(str(raised.value) + logged(caplog))
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    "refuse, reply, expected",
    [
        ("reject_recipients", "451 4.7.1 Greylisted, try again later", MailerUnavailable),
        ("refuse_data", "451 4.3.0 Temporary local problem, try again later", MailerUnavailable),
        ("refuse_data", "421 4.3.2 Service shutting down", MailerUnavailable),
        ("refuse_data", "554 5.6.0 Message content rejected", MailRejected),
    ],
)
def test_smtp_replies_are_sorted_into_temporary_and_permanent(smtp_server, refuse, reply, expected):
    getattr(smtp_server.handler, refuse)(reply)

    with pytest.raises(expected):
        smtp_mailer(smtp_server).send(MESSAGE)

    assert smtp_server.messages == []


def test_smtp_server_down_is_temporary(unused_port):
    mailer = SmtpMailer("127.0.0.1", unused_port, mail_from=MAIL_FROM, timeout=5)

    with pytest.raises(MailerUnavailable):
        mailer.send(MESSAGE)


def test_smtp_mailer_refuses_a_from_address_without_a_domain():
    with pytest.raises(ValueError, match="MAIL_FROM"):
        SmtpMailer("127.0.0.1", 25, mail_from="no-reply")


def test_smtp_carries_the_one_click_unsubscribe_headers_whole(smtp_server):
    smtp_mailer(smtp_server).send(ALERT)
    smtp_mailer(smtp_server).send(MESSAGE)

    alert, other = smtp_server.messages
    # RFC 8058: the URL in angle brackets on one line, as written (no encoded words), and the one-click POST body.
    assert f"\r\nList-Unsubscribe: <{UNSUBSCRIBE}>\r\n".encode() in alert.raw
    assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in alert.raw
    assert alert.parsed["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert alert.parsed["Subject"] == ALERT.subject
    assert "List-Unsubscribe" not in other.parsed and "List-Unsubscribe-Post" not in other.parsed


@pytest.mark.parametrize("url", [UNSUBSCRIBE + "\r\nBcc: someone@example.com", UNSUBSCRIBE + ">, <mailto:x@y",
                                 "https://portal.example.gov.uk/café", "https://x.example/" + "a" * 1000])
def test_an_unsubscribe_link_that_cannot_be_a_header_is_rejected_not_sent(smtp_server, url):
    with pytest.raises(MailRejected):
        smtp_mailer(smtp_server).send(EmailMessage(to=ADDRESS, subject="s", body="b", unsubscribe_url=url))
    assert smtp_server.messages == []


# GOV.UK Notify


def notify_mailer(server: NotifyServer, api_key: str | None = None) -> NotifyMailer:
    return NotifyMailer(api_key or server.api_key, TEMPLATE_ID, server.base_url)


def test_notify_sends_the_template_with_subject_body_and_reference(notify_server, caplog):
    caplog.set_level(logging.INFO, logger="portal.adapters.mail_notify")

    notify_mailer(notify_server).send(MESSAGE)

    [request] = notify_server.requests
    assert request.path == EMAIL_PATH
    assert request.body == {
        "email_address": ADDRESS,
        "template_id": TEMPLATE_ID,
        "personalisation": {"subject": MESSAGE.subject, "body": MESSAGE.body},
        "reference": "FOI-2024-000123",
    }
    assert request.issuer == notify_server.service_id
    assert request.token_valid
    assert "email sent by Notify reference=FOI-2024-000123 message_id=" in logged(caplog)
    assert_no_personal_data(logged(caplog))


def test_notify_is_given_the_one_click_unsubscribe_link(notify_server):
    notify_mailer(notify_server).send(ALERT)

    [request] = notify_server.requests
    assert request.body["one_click_unsubscribe_url"] == UNSUBSCRIBE  # Notify sets the List-Unsubscribe headers


def test_notify_bad_request_is_rejected(notify_server, caplog):
    notify_server.answer_with(400)

    with pytest.raises(MailRejected, match="400"):
        notify_mailer(notify_server).send(MESSAGE)

    assert "BadRequestError" in logged(caplog)
    assert_no_personal_data(logged(caplog))


def test_notify_refusing_the_key_is_rejected(notify_server):
    other_secret = notify_server.api_key.replace(notify_server.secret, str(uuid.uuid4()))

    with pytest.raises(MailRejected, match="403"):
        notify_mailer(notify_server, api_key=other_secret).send(MESSAGE)

    [request] = notify_server.requests
    assert not request.token_valid


@pytest.mark.parametrize("status", [429, 500])
def test_notify_rate_limit_and_server_error_are_temporary(notify_server, status):
    notify_server.answer_with(status)

    with pytest.raises(MailerUnavailable):
        notify_mailer(notify_server).send(MESSAGE)

    assert len(notify_server.requests) == 1


def test_notify_down_is_temporary(unused_port):
    mailer = NotifyMailer(f"portal_test-{uuid.uuid4()}-{uuid.uuid4()}", TEMPLATE_ID, f"http://127.0.0.1:{unused_port}")

    with pytest.raises(MailerUnavailable):
        mailer.send(MESSAGE)


@pytest.mark.parametrize("api_key", ["", "not-a-key", "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b"])
def test_notify_mailer_refuses_a_malformed_key_without_echoing_it(api_key):
    with pytest.raises(ValueError, match="NOTIFY_API_KEY") as raised:
        NotifyMailer(api_key, TEMPLATE_ID, "https://api.notifications.service.gov.uk")

    assert not api_key or api_key not in str(raised.value)


# Outbox


def test_outbox_writes_an_eml_file_that_parses_back(tmp_path):
    folder = tmp_path / "var" / "outbox"  # created on first use

    OutboxMailer(folder, mail_from=MAIL_FROM).send(MESSAGE)

    [written] = list(folder.iterdir())
    assert written.suffix == ".eml"
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == ADDRESS
    assert parsed["From"] == MAIL_FROM
    assert parsed["Subject"] == MESSAGE.subject
    assert parsed.get_content() == MESSAGE.body


def test_outbox_eml_file_has_the_one_click_unsubscribe_headers(tmp_path):
    OutboxMailer(tmp_path, mail_from=MAIL_FROM).send(ALERT)

    [written] = list(tmp_path.iterdir())
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_outbox_logs_the_link_and_reference_but_not_the_address(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="portal.adapters.mail_outbox")

    OutboxMailer(tmp_path).send(MESSAGE)

    [written] = list(tmp_path.iterdir())
    [record] = caplog.records
    line = record.getMessage()
    assert line.startswith("email written to outbox reference=FOI-2024-000123 message_id=")
    assert f"file={written.name}" in line
    assert LINK in line
    assert_no_personal_data(line)


def test_outbox_file_names_sort_in_sending_order(tmp_path):
    mailer = OutboxMailer(tmp_path)
    subjects = [f"Message {number}" for number in range(3)]
    for subject in subjects:
        mailer.send(EmailMessage(to=ADDRESS, subject=subject, body="Hello\n"))

    files = sorted(path for path in tmp_path.iterdir())
    read_back = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)["Subject"] for path in files]
    assert read_back == subjects


def test_outbox_unwritable_folder_is_temporary(tmp_path):
    blocked = tmp_path / "outbox"
    blocked.write_text("a file where the folder should be")

    with pytest.raises(MailerUnavailable):
        OutboxMailer(blocked).send(MESSAGE)


def test_a_subject_with_a_line_break_is_rejected_not_retried(tmp_path):
    injected = EmailMessage(to=ADDRESS, subject="Hello\r\nBcc: someone@example.com", body="Hi\n")

    with pytest.raises(MailRejected):
        OutboxMailer(tmp_path).send(injected)

    assert list(tmp_path.iterdir()) == []
