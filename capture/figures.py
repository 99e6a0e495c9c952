"""The figures a GOV.UK service reports, per form and per London month: drafts started, requests sent, the
completion rate (sent against started), and what requesters said when their case closed (capture/feedback.py).

A draft counts as started when its first answer is saved, not when its first page is shown: a page view is
not a person starting a request (crawlers and link previews open pages too). Drafts are deleted and
requests erased, so both counts are kept as they happen, one upsert each, which parallel requests cannot
lose. Sent is counted in the month it was sent, started in the month it was started: a request begun on 31
January and sent on 1 February counts in each, as GOV.UK's completion rate does.

Like every service function here, these change the caller's session and never commit.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from capture.models import Draft, Feedback, FormCount
from portal.dates import london
from portal.db import upsert

MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")  # this century: at most 1,200 months in one answer


def month_of(moment: dt.datetime) -> str:
    return london(moment).strftime("%Y-%m")


def _add(session: Session, form_id: str, now: dt.datetime, column: str) -> None:
    table = FormCount.__table__
    statement = upsert(session, table).values(form_id=form_id, month=month_of(now),
                                             **{"started": 0, "sent": 0, column: 1})
    session.execute(statement.on_conflict_do_update(index_elements=[table.c.form_id, table.c.month],
                                                    set_={column: table.c[column] + 1}))


def count_started(session: Session, draft: Draft, now: dt.datetime) -> None:
    """Once per draft, when it first holds an answer."""
    if draft.answers and not draft.flags.get("counted"):
        draft.flags = {**draft.flags, "counted": True}
        _add(session, draft.form_id, now, "started")


def count_sent(session: Session, form_id: str, now: dt.datetime) -> None:
    _add(session, form_id, now, "sent")


class InvalidMonths(ValueError):
    """A month not written like 2026-12, or outside 2000 to 2099."""


def months_between(first: str, last: str) -> list[str]:
    """Every month from one to the other, in order, whichever way round they were given."""
    a, b = MONTH.match(first or ""), MONTH.match(last or "")
    if not a or not b:
        raise InvalidMonths("months are written like 2026-12, from 2000-01 to 2099-12")
    start, end = sorted((int(a[1]) * 12 + int(a[2]) - 1, int(b[1]) * 12 + int(b[2]) - 1))
    return [_month_name(n) for n in range(start, end + 1)]


def _month_name(n: int) -> str:
    """Month n counted from January of year 0: "2026-12"."""
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


class UnknownForms(ValueError):
    """Forms asked for that the portal does not have; the message lists the ones it has."""


def asked_for(first: str | None, last: str | None, form_ids, known, now: dt.datetime) -> tuple[list[str], list[str]]:
    """The months and forms a CLI or API call asks for: by default the last 12 London months and every form.
    InvalidMonths or UnknownForms when they are not ones there can be figures for."""
    local = london(now)
    this_month = local.year * 12 + local.month - 1
    months = months_between(_month_name(this_month - 11) if first is None else first,  # given but empty: an error
                            _month_name(this_month) if last is None else last)
    known = sorted(known)
    unknown = sorted(set(form_ids) - set(known))
    if unknown:
        raise UnknownForms(f"There is no such form. The forms are: {', '.join(known)}.")
    return months, list(form_ids) or known


@dataclasses.dataclass
class Figures:
    form_id: str
    month: str
    started: int = 0
    sent: int = 0
    closed: int = 0  # cases closed, each asked for feedback once
    feedback: int = 0  # of those, how many answered
    answered: dict[str, int] = dataclasses.field(default_factory=lambda: {"yes": 0, "partly": 0, "no": 0})
    satisfaction: dict[int, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(range(1, 6), 0))

    @property
    def completion_rate(self) -> float | None:
        """Requests sent for every draft started; None with no drafts. It can pass 1 in a month where
        requests begun the month before were sent."""
        return round(self.sent / self.started, 3) if self.started else None

    @property
    def satisfied(self) -> float | None:
        """GOV.UK's user satisfaction: the share of answers that were satisfied or very satisfied."""
        total = sum(self.satisfaction.values())
        return round((self.satisfaction[4] + self.satisfaction[5]) / total, 3) if total else None

    def as_json(self) -> dict:
        return {"form": self.form_id, "month": self.month, "drafts_started": self.started, "requests_sent": self.sent,
                "completion_rate": self.completion_rate, "cases_closed": self.closed, "feedback_given": self.feedback,
                "answered_question": self.answered,
                "satisfaction": {name: self.satisfaction[score] for score, name in SATISFACTION_KEYS.items()},
                "satisfied_rate": self.satisfied}


SATISFACTION_KEYS = {5: "very_satisfied", 4: "satisfied", 3: "neither", 2: "dissatisfied", 1: "very_dissatisfied"}


def figures(session: Session, months: list[str], form_ids: list[str]) -> list[Figures]:
    """One row per form and month asked for, zeros included, in form then month order."""
    rows = {(f, m): Figures(f, m) for f in form_ids for m in months}
    for count in session.scalars(select(FormCount).where(FormCount.month.in_(months),
                                                         FormCount.form_id.in_(form_ids))):
        rows[count.form_id, count.month].started, rows[count.form_id, count.month].sent = count.started, count.sent
    asked = select(Feedback.form_id, Feedback.month, Feedback.answered_question, Feedback.satisfaction,
                   func.count()).where(Feedback.month.in_(months), Feedback.form_id.in_(form_ids)).group_by(
        Feedback.form_id, Feedback.month, Feedback.answered_question, Feedback.satisfaction)
    for form_id, month, answered, satisfaction, n in session.execute(asked):
        row = rows[form_id, month]
        row.closed += n
        if answered is not None:
            row.feedback += n
            row.answered[answered] += n
            row.satisfaction[satisfaction] += n
    return list(rows.values())
