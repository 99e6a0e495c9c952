"""What a POST to a question page does: the question's type checks and saves it, or explains what is wrong."""
from __future__ import annotations

import datetime as dt

from capture import service
from capture.definitions import FormDefinition, Page
from capture.questions import PageOutcome, PostContext
from portal.db import session as db_session

__all__ = ["PageOutcome", "handle_question_post"]


def handle_question_post(form: FormDefinition, page: Page, draft, request, services, settings, now: dt.datetime) -> PageOutcome:
    if page.is_content:
        return PageOutcome({}, {}, redirect_to_next=True)
    question = page.question

    def save(value) -> None:
        service.save_answer(db_session(), draft, question.id, value, now)

    return question.handle_post(PostContext(draft=draft, request=request, services=services, settings=settings,
                                            now=now, save=save))
