"""Shared fixtures: settings, app with fakes, both databases, and the page-checking client."""
from __future__ import annotations

import os
import tempfile
import uuid

# For whatever builds settings from the environment in a test (Settings.from_env(), a CLI runner): a test
# var folder and jobs run as they are queued, never the developer's own var/ or queue.
os.environ.setdefault("PORTAL_ENV", "test")
os.environ.setdefault("PORTAL_VAR_DIR", tempfile.mkdtemp(prefix="portal-test-var-"))
os.environ.setdefault("JOB_BACKEND", "immediate")

import pytest  # noqa: E402
import sqlalchemy  # noqa: E402

from portal.app import create_app  # noqa: E402
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
               "CLAMD_SOCKET": "", "CLAMD_HOST": "", **TEST_SECRETS}
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


@pytest.fixture
def app(settings, services):
    application = create_app(settings, services)
    application.config["TESTING"] = True
    application.extensions["portal.db"].upgrade()
    yield application
    application.extensions["portal.db"].dispose()


@pytest.fixture
def client(app) -> PageClient:
    return PageClient(app)


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


@pytest.fixture
def postgres_url(postgres_admin):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    engine, base = postgres_admin
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + "/" + name
    with engine.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Run a database-layer test against both SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def db_app(tmp_path, services, database_url):
    """The app on SQLite and on PostgreSQL in turn, for tests of the database layer."""
    application = create_app(make_settings(tmp_path, database_url=database_url), services)
    application.config["TESTING"] = True
    application.extensions["portal.db"].upgrade()
    yield application
    application.extensions["portal.db"].dispose()
