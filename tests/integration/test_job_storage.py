"""The job queue's real storage: SQLite (embedded default) and Redis (at scale)."""
import os

import pytest

from portal.jobs import make_huey
from tests.conftest import make_settings, require_redis

pytestmark = pytest.mark.integration


def redis_url() -> str:
    return require_redis(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))


@pytest.fixture(params=["sqlite", "redis"])
def queue(request, tmp_path):
    overrides = {"job_backend": request.param}
    if request.param == "redis":
        overrides["redis_url"] = redis_url()
    huey = make_huey(make_settings(tmp_path, **overrides))
    huey.flush()  # Redis database 15 is the tests' own
    yield huey
    huey.flush()


def test_a_job_survives_in_storage_until_a_worker_takes_it(queue):
    @queue.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    assert len(queue) == 1  # queued in real storage, not run in the caller
    task = queue.dequeue()
    assert len(queue) == 0
    queue.execute(task)
    assert result.get() == 5


def test_a_scheduled_job_waits_for_its_time(queue):
    @queue.task()
    def ping():
        return "pong"

    ping.schedule(delay=3600)
    task = queue.dequeue()
    queue.execute(task)  # not due: goes to the schedule instead of running
    assert queue.scheduled_count() == 1
