"""SEARCH_ENGINE=tantivy-follower: several web servers on one database, each with its own local tantivy copy
kept in step from the database's change log (disclosure_log/index_follower.py). On SQLite and PostgreSQL."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import threading

import pytest
from sqlalchemy import select, text

from disclosure_log import index_follower, service
from disclosure_log.index_follower import FollowerIndex, prune
from disclosure_log.models import PRUNED_ROW, Disclosure, IndexChange, IndexCopy
from disclosure_log.query import SearchRequest
from tests.conftest import migrated_app
from tests.disclosure_helpers import DisclosureApi

FAR_FUTURE = dt.datetime(2200, 1, 1, tzinfo=dt.timezone.utc)


def server(tmp_path, name, services, url, **overrides):
    app = migrated_app(tmp_path / name, services, database_url=url, search_engine="tantivy-follower",
                       search_follow_seconds=0, **overrides)
    index = app.extensions["disclosure_log.index"]
    assert isinstance(index, FollowerIndex)
    index.background_rebuild = False  # rebuilt in the call, not in a thread: the tests read it straight after
    return app, index


@pytest.fixture
def hosts(tmp_path, services, migrated_database_url):
    """Two web servers on one database, each with its own var folder (and so its own search copy)."""
    made = [server(tmp_path, name, services, migrated_database_url) for name in ("a", "b")]
    yield made
    for app, _index in made:
        app.extensions["portal.db"].dispose()


def copy_ids(index: FollowerIndex) -> set[int]:
    """Every entry in a host's copy, as the copy has it now (no following)."""
    result = index.local.search(SearchRequest(sort="newest", limit=100_000, with_facets=False, now=FAR_FUTURE))
    return set(result.ids)


def found(app, q: str) -> list[str]:
    body = app.test_client().get("/disclosure-log.json?q=" + q).json
    return [item["reference"] for item in body["results"]]


def published_ids(app) -> set[int]:
    with app.extensions["portal.db"].sessionmaker() as session:
        return set(session.scalars(select(Disclosure.id).where(Disclosure.status == "published")))


def test_a_publish_update_and_withdrawal_on_one_server_are_seen_on_the_other(hosts):
    (a, _), (b, index_b) = hosts
    api = DisclosureApi(a)
    api.publish("FOI-1", title="Allotment waiting lists")
    assert found(b, "allotment") == ["FOI-1"]
    api.publish("FOI-1", title="Gritting routes in Ware")
    assert found(b, "allotment") == [] and found(b, "gritting") == ["FOI-1"]
    assert api.withdraw("FOI-1").status_code == 200
    assert found(b, "gritting") == []
    assert copy_ids(index_b) == set()


def test_an_entry_s_welsh_version_is_found_on_the_other_server_and_after_a_rebuild(hosts, tmp_path, services,
                                                                                  migrated_database_url):
    (a, _), (b, _) = hosts
    DisclosureApi(a).publish("FOI-1", title="Pothole repairs in Hertford",
                             welsh={"title": "Atgyweirio tyllau yn y ffordd yn Hertford"})
    assert found(b, "atgyweirio") == ["FOI-1"]
    fresh, _index = server(tmp_path, "c", services, migrated_database_url)  # a new host: its copy rebuilt
    try:
        assert found(fresh, "atgyweirio") == ["FOI-1"]
    finally:
        fresh.extensions["portal.db"].dispose()


def test_each_change_is_logged_in_the_same_transaction_as_the_entry(hosts):
    (a, _), _b = hosts
    api = DisclosureApi(a)
    api.publish("FOI-1")
    api.publish("FOI-1", title="Changed")
    api.withdraw("FOI-1")
    api.put("FOI-2", response="Write to jane.smith@example.com")  # blocked by the guard: nothing saved, nothing logged
    with a.extensions["portal.db"].sessionmaker() as session:
        entry_id = session.scalar(select(Disclosure.id).where(Disclosure.reference == "FOI-1"))
        assert list(session.scalars(select(IndexChange.entry_id).order_by(IndexChange.id))) == [entry_id] * 3


