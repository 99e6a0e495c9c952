"""flask share ...: operators create, fill, send and close shares; `flask seed-demo` makes a demo share.

Each command commits once its service calls succeed (they never commit), before it queues an email or a job."""
from __future__ import annotations

import io
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.current import now as _now, services as _services, settings as _settings
from portal.dates import govuk_datetime
from portal.db import get_db
from portal.exceptions import PortalError
from portal import outbox
from portal.jobs import after_commit, send_after_commit
from portal.uploads import UploadRejected
from secure_share import audit, link_email, service

share_cli = AppGroup("share", help="Secure Share: share response documents with a requester.")

STATUSES = ("draft", "sent", "locked", "revoked", "removed", "expired")
DEMO_REFERENCE = "SAR-DEMO-0001"


def _call(action):
    """Run a service call; a domain error becomes a one-line message and a non-zero exit."""
    try:
        return action()
    except PortalError as exc:
        raise click.ClickException(exc.detail) from None
    except UploadRejected as exc:
        raise click.ClickException(exc.message) from None


def _expiry(days, expires_at) -> dict:
    return {"expires_in_days": days, "expires_at": expires_at}


def _describe(share) -> str:
    return (f"{share.id}  {share.case_reference}  {share.status}  expires {govuk_datetime(share.expires_at)}  "
            f"{len(service.live_documents(share))} document(s)")


@share_cli.command("create", help="Create a draft share; prints its id.")
@click.option("--case-reference", required=True)
@click.option("--name", "recipient_name", required=True, help="The requester's name.")
@click.option("--email", "recipient_email", required=True, help="The requester's email address.")
@click.option("--days", type=int, help="Days until the documents are removed (default from settings).")
@click.option("--expires-at", help="Or an exact time, ISO 8601 with a time zone.")
@click.option("--message", default="", help="A message for the requester, shown in the email.")
@click.option("--webhook-url", default="", help="Where to tell the case system about downloads.")
@click.option("--language", type=click.Choice(["en", "cy"]), help="The requester's language (default DEFAULT_LANGUAGE).")
def create(case_reference, recipient_name, recipient_email, days, expires_at, message, webhook_url, language):
    data = {"case_reference": case_reference, "recipient_name": recipient_name, "recipient_email": recipient_email,
            "message": message, "webhook_url": webhook_url, **_expiry(days, expires_at),
            **({"language": language} if language else {})}
    with get_db().sessionmaker() as session:
        share = _call(lambda: service.create_share(session, _now(), _settings(), data))
        session.commit()
        click.echo(f"created {_describe(share)}")


@share_cli.command("add-document", help="Add one document (type checked, virus scanned, encrypted).")
@click.argument("share_id")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", help="As the requester sees it (default: the file name without its extension).")
def add_document(share_id, path, title):
    with get_db().sessionmaker() as session, path.open("rb") as stream:
        share = _call(lambda: service.open_share(session, share_id, _now()))
        session.commit()  # an expiry applied on the way is kept, and no transaction stays open during the upload
        document = _call(lambda: service.add_document(session, share, stream, path.name, title, _services(),
                                                      _settings()))
        session.commit()
        click.echo(f"added {document.id}  {document.title} ({document.kind}, {document.size} bytes)")


@share_cli.command("remove-document", help="Remove one document from a share and delete its file.")
@click.argument("share_id")
@click.argument("document_id")
def remove_document(share_id, document_id):
    from secure_share.jobs import delete_document_file

    with get_db().sessionmaker() as session:
        share = _call(lambda: service.open_share(session, share_id, _now()))
        _call(lambda: service.remove_document(session, share, document_id, _now()))
        session.commit()  # the document is out of the share before its file is deleted
    after_commit(f"the deletion of document {document_id}'s file", delete_document_file, document_id)
    click.echo(f"removed {document_id}")


def _send(share_id: str, resend: bool) -> None:
    settings = _settings()
    with get_db().sessionmaker() as session:
        share = _call(lambda: service.open_share(session, share_id, _now()))
        link = _call(lambda: service.send_link(session, share, _now(), settings, resend=resend))
        language = service.share_language(share, settings)
        email_id = outbox.add(session, link_email.link_email(share, link, settings, language, resend=resend), _now())
        session.commit()  # the working link and its email together
        send_after_commit(email_id)
        click.echo(f"{'resent' if resend else 'sent'} to the requester's email; the link is:")
        click.echo(link)


@share_cli.command("send", help="Email the requester the link; prints it too.")
@click.argument("share_id")
def send(share_id):
    _send(share_id, resend=False)


@share_cli.command("resend", help="Email a fresh link; every earlier link stops working.")
@click.argument("share_id")
def resend(share_id):
    _send(share_id, resend=True)


