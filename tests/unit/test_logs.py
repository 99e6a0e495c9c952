"""Logs: LOG_FORMAT=json (production) gives machines today's fields and nothing else; console (development
and test) gives people one short line per request and real tracebacks. Neither holds query strings."""
from __future__ import annotations

import io
import json
import logging
import re

import pytest

from portal.app import create_app
from portal.logs import configure_logging, formatter
from portal.settings import Settings, UnsafeSettings
from tests.conftest import make_settings
from tests.unit.test_settings import SAFE_PRODUCTION

log = logging.getLogger("portal.test_logs")
JSON_FIELDS = {"time", "level", "logger", "message", "request_id", "method", "endpoint", "status", "duration_ms"}


@pytest.fixture
def routes(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/__test/links/<token>")
    def _link(token):
        log.info("link opened for share %s", "SH-42")
        return "ok"

    @app.get("/__test/crash")
    def _crash():
        raise ZeroDivisionError("boom")

    return app.test_client()


def capture(log_format: str):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter(log_format))
    return stream, handler


@pytest.fixture
def logged(request):
    stream, handler = capture(request.param)
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


@pytest.mark.parametrize("logged", ["json"], indirect=True)
def test_json_request_line_has_todays_fields_and_no_path_or_query(routes, logged):
    routes.get("/__test/links/SECRET-TOKEN-123?email=jane@example.com", headers={"X-Request-Id": "req-12345678"})

    lines = [json.loads(line) for line in logged.getvalue().splitlines()]
    [access] = [line for line in lines if line["logger"] == "portal.access"]
    assert set(access) == JSON_FIELDS
    assert access["method"] == "GET" and access["status"] == 200 and access["level"] == "INFO"
    assert access["endpoint"] == "/__test/links/<token>" and access["request_id"] == "req-12345678"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", access["time"])
    [opened] = [line for line in lines if line["logger"] == "portal.test_logs"]
    assert opened["message"] == "link opened for share SH-42" and opened["request_id"] == "req-12345678"
    for secret in ("SECRET-TOKEN", "jane", "email="):
        assert secret not in logged.getvalue()


@pytest.mark.parametrize("logged", ["json"], indirect=True)
def test_json_keeps_only_its_own_fields(logged):
    log.warning("delivery failed for %s", "FOI-2025-000001", extra={"email": "jane@example.com", "path": "/x?q=1"})

    [line] = [json.loads(text) for text in logged.getvalue().splitlines()]
    assert line["message"] == "delivery failed for FOI-2025-000001" and line["level"] == "WARNING"
    assert "jane" not in logged.getvalue() and "path" not in line


@pytest.mark.parametrize("logged", ["json"], indirect=True)
def test_json_error_is_one_line_carrying_the_traceback(routes, logged):
    assert routes.get("/__test/crash").status_code == 500

    lines = [json.loads(line) for line in logged.getvalue().splitlines()]
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["message"] == "unhandled error" and error["request_id"]
    assert error["exception"].startswith("Traceback (most recent call last):")
    assert error["exception"].endswith("ZeroDivisionError: boom")


@pytest.mark.parametrize("logged", ["console"], indirect=True)
def test_console_gives_one_short_line_per_request_with_the_path_but_no_query(routes, logged):
    routes.get("/__test/links/abc?email=jane@example.com")

    lines = logged.getvalue().splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"\d\d:\d\d:\d\d \[info\s*\] link opened for share SH-42 \[portal.test_logs\]", lines[0])
    assert re.fullmatch(r"\d\d:\d\d:\d\d \[info\s*\] GET /__test/links/abc 200 \d+\.\dms", lines[1])
    assert "jane" not in logged.getvalue()


@pytest.mark.parametrize("logged", ["console"], indirect=True)
def test_console_prints_a_real_traceback_under_the_error_and_its_request_id(routes, logged):
    response = routes.get("/__test/crash")

    lines = logged.getvalue().splitlines()
    error = next(i for i, line in enumerate(lines) if "[error" in line)
    assert "unhandled error" in lines[error] and f"request_id={response.headers['X-Request-Id']}" in lines[error]
    assert lines[error + 1] == "Traceback (most recent call last):"
    assert 'raise ZeroDivisionError("boom")' in "\n".join(lines[error + 2:])
    assert "ZeroDivisionError: boom" in lines
    assert re.search(r"\] GET /__test/crash 500 \d+\.\dms$", lines[-1])


def test_the_format_follows_the_environment_unless_set(tmp_path):
    assert Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path)}).log_format == "console"
    assert Settings.from_env({"PORTAL_ENV": "test", "PORTAL_VAR_DIR": str(tmp_path)}).log_format == "console"
    assert Settings.from_env({**SAFE_PRODUCTION, "PORTAL_VAR_DIR": str(tmp_path)}).log_format == "json"
    assert Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "LOG_FORMAT": "json"}).log_format == "json"
    production = {**SAFE_PRODUCTION, "PORTAL_VAR_DIR": str(tmp_path), "LOG_FORMAT": "console"}
    assert Settings.from_env(production).log_format == "console"
    with pytest.raises(UnsafeSettings, match="LOG_FORMAT must be console or json"):
        Settings.from_env({"PORTAL_VAR_DIR": str(tmp_path), "LOG_FORMAT": "text"})


def test_configure_logging_switches_the_one_handler_it_adds():
    root = logging.getLogger()
    configure_logging("INFO", "console")
    handlers = list(root.handlers)
    [ours] = [handler for handler in handlers if type(handler).__name__ == "_PortalHandler"]
    record = logging.LogRecord("portal.x", logging.INFO, __file__, 1, "reference %s", ("FOI-1",), None)
    assert ours.format(record).endswith("[info     ] reference FOI-1 [portal.x]")
    try:
        configure_logging("INFO", "json")
        configure_logging("INFO", "json")
        assert root.handlers == handlers
        assert json.loads(ours.format(record))["message"] == "reference FOI-1"
    finally:
        configure_logging("INFO", "console")


def test_the_app_logs_in_the_format_its_settings_name(tmp_path, services):
    record = logging.LogRecord("portal.x", logging.INFO, __file__, 1, "reference FOI-1", (), None)
    create_app(make_settings(tmp_path, log_format="json"), services).extensions["portal.db"].dispose()
    [ours] = [handler for handler in logging.getLogger().handlers if type(handler).__name__ == "_PortalHandler"]
    assert json.loads(ours.format(record))["logger"] == "portal.x"
    create_app(make_settings(tmp_path), services).extensions["portal.db"].dispose()
    assert ours.format(record).endswith("reference FOI-1 [portal.x]")