def test_a_change_that_commits_after_a_higher_id_is_not_lost(hosts):
    """Ids are not in commit order: a copy that sees id n+1 first keeps n awaited, and applies it when it commits."""
    (a, _), (b, index_b) = hosts
    api = DisclosureApi(a)
    api.publish("FOI-1", title="Allotment waiting lists")
    api.publish("FOI-2", title="Parking permits")
    assert found(b, "allotment") == ["FOI-1"]
    database = a.extensions["portal.db"]
    first_id, second_id = (database.sessionmaker().scalar(select(Disclosure.id).where(Disclosure.reference == r))
                           for r in ("FOI-1", "FOI-2"))
    now = dt.datetime.now(dt.timezone.utc)
    if database.engine.dialect.name == "postgresql":  # two real transactions, the lower id committing last
        early, late = database.sessionmaker(), database.sessionmaker()
        early.execute(text("update disclosures set title = 'Gritting routes' where id = :id"), {"id": first_id})
        service.record_changes(early, [first_id], now)  # takes the lower id...
        late.execute(text("update disclosures set title = 'Bus lanes' where id = :id"), {"id": second_id})
        service.record_changes(late, [second_id], now)
        late.commit()  # ...but the higher one commits first
        assert found(b, "bus") == ["FOI-2"]
        assert found(b, "gritting") == []
        assert len(index_b.read_state()["gaps"]) == 1  # the lower id, awaited
        early.commit()
        early.close(), late.close()
    else:  # SQLite writes one transaction at a time: the same ids, written in that order
        with database.transaction() as session:
            top = session.scalar(select(IndexChange.id).order_by(IndexChange.id.desc()).limit(1))
            session.execute(text("update disclosures set title = 'Bus lanes' where id = :id"), {"id": second_id})
            session.add(IndexChange(id=top + 2, entry_id=second_id, at=now))
        assert found(b, "bus") == ["FOI-2"]
        assert list(index_b.read_state()["gaps"]) == [str(top + 1)]
        with database.transaction() as session:
            session.execute(text("update disclosures set title = 'Gritting routes' where id = :id"), {"id": first_id})
            session.add(IndexChange(id=top + 1, entry_id=first_id, at=now))
    assert found(b, "gritting") == ["FOI-1"]
    assert index_b.read_state()["gaps"] == {}


def test_a_gap_that_never_commits_is_given_up_after_the_wait(hosts, monkeypatch):
    (a, _), (b, index_b) = hosts
    api = DisclosureApi(a)
    api.publish("FOI-1")
    found(b, "allotment")
    database = a.extensions["portal.db"]
    with database.transaction() as session:  # a rolled-back transaction's id: never seen
        top = session.scalar(select(IndexChange.id).order_by(IndexChange.id.desc()).limit(1))
        session.add(IndexChange(id=top + 2, entry_id=1, at=dt.datetime.now(dt.timezone.utc)))
    index_b.follow(force=True)
    state = index_b.read_state()
    assert state["position"] == top and list(state["gaps"]) == [str(top + 1)]
    index_b.gap_wait = 0
    index_b.follow(force=True)
    state = index_b.read_state()
    assert state["position"] == top + 2 and state["gaps"] == {}


def test_a_missing_copy_is_rebuilt_from_the_database(hosts, tmp_path, services):
    (a, _), (b, index_b) = hosts
    api = DisclosureApi(a)
    for n in range(5):
        api.publish(f"FOI-{n}", title=f"Allotment plots {n}")
    api.withdraw("FOI-3")
    url = str(a.extensions["portal.db"].engine.url.render_as_string(hide_password=False))
    c, index_c = server(tmp_path, "c", services, url)  # a new host: no copy at all
    try:
        assert index_c.read_state() is None
        assert sorted(found(c, "allotment")) == ["FOI-0", "FOI-1", "FOI-2", "FOI-4"]
        assert copy_ids(index_c) == published_ids(a)
        api.publish("FOI-9", title="Allotment plots 9")  # and it follows from there
        assert "FOI-9" in found(c, "allotment")
    finally:
        c.extensions["portal.db"].dispose()
    index_b.follow(force=True)
    index_b.state_path.unlink()  # a copy cut short in a rebuild, or wiped
    index_b.local.clear()
    assert copy_ids(index_b) == set()
    index_b.follow(force=True)
    assert copy_ids(index_b) == published_ids(a)


