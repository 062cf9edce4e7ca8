"""``teleservices import siecle``: import an establishment's SIECLE exports (``.xml`` or ``.zip``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from teleservices.cli import resolve_establishment
from teleservices.school.siecle import ImportReport, import_siecle
from teleservices.school.siecle.report import Counts


def _counts(label: str, counts: Counts) -> str:
    return (
        f"{label} : {counts.created} créé(s), {counts.updated} mis à jour, "
        f"{counts.removed} supprimé(s)"
    )


def _summary(report: ImportReport) -> list[str]:
    files = ", ".join(f"{f['file']} ({f['root']})" for f in report.files)
    lines = [
        f"Import SIECLE de l'établissement {report.uai} : {files}",
        f"Élèves : {report.students.created} créé(s), {report.students.updated} mis à jour, "
        f"{report.left} sorti(s), {report.moved} arrivé(s) d'un autre établissement",
        _counts("Responsables", report.representatives),
        _counts("Liens élève-responsable", report.links),
        _counts("MEF", report.mefs),
        _counts("Matières", report.subjects),
        _counts("Divisions", report.divisions),
        _counts("Groupes", report.groups),
        f"Comptes pré-créés : {report.student_accounts} élève(s), "
        f"{report.representative_accounts} représentant(s) ; comptes repris d'un autre "
        f"établissement : {report.accounts_continued} ; accès retirés : "
        f"{report.accounts_detached}",
    ]
    if report.warnings:
        lines.append(f"Avertissements ({len(report.warnings)}) :")
        lines += [f"  {warning}" for warning in report.warnings]
    return lines


@click.command("siecle")
@click.option("--academy", "academy_code", required=True, help="Code de l'académie (ac-…).")
@click.option("--uai", required=True, help="UAI de l'établissement.")
@click.option("--json", "as_json", is_flag=True, help="Rapport JSON.")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@with_appcontext
def import_siecle_command(
    academy_code: str, uai: str, as_json: bool, files: tuple[Path, ...]
) -> None:
    """Import SIECLE exports (élèves, responsables, nomenclature, structures), all or nothing."""
    establishment = resolve_establishment(academy_code, uai)
    report = import_siecle(establishment, list(files))
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    elif report.applied:
        for line in _summary(report):
            click.echo(line)
    else:
        for issue in report.rejected:
            click.echo(f"erreur : {issue}", err=True)
        click.echo("Import refusé : aucune modification n'a été faite.", err=True)
    if not report.applied:
        sys.exit(1)
