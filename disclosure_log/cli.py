"""flask disclosure-log ...: bulk import, index upkeep, the nightly download, searches that found nothing."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from disclosure_log import bulk, jobs, nightly, search, service
from portal import current
from portal.db import get_db
from portal.exceptions import PortalError
from portal.jobs import after_commit

disclosure_log_cli = AppGroup("disclosure-log", help="Disclosure Log: publish, import and index responses.")


def _index():
    from disclosure_log.current import get_index

    return get_index()


def guard_allowed():
    from disclosure_log.current import guard_allowed

    return guard_allowed()


@disclosure_log_cli.command("import", help="Import entries from a JSON-lines file (resumable: run it again).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--override-reason", default="", help="Publish even where the guard finds personal data, for this reason.")
@click.option("--batch-size", type=click.IntRange(100, 100_000), default=bulk.BATCH, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes checking lines (parse, validate, publish guard) ahead of the database writes.")
def import_command(path: Path, override_reason: str, batch_size: int, workers: int):
    started = time.monotonic()

    def progress(report: bulk.ImportReport) -> None:
        elapsed = time.monotonic() - started
        click.echo(f"{report.read:,} lines read, {report.imported:,} imported, {report.already_there:,} already there "
                   f"({report.read / elapsed:,.0f} lines/s)")

    report = bulk.run_import(get_db().sessionmaker, _index(), path, actor=f"import {path.name}", now=current.now(),
                             override_reason=override_reason.strip(), batch_size=batch_size, workers=workers,
                             progress=progress, allowed=guard_allowed())
    for number, reason in report.invalid[:50]:
        click.echo(f"line {number}: not imported: {reason}", err=True)
    for number, reference, kinds in report.blocked[:50]:
        click.echo(f"line {number}: {reference} not imported: the publish guard found {', '.join(kinds)}", err=True)
    skipped = len(report.invalid) + len(report.blocked)
    if skipped > 50:
        click.echo(f"... {skipped - 50:,} more lines not imported", err=True)
    click.echo(f"Done in {time.monotonic() - started:,.1f} s: {report.imported:,} imported, "
               f"{report.already_there:,} already there, {len(report.invalid):,} invalid, "
               f"{len(report.blocked):,} stopped by the publish guard.")


@disclosure_log_cli.command("rebuild-index", help="Empty the search index and fill it again from the database.")
def rebuild_index():
    started = time.monotonic()
    with get_db().sessionmaker() as session:
        service.start_rebuild(session)
        session.commit()  # before the index is emptied: a rebuild cut short leaves every entry to the sweep
        total = service.rebuild_index(session, _index(), progress=lambda n: click.echo(f"{n:,} entries read"))
        session.commit()
    click.echo(f"Index rebuilt from {total:,} published entries in {time.monotonic() - started:,.1f} s.")


@disclosure_log_cli.command("sync-index", help="Index every change not yet in the index (the worker does this each minute).")
def sync_index():
    click.echo(f"{jobs.sync_all(get_db().sessionmaker, _index()):,} entries brought up to date.")


@disclosure_log_cli.command("follow", help="SEARCH_ENGINE=tantivy-follower: bring this host's search copy in step with"
                                          " the database now (rebuilding it if it is missing or too far behind).")
@click.option("--rebuild", is_flag=True, help="Rebuild the copy from the database even if it could catch up.")
def follow(rebuild: bool):
    index = _index()
    if not hasattr(index, "rebuild"):
        raise click.ClickException("SEARCH_ENGINE is not tantivy-follower: there is no local copy to follow with")
    started = time.monotonic()
    if rebuild or index.read_state() is None:
        total = index.rebuild(progress=lambda n: click.echo(f"{n:,} entries read") if n % 100_000 == 0 else None,
                              force=rebuild)
        click.echo(f"Copy rebuilt from {total:,} published entries in {time.monotonic() - started:,.1f} s.")
    index.background_rebuild = False
    index.follow(force=True)
    if index.last_error:
        raise click.ClickException(index.last_error)
    behind, awaited, _age = index.lag()
    click.echo(f"Copy in step: {index.local.count():,} entries, {behind:,} changes behind, {awaited:,} ids awaited "
               f"({time.monotonic() - started:,.1f} s).")


@disclosure_log_cli.command("prune-changes", help="Delete the change log's rows every search copy is past (hourly).")
def prune_changes():
    from disclosure_log.index_follower import prune

    with get_db().transaction() as session:
        click.echo(f"{prune(session, current.now()):,} changes pruned.")


@disclosure_log_cli.command("withdraw", help="Withdraw an entry: the public page says when and why (410).")
@click.argument("reference")
@click.option("--reason", required=True, help="Shown on the public page.")
def withdraw(reference: str, reason: str):
    with get_db().sessionmaker() as session:
        try:
            entry = service.withdraw(session, reference=reference, reason=reason, actor="command line",
                                     now=current.now())
        except PortalError as exc:
            raise click.ClickException(exc.detail) from None
        session.commit()  # withdrawn before its files are deleted
        after_commit(f"the deletion of {reference}'s files", jobs.delete_files, service.stored_files(entry))
        service.sync_index(session, _index(), ids=[entry.id])
        session.commit()
    click.echo(f"{reference} withdrawn.")


@disclosure_log_cli.command("export", help="Make the full download files now (the worker does it nightly).")
def export():
    with get_db().sessionmaker() as session:
        made = nightly.make(session, current.services().store, current.settings().base_url, current.now())
    for file in made:
        click.echo(f"{file.name}: {file.size:,} bytes")


@disclosure_log_cli.command("gaps", help="What people searched for and did not find, most often first.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
def gaps(limit: int):
    with get_db().sessionmaker() as session:
        for gap in search.gaps(session, limit):
            click.echo(f"{gap.count:>6}  {gap.query}  (last {gap.last_seen.isoformat()})")