def test_a_copy_behind_the_pruned_changes_rebuilds(hosts, clock):
    (a, _), (b, index_b) = hosts
    api = DisclosureApi(a)
    api.publish("FOI-1")
    index_b.follow(force=True)
    index_b.local.clear()  # so what follows shows a rebuild: catching up alone would leave only FOI-3
    api.publish("FOI-2")
    api.publish("FOI-3")
    database = a.extensions["portal.db"]
    with database.transaction() as session:  # b has not been seen for days: the prune goes past it
        session.execute(text("update disclosure_index_copies set seen_at = :old"),
                        {"old": clock.now() - dt.timedelta(days=3)})
        assert prune(session, clock.now() + dt.timedelta(days=8)) == 2  # all but the newest
    assert index_b.read_state()["position"] == 1
    index_b.follow(force=True)
    assert copy_ids(index_b) == published_ids(a)
    assert len(copy_ids(index_b)) == 3


def test_the_prune_keeps_what_a_live_copy_has_not_applied(hosts, clock):
    (a, index_a), (b, index_b) = hosts
    api = DisclosureApi(a)
    api.publish("FOI-1")
    index_a.follow(force=True), index_b.follow(force=True)
    index_b.check_every = 3600  # b stops looking for a while
    index_b._checked = float("inf")
    for n in range(2, 5):
        api.publish(f"FOI-{n}")
    index_a.follow(force=True)
    database = a.extensions["portal.db"]
    b_position = index_b.read_state()["position"]
    with database.transaction() as session:
        prune(session, clock.now())
    with database.sessionmaker() as session:
        left = list(session.scalars(select(IndexChange.id).order_by(IndexChange.id)))
        assert left and min(left) == b_position + 1  # everything b still needs, nothing it has
        assert session.get(IndexCopy, PRUNED_ROW).position == b_position
    index_b.follow(force=True)
    assert copy_ids(index_b) == published_ids(a)
    with database.transaction() as session:
        prune(session, clock.now())
    with database.sessionmaker() as session:
        assert len(list(session.scalars(select(IndexChange.id)))) == 1  # the newest stays: ids never go back


def test_readiness_reports_the_copys_lag(hosts):
    (a, _), (b, index_b) = hosts
    api = DisclosureApi(a)
    api.publish("FOI-1")
    checks = b.test_client().get("/readyz").json["checks"]
    assert checks["search_index"]["status"] == "ok"
    assert "1 entries searchable in the local copy, 0 changes behind" in checks["search_index"]["detail"]
    index_b.check_every, index_b._checked = 3600, float("inf")  # b stops following
    api.publish("FOI-2")
    api.publish("FOI-3")
    detail = b.test_client().get("/readyz").json["checks"]["search_index"]["detail"]
    assert "2 changes behind" in detail


def test_a_rebuilding_copy_is_not_ready(hosts, tmp_path, services):
    (a, _), _b = hosts
    DisclosureApi(a).publish("FOI-1")
    url = str(a.extensions["portal.db"].engine.url.render_as_string(hide_password=False))
    c, index_c = server(tmp_path, "c", services, url)
    try:
        started = threading.Event()
        release = threading.Event()
        real_add = index_c.local.add

        def slow_add(*args, **kwargs):
            started.set()
            release.wait(10)
            return real_add(*args, **kwargs)

        index_c.local.add = slow_add
        index_c.background_rebuild = True
        c.test_client().get("/disclosure-log.json")  # starts the rebuild in the background, answers at once
        assert started.wait(10)
        check = c.test_client().get("/readyz").json["checks"]["search_index"]
        assert check["status"] == "fail" and "rebuilding" in check["detail"]
        release.set()
        index_c._rebuilding.join(10)
        assert c.test_client().get("/readyz").json["checks"]["search_index"]["status"] == "ok"
        assert found(c, "pothole") == ["FOI-1"]
    finally:
        c.extensions["portal.db"].dispose()


