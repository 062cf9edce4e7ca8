"""``teleservices accounts``: account commands (``export`` for now)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from teleservices.accounts.export import account_rows, write_csv, write_json
from teleservices.cli import resolve_establishment
from teleservices.tenancy.context import tenant


@click.group("accounts", help="Comptes des élèves et des représentants légaux.")
def accounts_group() -> None:
    """Account commands."""


@accounts_group.command("export")
@click.option("--academy", "academy_code", required=True, help="Code de l'académie (ac-…).")
@click.option("--uai", required=True, help="UAI de l'établissement.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "csv"]),
    default="csv",
    show_default=True,
    help="Format de sortie (CSV séparé par des points-virgules).",
)
@with_appcontext
def export_accounts(academy_code: str, uai: str, output_format: str) -> None:
    """List the establishment's accounts: identifier, kind, state, ELEVE_ID, INE, PERSONNE_ID."""
    establishment = resolve_establishment(academy_code, uai)
    with tenant(establishment.academy_id):
        rows = account_rows(establishment.id)
    if output_format == "json":
        write_json(establishment.uai, rows, sys.stdout)
    else:
        write_csv(rows, sys.stdout)
