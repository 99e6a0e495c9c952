"""Shared fixtures: settings, app with fakes, both databases, and the page-checking client."""
from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import uuid
from pathlib import Path

# For whatever builds settings from the environment in a test (Settings.from_env(), a CLI runner): a test
# var folder and jobs run as they are queued, never the developer's own var/ or queue.
os.environ.setdefault("PORTAL_ENV", "test")
os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="portal-test-var-"))
os.environ.setdefault("JOB_BACKEND", "immediate")

import pytest  # noqa: E402
import sqlalchemy  # noqa: E402

from portal.app import create_app  # noqa: E402
from portal.db import Database  # noqa: E402
from portal.services import Services  # noqa: E402
from portal.settings import Settings  # noqa: E402
from tests.fakes import (FakeCaseSystem, FakeClock, FakeMailer, FakePostcodes, FakeScanner, FakeStore,  # noqa: E402
                         FakeWebhooks)
from tests.pages import PageClient  # noqa: E402

TEST_SECRETS = {
    "SECRET_KEY": "test-secret-key-" + "x" * 32,
    "FILE_STORE_KEK": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    "CASE_SYSTEM_SECRET": "test-case-system-secret",
}


def make_settings(tmp_path, **overrides) -> Settings:
    environ = {"PORTAL_ENV": "test", "PORTAL_VAR_DIR": str(tmp_path), "JOB_BACKEND": "immediate",
               "CLAMD_SOCKET": "", "CLAMD_HOST": "", **TEST_SECRETS,
               # The SAR form's upload page is where most upload tests happen; the default (if-needed) has
               # its own tests in test_capture_journey.py.
               "SAR_IDENTITY": "always",
               # Every page offers Welsh in the tests (bodies in Wales turn it on): English pages then show the
               # language switcher, and the Welsh tests need nothing more.
               "WELSH_OFFERED": "true"}
    return Settings.from_env(environ, **overrides)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(clock) -> Services:
    return Services(store=FakeStore(), mailer=FakeMailer(), scanner=FakeScanner(), postcodes=FakePostcodes(),
                    case_system=FakeCaseSystem(), clock=clock, webhooks=FakeWebhooks())


@functools.cache
def sqlite_template() -> Path:
    """A SQLite database migrated once per test session; each test starts from a copy (migrating costs
    50 to 150 ms a test, a copy under one)."""
    path = Path(tempfile.mkdtemp(prefix="portal-test-template-")) / "portal.sqlite3"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()  # the last connection closes: the WAL is folded into the file we copy
    return path


def copy_sqlite_template(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sqlite_template(), path)


def migrated_app(tmp_path, services, **overrides):
    """create_app with test settings (and any overrides) on a database already at the latest migration."""
    return app_on_migrated_database(make_settings(tmp_path, **overrides), services)


def app_on_migrated_database(settings: Settings, services):
    url = settings.sqlalchemy_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        copy_sqlite_template(Path(url.removeprefix("sqlite:///")))
    application = create_app(settings, services)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def app(settings, services):
    application = app_on_migrated_database(settings, services)
    yield application
    application.extensions["portal.db"].dispose()


@pytest.fixture
def client(app) -> PageClient:
    return PageClient(app)


def require_redis(url: str) -> str:
    """`url` if Redis answers there; else skip locally, and fail in CI, where Redis always runs."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not answering at {url} in CI", pytrace=False)
        pytest.skip(f"Redis is not answering at {url}")
    finally:
        client.close()
    return url


@pytest.fixture(scope="session")
def postgres_admin():
    """An AUTOCOMMIT engine on TEST_DATABASE_URL, for creating a fresh database per test.

    Without TEST_DATABASE_URL the PostgreSQL tests skip locally but fail in CI (CI=1): a missing
    PostgreSQL must never turn CI green by skipping."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL is not set in CI: PostgreSQL must answer on 127.0.0.1:5432")
        pytest.skip("TEST_DATABASE_URL not set (make test sets it when PostgreSQL answers)")
    engine = sqlalchemy.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                                      isolation_level="AUTOCOMMIT")
    yield engine, base
    engine.dispose()


@contextlib.contextmanager
def throwaway_database(postgres_admin, prefix: str = "portal_test", template: str | None = None):
    """A PostgreSQL database of its own (empty, or a copy of `template`), dropped on exit; yields its URL."""
    engine, base = postgres_admin
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(postgres_admin):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with throwaway_database(postgres_admin) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Run a database-layer test against both SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def postgres_template(postgres_admin):
    """A PostgreSQL database migrated once per test session, the template each migrated database is made from."""
    with throwaway_database(postgres_admin, "portal_template") as url:
        database = Database(url)
        database.upgrade()
        database.dispose()  # CREATE DATABASE ... TEMPLATE needs the template to have no connections
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def migrated_postgres_url(postgres_admin, postgres_template):
    """A PostgreSQL database at the latest migration for one test (a copy of the template), dropped afterwards."""
    with throwaway_database(postgres_admin, template=postgres_template) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def migrated_database_url(request, tmp_path):
    """A database at the latest migration, SQLite and PostgreSQL in turn."""
    if request.param == "sqlite":
        copy_sqlite_template(tmp_path / "portal.sqlite3")
        return f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    return request.getfixturevalue("migrated_postgres_url")


@pytest.fixture
def db_app(tmp_path, services, migrated_database_url):
    """The app on SQLite and on PostgreSQL in turn, for tests of the database layer."""
    application = migrated_app(tmp_path, services, database_url=migrated_database_url)
    yield application
    application.extensions["portal.db"].dispose()


@pytest.fixture
def no_rate_limits(app):
    """For tests that are not about the per-address limits (they have their own); after the app, whose
    create_app switches the limiter on."""
    from tests.support.serving import rate_limits_off

    with rate_limits_off():
        yield


@pytest.fixture(scope="session")
def playwright():
    """The run's one Playwright: the browser and HTTPS tiers each launch their own Chromium from it (two
    sync_playwright() at once in one thread fail: "using Playwright Sync API inside the asyncio loop")."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as running:
        yield running


def pytest_collection_modifyitems(config, items):
    """For pytest-xdist's `--dist loadgroup` (what `make test` runs): each test file runs whole on one worker,
    so its module fixtures are made once, and the HTTPS tier runs on one worker, since its production stack
    (nginx on its port, gunicorn, the Redis databases it flushes) is started once for the run."""
    for item in items:
        parts = item.path.relative_to(config.rootpath).parts
        item.add_marker(pytest.mark.xdist_group("https" if parts[:2] == ("tests", "https") else "/".join(parts)))
