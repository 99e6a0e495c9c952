"""Logs with a request id: a short line for people (LOG_FORMAT=console) or JSON lines for machines (json).

Every module logs with `logging.getLogger(__name__)`; structlog's ProcessorFormatter renders the records.
Log references and ids, never names, emails or request text.
"""
from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import structlog
from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
FORMATS = ("console", "json")
# What a JSON line may hold, in this order: an allow-list, so a stray `extra=` never reaches the log.
JSON_FIELDS = ("time", "level", "logger", "message", "request_id", "method", "endpoint", "status", "duration_ms",
               "exception")
ACCESS_FIELDS = ("method", "endpoint", "status", "duration_ms")  # given with `extra=`, and "path" for people


def _portal_fields(logger, method_name: str, event_dict: dict) -> dict:
    record = event_dict["_record"]
    event_dict["level"] = record.levelname
    event_dict["logger"] = record.name
    if has_request_context() and "request_id" in g:
        event_dict["request_id"] = g.request_id
    return event_dict


def _json_line(logger, method_name: str, event_dict: dict) -> dict:
    event_dict["message"] = event_dict.pop("event")
    return {field: event_dict[field] for field in JSON_FIELDS if field in event_dict}


def _console_line(logger, method_name: str, event_dict: dict) -> dict:
    if event_dict["logger"] == "portal.access":
        # "GET /request/foi/name 200 4.1ms": the path, never the query string (request.path has none)
        event_dict["event"] = (f"{event_dict['method']} {event_dict['path']} {event_dict['status']} "
                               f"{event_dict['duration_ms']}ms")
        for field in (*ACCESS_FIELDS, "path", "logger", "request_id"):
            event_dict.pop(field, None)
    elif event_dict["_record"].levelno < logging.WARNING:
        event_dict.pop("request_id", None)  # kept on warnings and errors: a 500 page shows it to match a traceback
    event_dict["level"] = method_name  # ConsoleRenderer colours by the lower-case name
    return event_dict


def formatter(log_format: str, colors: bool = False) -> structlog.stdlib.ProcessorFormatter:
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    if log_format == "json":
        pre_chain = [structlog.stdlib.ExtraAdder(ACCESS_FIELDS), _portal_fields,
                     structlog.processors.TimeStamper(fmt="iso", utc=True, key="time")]
        renderer = [structlog.processors.format_exc_info, _json_line, structlog.processors.JSONRenderer()]
        return structlog.stdlib.ProcessorFormatter(foreign_pre_chain=pre_chain, processors=renderer)
    pre_chain = [structlog.stdlib.ExtraAdder((*ACCESS_FIELDS, "path")), _portal_fields,
                 structlog.processors.TimeStamper(fmt="%H:%M:%S", utc=False)]
    renderer = [_console_line, structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.dev.ConsoleRenderer(colors=colors, pad_event_to=0,
                                              exception_formatter=structlog.dev.plain_traceback)]
    return structlog.stdlib.ProcessorFormatter(foreign_pre_chain=pre_chain, processors=renderer)


class _PortalHandler(logging.StreamHandler):
    """The one handler configure_logging adds to the root logger (create_app runs many times in tests)."""


def configure_logging(level: str, log_format: str = "json") -> None:
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _PortalHandler)), None)
    if handler is None:
        handler = _PortalHandler(sys.stderr)
        root.addHandler(handler)
    if getattr(handler, "log_format", None) != log_format:
        handler.setFormatter(formatter(log_format, colors=log_format == "console" and handler.stream.isatty()))
        handler.log_format = log_format  # type: ignore[attr-defined]
    root.setLevel(level)
    # werkzeug's access log prints full URLs, which may hold tokens: ours logs the route instead.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # urllib3 logs request URLs at DEBUG, and a postcode lookup's URL holds the postcode.
    logging.getLogger("urllib3").setLevel(max(logging.INFO, root.level))


access_log = logging.getLogger("portal.access")


def init_request_logging(app: Flask) -> None:
    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        started = g.get("request_started")
        # JSON logs the URL rule, not the path: paths can carry signed tokens and references. The console
        # line (development) shows the path without its query string.
        endpoint = request.url_rule.rule if request.url_rule else "(no route)"
        access_log.info(
            "request",
            extra={"method": request.method, "endpoint": endpoint, "path": request.path,
                   "status": response.status_code,
                   "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None},
        )
        return response
