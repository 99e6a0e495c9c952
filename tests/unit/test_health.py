"""/healthz and /readyz: what an operator's load balancer and monitoring see."""
import datetime as dt

from portal.db import Database
from portal.health import beat


def test_healthz_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_warns_when_no_worker_has_reported(client):
    body = client.get("/readyz").json
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["file_store"]["status"] == "ok"
    assert body["checks"]["worker"]["status"] == "warn"
    assert body["status"] == "warn"


def test_readyz_is_ok_with_a_fresh_heartbeat_and_warns_when_it_goes_stale(app, client, clock):
    with app.app_context():
        beat("worker-1", clock.now())
    assert client.get("/readyz").json == {
        "status": "ok",
        "checks": {
            "database": {"status": "ok", "detail": "reachable"},
            "file_store": {"status": "ok", "detail": "reachable"},
            "virus_scanner": {"status": "ok", "detail": "answers PING"},
            "worker": {"status": "ok", "detail": "last heartbeat 0 seconds ago"},
            "case_system_delivery": {"status": "ok", "detail": "nothing parked"},
            "search_index": {"status": "ok", "detail": "0 entries searchable"},
        },
    }
    clock.advance(minutes=10)
    worker = client.get("/readyz").json["checks"]["worker"]
    assert worker == {"status": "warn", "detail": "last heartbeat 600 seconds ago"}


def test_heartbeat_updates_in_place(app, clock):
    with app.app_context():
        beat("worker-1", clock.now())
        beat("worker-1", clock.now() + dt.timedelta(seconds=30))
        from portal.db import get_db
        from portal.models import WorkerHeartbeat

        with get_db().sessionmaker() as session:
            rows = session.query(WorkerHeartbeat).all()
    assert [(r.worker, r.beat_at) for r in rows] == [("worker-1", clock.now() + dt.timedelta(seconds=30))]


def test_scanner_down_is_a_failed_check_but_the_instance_stays_ready(app, client, services):
    services.scanner.verdict = "down"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["virus_scanner"]["status"] == "fail"
    assert response.json["status"] == "warn"


def test_database_down_makes_the_instance_not_ready(app, client):
    app.extensions["portal.db"].dispose()
    app.extensions["portal.db"] = Database("postgresql://portal@127.0.0.1:1/unreachable")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "fail"
    assert response.json["checks"]["database"]["status"] == "fail"
