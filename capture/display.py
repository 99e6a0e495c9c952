"""How an answer reads back to people: check answers, the printable record, emails, the case payload."""
from __future__ import annotations

import datetime as dt

from capture.definitions import Question
from portal.dates import govuk_date


def answer_lines(question: Question, value) -> list[str]:
    if value is None or value == "" or value == []:
        return ["Not given"]
    kind = question.type
    if kind in {"radios", "yesno"}:
        return [next((o.text for o in question.options if o.value == value), str(value))]
    if kind == "checkboxes":
        texts = {o.value: o.text for o in question.options}
        return [texts.get(v, v) for v in value]
    if kind == "date":
        return [govuk_date(dt.date.fromisoformat(value))]
    if kind == "address":
        return [value[k] for k in ("line1", "line2", "town", "county", "postcode") if value.get(k)]
    if kind == "file":
        from portal.formatting import human_size

        lines = [f"{f['filename']} ({f['extension'].upper()}, {human_size(f['size'])})" for f in value["files"]]
        if value.get("later"):
            lines.append(question.allow_later or "I will send it later")
        return lines or ["No files"]
    if kind == "text":
        return str(value).split("\n")
    return [str(value)]
