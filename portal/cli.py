"""flask commands for operators: database, API keys, background worker."""
from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from portal import api
from portal.db import get_db
from portal.models import ApiKey
from portal.private_files import create_private


def _now():
    return current_app.extensions["portal.services"].clock.now()


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(api_key_group)
    app.cli.add_command(worker)
    app.cli.add_command(seed_demo)


@click.group("db", cls=AppGroup, help="Database schema.")
def db_group():
    pass


@db_group.command("upgrade", help="Create or migrate the database to the latest schema.")
def db_upgrade():
    get_db().upgrade()
    click.echo("database is at the latest schema")


@click.group("api-key", cls=AppGroup, help="API keys for the case system (stored hashed, scoped).")
def api_key_group():
    pass


@api_key_group.command("create", help="Create a key; it is shown once.")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(sorted(api.SCOPES)),
              help="What the key may do; repeat for several.")
def api_key_create(name, scopes):
    with get_db().transaction() as session:
        key = api.create_key(session, name, list(scopes), _now())
    click.echo("Store this key now; it cannot be shown again:")
    click.echo(key)


@api_key_group.command("list", help="List keys (prefix, name, scopes, state).")
def api_key_list():
    with get_db().sessionmaker() as session:
        keys = session.scalars(select(ApiKey).order_by(ApiKey.created_at)).all()
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}Z" if key.revoked_at else "active"
        used = f"last used {key.last_used_at:%Y-%m-%d %H:%M}Z" if key.last_used_at else "never used"
        click.echo(f"{key.prefix}  {key.name}  {','.join(key.scopes)}  {state}  {used}")


@api_key_group.command("revoke", help="Revoke a key by its prefix; it stops working at once.")
@click.argument("prefix")
def api_key_revoke(prefix):
    with get_db().transaction() as session:
        revoked = api.revoke_key(session, prefix, _now())
    if not revoked:
        raise click.ClickException(f"no active key with prefix {prefix}")
    click.echo(f"key {prefix} revoked")


@click.command("worker", help="Run the background job consumer (Huey).")
@click.option("--workers", default=2, show_default=True)
@with_appcontext
def worker(workers):
    from huey.consumer import Consumer

    from portal.jobs import huey, use_worker_app

    use_worker_app(current_app._get_current_object())  # its settings bound the queue; jobs run in it

    # Poll at most every half second when idle: an emailed code or a delivery should not wait 10 s
    # (Huey's default) on the SQLite queue. Redis blocks on its queue and does not poll.
    Consumer(huey, workers=workers, worker_type="thread", periodic=True, check_worker_health=True,
             initial_delay=0.1, backoff=1.15, max_delay=0.5).run()


@click.command("seed-demo", help="Development only: demo data and a demo API key, printed once.")
@with_appcontext
def seed_demo():
    settings = current_app.config["PORTAL_SETTINGS"]
    if settings.is_production:
        raise click.ClickException("seed-demo never runs in production")
    key_file = settings.var_dir / "demo-api-key.txt"
    if not key_file.exists():
        with get_db().transaction() as session:
            key = api.create_key(session, "Demo case system", sorted(api.SCOPES), _now())
        with os.fdopen(create_private(key_file), "w") as handle:
            handle.write(key + "\n")
    click.echo(f"Demo API key (all scopes) is in {key_file}")
    for seeder in current_app.extensions["portal.demo_seeders"]:  # each feature's, returning lines to print
        for line in seeder():
            click.echo(line)
