"""A reference case system for trying the portal out and for tests: `flask case-system serve`.

It receives Create Case requests, verifies their HMAC signature, keeps one case per reference
(the Idempotency-Key), shows what arrived at / and can be told to fail:
POST /control {"mode": "500" | "timeout" | "422" | "409" | "ok", "times": N}.
"""
from __future__ import annotations

import html
import json
import threading
import time
from pathlib import Path

from flask import Flask, Response, request

from portal.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


class CaseStore:
    """Cases by reference, every request counted; kept in a JSON-lines file when given one."""

    def __init__(self, path: Path | None = None):
        self.lock = threading.Lock()
        self.cases: dict[str, dict] = {}
        self.requests = 0
        self.duplicates = 0
        self.bad_signatures = 0
        self.path = path
        if path and path.exists():
            for line in path.read_text().splitlines():
                case = json.loads(line)
                self.cases[case["reference"]] = case

    def add(self, reference: str, payload: dict) -> tuple[dict, bool]:
        with self.lock:
            if reference in self.cases:
                self.duplicates += 1
                return self.cases[reference], False
            case = {"case_id": f"CASE-{len(self.cases) + 1:06d}", "reference": reference,
                    "received": time.time(), "payload": payload}
            self.cases[reference] = case
            if self.path:
                with self.path.open("a") as handle:
                    handle.write(json.dumps(case) + "\n")
            return case, True


def make_app(secret: str, store: CaseStore | None = None) -> Flask:
    app = Flask("reference_case_system")
    app.config["store"] = store = store or CaseStore()
    failure = {"mode": "ok", "times": 0}

    @app.post("/control")
    def control():
        body = request.get_json(force=True)
        failure.update(mode=str(body.get("mode", "ok")), times=int(body.get("times", 1_000_000)))
        return {"mode": failure["mode"], "times": failure["times"]}

    @app.post("/cases")
    def create_case():
        with store.lock:
            store.requests += 1
        if failure["mode"] != "ok" and failure["times"] > 0:
            failure["times"] -= 1
            if failure["mode"] == "timeout":
                time.sleep(float(request.args.get("sleep", 30)))
            elif failure["mode"] == "422":
                return {"detail": "description is required"}, 422
            elif failure["mode"] != "409":
                return {"detail": "temporarily unavailable"}, int(failure["mode"]) if failure["mode"].isdigit() else 500
        body = request.get_data()
        if not verify(secret, request.headers.get(TIMESTAMP_HEADER, ""), body,
                      request.headers.get(SIGNATURE_HEADER, ""), time.time()):
            with store.lock:
                store.bad_signatures += 1
            return {"detail": "bad signature"}, 401
        reference = request.headers.get("Idempotency-Key", "")
        payload = json.loads(body)
        if not reference or payload.get("reference") != reference:
            return {"detail": "Idempotency-Key must be the payload's reference"}, 422
        case, created = store.add(reference, payload)
        if failure["mode"] == "409" and failure["times"] >= 0 and not created:
            return {"case_id": case["case_id"], "detail": "duplicate"}, 409
        return {"case_id": case["case_id"]}, (201 if created else 200)

    @app.get("/cases.json")
    def cases_json():
        return {"requests": store.requests, "duplicates": store.duplicates, "bad_signatures": store.bad_signatures,
                "cases": list(store.cases.values())}

    @app.get("/")
    def index():
        rows = "".join(
            f"<tr><td>{html.escape(c['case_id'])}</td><td>{html.escape(c['reference'])}</td>"
            f"<td>{html.escape(str(c['payload'].get('case_type')))}</td>"
            f"<td>{time.strftime('%H:%M:%S', time.localtime(c['received']))}</td></tr>"
            for c in sorted(store.cases.values(), key=lambda c: -c["received"]))
        page = (f"<!doctype html><html lang='en'><title>Reference case system</title><h1>Reference case system</h1>"
                f"<p>{len(store.cases)} cases, {store.requests} requests, {store.duplicates} duplicate deliveries, "
                f"{store.bad_signatures} bad signatures.</p><table><tr><th>Case</th><th>Reference</th><th>Type</th>"
                f"<th>Received</th></tr>{rows}</table></html>")
        return Response(page, mimetype="text/html")

    return app
