"""``teleservices db``: upgrade every Alembic branch (host and plugins) and show the state."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_migrate import current as alembic_current
from flask_migrate import heads as alembic_heads
from flask_migrate import upgrade as alembic_upgrade


@click.group("db", help="Base de données : migrations Alembic (hôte et téléservices).")
def db_group() -> None:
    """Database commands."""


@db_group.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def upgrade(revision: str) -> None:
    """Apply the migrations of the host and of every plugin (all heads by default)."""
    alembic_upgrade(revision=revision)
    click.echo("Base de données à jour.")


@db_group.command("current")
@with_appcontext
def current() -> None:
    """Show the revision the database is at."""
    alembic_current()


@db_group.command("heads")
@with_appcontext
def heads() -> None:
    """Show the head revisions (one per branch)."""
    alembic_heads()
