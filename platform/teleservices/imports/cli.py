"""``teleservices import <code> --academy CODE --uai UAI FILE``: one command per plugin importer."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from teleservices.admin.audit import COMMAND_LINE
from teleservices.declarations import Importer
from teleservices.imports.reading import ImportRejected, read_csv
from teleservices.imports.service import run_import, summary
from teleservices.tenancy.context import tenant


def _rejected(errors: tuple[str, ...] | list[str]) -> click.ClickException:
    lines = "\n".join(f"  {error}" for error in errors)
    return click.ClickException(f"Import refusé, rien n'a été modifié :\n{lines}")


def importer_command(importer: Importer) -> click.Command:
    """The command importing ``importer``'s CSV file into one establishment."""

    @click.command(importer.code, help=f"{importer.description} (fichier CSV).")
    @click.option("--academy", "academy_code", required=True, help="Code de l'académie.")
    @click.option("--uai", required=True, help="UAI de l'établissement.")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @with_appcontext
    def command(academy_code: str, uai: str, file: Path) -> None:
        from teleservices.cli import resolve_establishment

        establishment = resolve_establishment(academy_code, uai)
        uai = establishment.uai
        with tenant(establishment.academy_id):
            try:
                rows = read_csv(importer, file.read_bytes())
            except ImportRejected as exc:
                raise _rejected(exc.errors) from exc
            report = run_import(importer, establishment, rows, COMMAND_LINE)
        if report.errors:
            raise _rejected(report.errors)
        for warning in report.warnings:
            click.echo(f"Avertissement : {warning}")
        click.echo(f"Import terminé ({uai}) : {summary(report)}.")

    return command