def test_parallel_publishes_on_two_servers_leave_both_copies_equal_to_the_database(hosts):
    (a, index_a), (b, index_b) = hosts
    apis = [DisclosureApi(a), DisclosureApi(b)]

    def work(n: int) -> None:
        api = apis[n % 2]
        api.publish(f"FOI-{n % 12}", title=f"Allotment plots {n}")  # the same entries, changed from both sides
        if n % 5 == 0:
            api.withdraw(f"FOI-{(n + 3) % 12}")
        found(a if n % 3 else b, "allotment")  # searches while others write

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(work, range(60)))
    index_a.follow(force=True), index_b.follow(force=True)
    expected = published_ids(a)
    assert expected and copy_ids(index_a) == expected and copy_ids(index_b) == expected
    with a.extensions["portal.db"].sessionmaker() as session:  # and each copy holds each entry as it is now
        titles = dict(session.execute(select(Disclosure.reference, Disclosure.title).where(
            Disclosure.status == "published")).all())
    for reference, title in titles.items():  # "Allotment plots 17": the number is the last change's
        assert found(a, title.rsplit(" ", 1)[1]) == [reference] == found(b, title.rsplit(" ", 1)[1])


def test_two_processes_sharing_one_copy_apply_changes_one_at_a_time(hosts, tmp_path, services):
    """A second app on the same var folder (another gunicorn worker): it shares the copy and its state."""
    (a, index_a), _b = hosts
    url = str(a.extensions["portal.db"].engine.url.render_as_string(hide_password=False))
    twin, index_twin = server(tmp_path, "a", services, url)
    try:
        api = DisclosureApi(a)
        api.publish("FOI-1", title="Allotment waiting lists")
        with index_follower.FollowerIndex._host_lock(index_a, wait=True):  # a applies: the twin does not wait
            assert index_twin.step() == 0
        assert found(twin, "allotment") == ["FOI-1"]
        assert index_twin.read_state() == index_a.read_state()
    finally:
        twin.extensions["portal.db"].dispose()


def test_processes_sharing_a_new_copy_rebuild_it_once(tmp_path, services, migrated_database_url):
    first, index_first = server(tmp_path, "a", services, migrated_database_url)
    second, index_second = server(tmp_path, "a", services, migrated_database_url)  # the same folder: both find it new
    try:
        DisclosureApi(first).publish("FOI-1")
        asked = index_follower.time.time()
        index_first.follow(force=True)  # rebuilds
        rebuilt_at = index_first.read_state()["rebuilt_at"]
        assert index_second.rebuild(requested_at=asked) == 1  # asked for before the first was done: not again
        assert index_second.read_state()["rebuilt_at"] == rebuilt_at
        index_second.rebuild(force=True)
        assert index_second.read_state()["rebuilt_at"] > rebuilt_at
    finally:
        first.extensions["portal.db"].dispose(), second.extensions["portal.db"].dispose()


def test_the_follow_command_rebuilds_and_reports(hosts):
    (a, index_a), _b = hosts
    DisclosureApi(a).publish("FOI-1")
    result = a.test_cli_runner().invoke(args=["disclosure-log", "follow", "--rebuild"])
    assert result.exit_code == 0, result.output
    assert "Copy rebuilt from 1 published entries" in result.output
    assert "Copy in step: 1 entries, 0 changes behind" in result.output
    assert json.loads(index_a.state_path.read_text())["position"] >= 1


def test_the_setting_is_checked(tmp_path):
    from portal.settings import UnsafeSettings
    from tests.conftest import make_settings

    with pytest.raises(UnsafeSettings, match="SEARCH_ENGINE"):
        make_settings(tmp_path, search_engine="elastic")
    with pytest.raises(UnsafeSettings, match="PostgreSQL"):
        make_settings(tmp_path, search_engine="postgres")
