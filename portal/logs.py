"""JSON logs with a request id. Log references and ids, never names, emails or request text."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        for field in ("method", "endpoint", "status", "duration_ms"):
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


JsonFormatter.converter = time.gmtime


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
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
        # The URL rule, not the path: paths can carry signed tokens and references.
        endpoint = request.url_rule.rule if request.url_rule else "(no route)"
        access_log.info(
            "request",
            extra={"method": request.method, "endpoint": endpoint, "status": response.status_code,
                   "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None},
        )
        return response