@share_cli.command("revoke", help="Stop the link working at once; the files are deleted within a minute.")
@click.argument("share_id")
def revoke(share_id):
    with get_db().sessionmaker() as session:
        share = _call(lambda: service.open_share(session, share_id, _now()))
        _call(lambda: service.revoke(session, share, _now()))
        session.commit()
        click.echo(f"revoked {_describe(share)}")


@share_cli.command("extend", help="Change when the documents are removed.")
@click.argument("share_id")
@click.option("--days", type=int, help="Days from now.")
@click.option("--expires-at", help="Or an exact time, ISO 8601 with a time zone.")
def extend(share_id, days, expires_at):
    if days is None and not expires_at:
        raise click.UsageError("give --days or --expires-at")
    with get_db().sessionmaker() as session:
        share = _call(lambda: service.open_share(session, share_id, _now()))
        _call(lambda: service.extend(session, share, _now(), _settings(), _expiry(days, expires_at)))
        session.commit()
        click.echo(f"extended {_describe(share)}")


@share_cli.command("events", help="The audit trail of one share, oldest first.")
@click.argument("share_id")
def events(share_id):
    with get_db().sessionmaker() as session:
        share = _call(lambda: service.get_share(session, share_id))
        for event in audit.events_json(session, share):
            extras = [f"document {event['document_id']}" if event["document_id"] else "", event["device"] or ""]
            click.echo("  ".join([event["at"], event["event"], event["actor"], *filter(None, extras)]))


@share_cli.command("list", help="Shares, newest first.")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--case-reference")
@click.option("--limit", default=50, show_default=True)
def list_shares(status, case_reference, limit):
    with get_db().sessionmaker() as session:
        shares = service.list_shares(session, status=status, case_reference=case_reference, limit=limit)
        if not shares:
            click.echo("no shares")
        for share in shares:
            click.echo(_describe(share))


# The demo share for `make run` ---------------------------------------------------------------

def demo_letter_pdf(lines: list[str]) -> bytes:
    """A one-page PDF letter, built by hand so the demo needs no PDF library."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = "BT /F1 12 Tf 72 770 Td 16 TL " + " ".join(f"({escape(line)}) '" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _demo_documents(settings) -> list[tuple[str, str, bytes]]:
    letter = demo_letter_pdf([
        settings.public_body_name, "", "Dear Sam Demo,", "",
        f"Your subject access request, reference {DEMO_REFERENCE}",
        "", "We enclose the personal information we hold about you.",
        "This is a demonstration document: it contains no real personal data.", "",
        "Yours sincerely,", "Information Rights Team",
    ])
    notes = ("Case notes for Sam Demo\n\n"
             "A demonstration text file shared through Secure Share.\n"
             "It contains no real personal data.\n").encode()
    return [("Sam Demo SAR response letter.pdf", "Sam Demo SAR response letter", letter),
            ("Sam Demo case notes.txt", "Sam Demo case notes", notes)]


def _create_demo_share(session, settings, services):
    share = service.create_share(session, services.clock.now(), settings, {
        "case_reference": DEMO_REFERENCE, "recipient_name": "Sam Demo", "recipient_email": "sam.demo@example.com",
        "message": "Here is the response to your subject access request."})
    for filename, title, data in _demo_documents(settings):
        session.commit()  # add_document stores the file with no transaction open
        service.add_document(session, share, io.BytesIO(data), filename, title, services, settings)
    return share


def seed_demo_share() -> list[str]:
    """A demo seeder (`flask seed-demo`): one sent demo share (made again only when the last one has closed)."""
    settings, services = _settings(), _services()
    with get_db().sessionmaker() as session:
        existing = service.list_shares(session, case_reference=DEMO_REFERENCE, limit=1)
        share = existing[0] if existing else None
        if share is not None:
            service.close_if_due(session, share, services.clock.now())
        if share is None or share.status != "sent":
            try:
                share = _create_demo_share(session, settings, services)
            except (UploadRejected, PortalError) as exc:  # e.g. clamd not answering: the portal still starts
                return [f"Demo Secure Share not created: {getattr(exc, 'message', None) or exc}"]
            link = service.send_link(session, share, services.clock.now(), settings)
            language = service.share_language(share, settings)
            email_id = outbox.add(session, link_email.link_email(share, link, settings, language),
                                  services.clock.now())
            session.commit()  # the working link and its email together
            send_after_commit(email_id)
        else:
            link = service.link_for(settings, share, service.share_language(share, settings))
        return [
            f"Demo Secure Share for {share.recipient_name} ({DEMO_REFERENCE}), until "
            f"{govuk_datetime(share.expires_at)}:",
            f"  {link}",
            f"  The security code is emailed to {share.recipient_email}: with the default mailer, "
            f"find it in {settings.outbox_path}",
        ]
