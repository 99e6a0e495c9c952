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

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from capture.definitions import FormDefinition
from capture.figures import month_of
from capture.models import Feedback, Submission
from portal.adapters.ports import EmailMessage
from portal.db import upsert
from portal.i18n import N_, in_language, localised

# The choices' words in English; the page translates them.
ANSWERED = {"yes": N_("Yes"), "partly": N_("Partly"), "no": N_("No")}
SATISFACTION = {  # GOV.UK's five-point scale, best first as GOV.UK shows it
    "5": N_("Very satisfied"), "4": N_("Satisfied"), "3": N_("Neither satisfied or dissatisfied"),
    "2": N_("Dissatisfied"), "1": N_("Very dissatisfied"),
}
IMPROVE_MAX = 1200
ERRORS = {  # English; validate gives them in the page's language
    "answered_question": N_("Select whether we answered your question"),
    "satisfaction": N_("Select how you feel about the service you received"),
    "improve": N_("Your suggestion must be %(num)s characters or fewer"),
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
        errors["answered_question"] = _(ERRORS["answered_question"])
    if typed.satisfaction not in SATISFACTION:
        errors["satisfaction"] = _(ERRORS["satisfaction"])
    if len(typed.improve) > IMPROVE_MAX:
        limit = f"{IMPROVE_MAX:,}"
        errors["improve"] = _(ERRORS["improve"], num=limit)
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


def feedback_email(form: FormDefinition, submission: Submission, link: str, settings) -> EmailMessage:
    """The one email that asks, for a requester who did not ask for progress emails; in their language."""
    language = submission.language or "en"
    with in_language(language):
        body_name = localised(settings, language).public_body_name
        lines = [_("We have closed your %(form)s, reference %(reference)s.", form=form.sentence_name,
                   reference=submission.reference), "",
                 _("%(body)s would like to know whether we answered your question and how you feel about the "
                   "service you received. It takes a minute, and helps us improve it:", body=body_name), "",
                 link + "#feedback", "",
                 _("We will not email you about this again.")]
        return EmailMessage(to=submission.answers[form.email_question],
                            subject=_("Your %(form)s %(reference)s is closed: tell us what you think",
                                      form=form.sentence_name, reference=submission.reference),
                            body="\n".join(lines), reference=submission.reference)
