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


@capture_cli.command("redeliver", help="Queue failed submissions again (one by reference, or --all-failed).")
@click.argument("reference", required=False)
@click.option("--all-failed", is_flag=True, help="Every failed submission.")
def redeliver(reference, all_failed):
    from flask import current_app

    from capture import delivery

    if not reference and not all_failed:
        raise click.UsageError("give a REFERENCE or --all-failed")
    now = current_app.extensions["portal.services"].clock.now()
    with get_db().transaction() as session:
        queued = delivery.redeliver(session, now, None if all_failed else reference.strip().upper())
    if not queued:
        raise click.ClickException("no failed submission matched")
    for ref in queued:
        click.echo(f"{ref} queued for delivery")


@capture_cli.command("reconcile", help="Compare the case system's list of references (one per line) with ours.")
@click.argument("references_file", type=click.File("r"))
def reconcile(references_file):
    theirs = {line.strip().upper() for line in references_file if line.strip()}
    with get_db().sessionmaker() as session:
        ours = dict(session.execute(select(Submission.reference, Submission.delivery_status)).all())
    delivered = {ref for ref, state in ours.items() if state in ("delivered", "acknowledged")}
    missing_there = sorted(delivered - theirs)
    not_delivered = sorted(ref for ref, state in ours.items() if state in ("pending", "failed") and ref not in theirs)
    unknown_here = sorted(theirs - set(ours))
    click.echo(f"ours: {len(ours)}  theirs: {len(theirs)}  matched: {len(set(ours) & theirs)}")
    for title, refs in (("delivered by us but missing from the case system", missing_there),
                        ("not yet delivered (pending or failed)", not_delivered),
                        ("in the case system but unknown here", unknown_here)):
        click.echo(f"{title}: {len(refs)}")
        for ref in refs:
            click.echo(f"  {ref} ({ours.get(ref, 'unknown')})")
    if missing_there or unknown_here:
        raise SystemExit(1)


@capture_cli.command("form-schema", help="Write capture/forms/form.schema.json, the JSON Schema of a form file.")
@click.option("--check", is_flag=True, help="Only say whether the file is up to date (exit 1 if not).")
def form_schema(check):
    from capture.definitions import SCHEMA_FILE, json_schema_text

    text = json_schema_text()
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    if check:
        if current != text:
            raise click.ClickException(f"{SCHEMA_FILE} is out of date: run flask capture form-schema")
        click.echo(f"{SCHEMA_FILE} is up to date")
        return
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    click.echo(f"wrote {SCHEMA_FILE}")


@capture_cli.command("figures", help="Drafts started, requests sent, completion rate and feedback, per form and month.")
@click.option("--from", "first", help="First month, like 2026-01 (default: 11 months before this one).")
@click.option("--to", "last", help="Last month, like 2026-12 (default: this month).")
@click.option("--form", "form_ids", multiple=True, help="Only this form (repeatable). Default: every form.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines, the API's fields, instead of a table.")
def show_figures(first, last, form_ids, as_json):
    from capture import figures
    from capture.definitions import load_all
    from portal.current import now

    try:
        months, wanted = figures.asked_for(first, last, form_ids, load_all(), now())
    except figures.InvalidMonths as invalid:
        raise click.BadParameter(str(invalid), param_hint="--from/--to") from None
    except figures.UnknownForms as unknown:
        raise click.BadParameter(str(unknown), param_hint="--form") from None
    with get_db().sessionmaker() as session:
        rows = figures.figures(session, months, wanted)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row.as_json()))
        return
    click.echo(f"{'form':<14}{'month':<9}{'started':>8}{'sent':>6}{'rate':>7}{'closed':>8}{'answered':>9}"
               f"{'yes':>5}{'partly':>7}{'no':>4}{'satisfied':>10}")
    for row in rows:
        rate = f"{row.completion_rate:.0%}" if row.completion_rate is not None else "-"
        satisfied = f"{row.satisfied:.0%}" if row.satisfied is not None else "-"
        click.echo(f"{row.form_id:<14}{row.month:<9}{row.started:>8}{row.sent:>6}{rate:>7}{row.closed:>8}"
                   f"{row.feedback:>9}{row.answered['yes']:>5}{row.answered['partly']:>7}{row.answered['no']:>4}"
                   f"{satisfied:>10}")


case_system_cli = AppGroup("case-system", help="The reference case system, for trying the portal out.")


@case_system_cli.command("serve", help="Receive signed Create Case requests and show them at http://HOST:PORT/.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5001, show_default=True)
def serve_case_system(host, port):
    from flask import current_app
    from werkzeug.serving import run_simple

    from capture.case_system_server import CaseStore, make_app

    settings = current_app.config["PORTAL_SETTINGS"]
    app = make_app(settings.case_system_secret, CaseStore(settings.var_dir / "case-system-cases.jsonl"))
    click.echo(f"Reference case system at http://{host}:{port}/ (POST /cases)")
    run_simple(host, port, app, threaded=True)
