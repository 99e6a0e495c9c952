"""One transaction rule: Secure Share's service functions never commit, and files go only after the commit."""
from __future__ import annotations

import datetime as dt
import io
import sys

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from secure_share import audit, service, signing_in
from secure_share.models import Document, Share, ShareEvent, ShareSession, SignInCode
from tests.share_helpers import csrf_from, make_share, pdf, sign_in
from tests.share_helpers import notices  # noqa: F401 - a fixture


@pytest.fixture
def share(app, services):
    return make_share(app, services, [("Letter.pdf", pdf(3000)), ("Records.pdf", pdf(5000, 2))])


def snapshot(app, share_id: str) -> tuple:
    """What the database holds for a share: its row, its documents' removal and every table's rows of it."""
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        row = session.get(Share, share_id)
        columns = tuple(getattr(row, c.key) for c in Share.__table__.columns)
        removed = tuple(d.removed_at for d in row.documents)
        counts = tuple(session.scalar(select(func.count()).select_from(table).where(table.share_id == share_id))
                       for table in (Document, ShareEvent, SignInCode, ShareSession))
        shares = session.scalar(select(func.count()).select_from(Share))
        return columns, removed, counts, shares


def _request_a_code(session, share, now, settings, services):
    signing_in.request_code(session, share, now, settings.secret_key)


def _try_a_code(session, share, now, settings, services):
    signing_in.request_code(session, share, now, settings.secret_key)
    signing_in.check_code(session, share, "000000", now, settings.secret_key, "Firefox")


def _sign_in_and_out(session, share, now, settings, services):
    token = signing_in.start_session(session, share, now, "Firefox")
    signing_in.current_session(session, share, token, now + dt.timedelta(minutes=1), dt.timedelta(minutes=15))
    signing_in.sign_out(session, share, token, now, "Firefox")


def _end_an_idle_session(session, share, now, settings, services):
    signing_in.start_session(session, share, now, "Firefox")
    session.flush()
    assert service.end_idle_sessions(session, now + dt.timedelta(hours=1), dt.timedelta(minutes=30)) == 1


def _add_a_document(session, share, now, settings, services):
    service.add_document(session, share, io.BytesIO(pdf(1000, 3)), "More.pdf", None, services, settings)


CALLS = {
    "create_share": lambda session, share, now, settings, services: service.create_share(session, now, settings, {
        "case_reference": "SAR-1", "recipient_name": "A", "recipient_email": "a@example.com"}),
    "add_document": _add_a_document,
    "remove_document": lambda session, share, now, settings, services: service.remove_document(
        session, share, share.documents[0].id, now),
    "send_link (resend)": lambda session, share, now, settings, services: service.send_link(
        session, share, now, settings, resend=True),
    "revoke": lambda session, share, now, settings, services: service.revoke(session, share, now),
    "extend": lambda session, share, now, settings, services: service.extend(
        session, share, now, settings, {"expires_in_days": 10}),
    "expire_due": lambda session, share, now, settings, services: service.expire_due(
        session, now + dt.timedelta(days=400)),
    "mark_reminder_sent": lambda session, share, now, settings, services: service.mark_reminder_sent(
        session, share, now),
    "remove_by_requester": lambda session, share, now, settings, services: service.remove_by_requester(
        session, share, now, "Firefox"),
    "request_code": _request_a_code,
    "check_code": _try_a_code,
    "start_session, current_session, sign_out": _sign_in_and_out,
    "download_started": lambda session, share, now, settings, services: audit.download_started(
        session, share, now, "Firefox", None),
    "download_ended": lambda session, share, now, settings, services: audit.download_ended(
        session, share, now, "Firefox", None, sent=10, length=10, reason=None),
    "end_idle_sessions": _end_an_idle_session,
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_a_service_function_never_commits(app, services, share, call):
    """Run inside a session that is then rolled back: nothing of it is left in the database."""
    settings = app.config["PORTAL_SETTINGS"]
    before = snapshot(app, share.id)
    commits = []
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        event.listen(session, "before_commit", lambda _session: commits.append(True))
        row = session.get(Share, share.id)
        session.commit()  # only for add_document, which must start with no transaction open
        commits.clear()
        call(session, row, services.clock.now(), settings, services)
        session.flush()  # the changes reached the database, in the transaction
        session.rollback()
    assert commits == []
    assert snapshot(app, share.id) == before


def test_a_removal_whose_commit_fails_leaves_the_share_and_its_files(app, client, services, share, notices,
                                                                    monkeypatch):
    sign_in(client, share, services.mailer)
    page = client.raw.get(f"{share.url}/remove").get_data(as_text=True)
    files = dict(services.store.files)
    before = snapshot(app, share.id)

    def database_gone(_session):
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(Session, "commit", database_gone)
    response = client.raw.post(f"{share.url}/remove", data={"csrf_token": csrf_from(page)})
    monkeypatch.undo()
    assert response.status_code == 500
    assert services.store.files == files  # not one file deleted
    assert snapshot(app, share.id) == before
    with app.app_context(), app.extensions["portal.db"].sessionmaker() as session:
        assert session.get(Share, share.id).status == "sent"
    assert notices == []  # and the case system is not told of a removal that did not happen


def test_the_files_of_a_removed_share_go_after_the_commit(app, client, services, share, notices, monkeypatch):
    """The job that deletes them runs once the removal is committed and finds the share closed."""
    from secure_share import jobs

    seen = []
    real = jobs.delete_share_files

    def delete_share_files(share_id):
        with app.extensions["portal.db"].sessionmaker() as other:  # another connection: only committed data
            seen.append((other.get(Share, share_id).status, len(services.store.files)))
        return real(share_id)

    sys.modules["secure_share.jobs"].delete_share_files = delete_share_files
    sign_in(client, share, services.mailer)
    page = client.raw.get(f"{share.url}/remove").get_data(as_text=True)
    assert client.raw.post(f"{share.url}/remove", data={"csrf_token": csrf_from(page)}).status_code == 302
    assert seen == [("removed", 2)]  # committed as removed, files still there
    assert services.store.files == {}
    assert notices == [(share.id, "removed")]
