"""flask capture ...: operators list and inspect submissions (delivery state included)."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlalchemy import select

from capture.models import Submission
from portal.db import get_db

capture_cli = AppGroup("capture", help="Capture submissions.")

STATES = ("pending", "delivered", "acknowledged", "failed")


@capture_cli.command("list", help="List submissions, newest first.")
@click.option("--state", type=click.Choice(STATES), help="Only submissions in this delivery state.")
@click.option("--limit", default=50, show_default=True)
def list_submissions(state, limit):
    query = select(Submission).order_by(Submission.received_at.desc(), Submission.id.desc()).limit(limit)
    if state:
        query = query.where(Submission.delivery_status == state)
    with get_db().sessionmaker() as session:
        rows = session.scalars(query).all()
    if not rows:
        click.echo("no submissions")
    for s in rows:
        flags = " duplicate-of:" + s.duplicate_of if s.duplicate_of else ""
        click.echo(f"{s.reference}  {s.case_type:<10} received {s.received_at:%Y-%m-%d %H:%M}Z  "
                   f"due {s.due_date or '-'}  {s.delivery_status}  case {s.case_id or '-'}{flags}")


@capture_cli.command("show", help="Show one submission's payload as the case system receives it.")
@click.argument("reference")
def show_submission(reference):
    with get_db().sessionmaker() as session:
        submission = session.scalar(select(Submission).where(Submission.reference == reference.strip().upper()))
        if submission is None:
            raise click.ClickException(f"no submission {reference}")
        click.echo(f"reference: {submission.reference}")
        click.echo(f"received:  {submission.received_at.isoformat()}")
        click.echo(f"due:       {submission.due_date} ({submission.clock_rule})")
        click.echo(f"delivery:  {submission.delivery_status}, {submission.delivery_attempts} attempts, "
                   f"case id {submission.case_id or '-'}")
        for f in submission.files:
            click.echo(f"file:      {f.file_id} {f.filename} {f.content_type} {f.size} bytes scanned={f.scanned}")
        click.echo(json.dumps(submission.payload, indent=2, ensure_ascii=False))
