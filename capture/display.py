"""How an answer reads back to people: check answers, the printable record, emails, the case payload."""
from __future__ import annotations

from capture.questions import Question


def answer_lines(question: Question, value) -> list[str]:
    if value is None or value == "" or value == []:
        return ["Not given"]
    return question.lines(value)
