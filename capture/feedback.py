"""Asked once, when a case closes: "Did we answer your question?" and GOV.UK's satisfaction question.

The first `closed` report for a request creates its one Feedback row (a second closing, after the case was
reopened, asks nothing new), and the requester is told once: in the progress email if they asked for those,
otherwise in one email of its own. The questions stay on their tracking page until answered; an answer is
kept once, by a conditional UPDATE, so two tabs sending at once keep the first. The counts go to
capture/figures.py by the month the case closed; the words typed are erased with the rest of the request.

Like every service function here, these change the caller's session and never commit.
"""
from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from capture.definitions import FormDefinition
from capture.figures import month_of
from capture.models import Feedback, Submission
from portal.adapters.ports import EmailMessage
from portal.db import upsert

ANSWERED = {"yes": "Yes", "partly": "Partly", "no": "No"}
SATISFACTION = {  # GOV.UK's five-point scale, best first as GOV.UK shows it
    "5": "Very satisfied", "4": "Satisfied", "3": "Neither satisfied or dissatisfied",
    "2": "Dissatisfied", "1": "Very dissatisfied",
}
IMPROVE_MAX = 1200
ERRORS = {
    "answered_question": "Select whether we answered your question",
    "satisfaction": "Select how you feel about the service you received",
    "improve": f"Your suggestion must be {IMPROVE_MAX:,} characters or fewer",
}


def ask_when_closed(session: Session, submission: Submission, now: dt.datetime) -> bool:
    """Whether this closing is the first for the request, and so asks for feedback."""
    if submission.progress != "closed" or submission.personal_data_deleted_at is not None:
        return False
    statement = upsert(session, Feedback.__table__).values(
        submission_id=submission.id, form_id=submission.form_id, month=month_of(now), asked_at=now, improve="")
    statement = statement.on_conflict_do_nothing(index_elements=["submission_id"]).returning(Feedback.__table__.c.id)
    return session.execute(statement).scalar() is not None  # RETURNING: psycopg's rowcount here is -1


def pending(session: Session, submission: Submission) -> Feedback | None:
    """The feedback still to give on this request, or None (never asked, or answered)."""
    return session.scalar(select(Feedback).where(Feedback.submission_id == submission.id,
                                                 Feedback.answered_at.is_(None)))


def was_given(session: Session, submission: Submission) -> bool:
    return session.scalar(select(Feedback.answered_at).where(Feedback.submission_id == submission.id)) is not None


@dataclasses.dataclass(frozen=True)
class Answers:
    answered_question: str
    satisfaction: str
    improve: str


def validate(form: dict) -> tuple[Answers, dict[str, str]]:
    typed = Answers(form.get("answered_question", ""), form.get("satisfaction", ""),
                    (form.get("improve") or "").strip().replace("\r\n", "\n"))
    errors = {}
    if typed.answered_question not in ANSWERED:
        errors["answered_question"] = ERRORS["answered_question"]
    if typed.satisfaction not in SATISFACTION:
        errors["satisfaction"] = ERRORS["satisfaction"]
    if len(typed.improve) > IMPROVE_MAX:
        errors["improve"] = ERRORS["improve"]
    return typed, errors


def record(session: Session, submission: Submission, answers: Answers, now: dt.datetime) -> bool:
    """Keep the answers if none are kept yet; False when feedback was never asked or already given."""
    result = session.execute(update(Feedback).where(
        Feedback.submission_id == submission.id, Feedback.answered_at.is_(None)).values(
        answered_at=now, answered_question=answers.answered_question, satisfaction=int(answers.satisfaction),
        improve=answers.improve).returning(Feedback.id))
    return result.scalar() is not None


def erase(session: Session, submission: Submission) -> None:
    session.execute(update(Feedback).where(Feedback.submission_id == submission.id).values(improve=""))


def feedback_email(form: FormDefinition, submission: Submission, link: str, body_name: str) -> EmailMessage:
    """The one email that asks, for a requester who did not ask for progress emails."""
    lines = [f"We have closed your {form.sentence_name}, reference {submission.reference}.", "",
             f"{body_name} would like to know whether we answered your question and how you feel about the "
             "service you received. It takes a minute, and helps us improve it:", "", link + "#feedback", "",
             "We will not email you about this again."]
    return EmailMessage(to=submission.answers[form.email_question],
                        subject=f"Your {form.sentence_name} {submission.reference} is closed: tell us what you think",
                        body="\n".join(lines), reference=submission.reference)
