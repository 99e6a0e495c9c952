"""How an answer reads back to people: check answers, the printable record, emails, the case payload.

In the language of the page or email being made (an option's text, a date, "Not given"): check answers follows
the page; the case payload is made in English, with what the person saw beside it (capture/service.build_payload).
"""
from __future__ import annotations

from flask_babel import gettext as _

from capture.questions import Question


def answer_lines(question: Question, value) -> list[str]:
    if value is None or value == "" or value == []:
        return [_("Not given")]
    return question.lines(value)
