"""Run a plugin's importer all-or-nothing inside the establishment's tenant, and audit it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from teleservices import freshness
from teleservices.admin import audit
from teleservices.declarations import Importer, ImportReport, ImportRow
from teleservices.extensions import db
from teleservices.school.lookup import departed_students
from teleservices.tenancy.models import Establishment


def run_import(
    importer: Importer,
    establishment: Establishment,
    rows: Sequence[ImportRow],
    actor: audit.Actor,
) -> ImportReport:
    """Give the rows to the importer (without those of students who have left, when it names its
    student column); keep its changes only if it reports no error."""
    rows, skipped = _without_departed(importer, establishment, rows)
    try:
        with freshness.establishment_writes(establishment.id):  # its rows, none else's
            report = importer.run(establishment, rows)
    except Exception:
        db.session.rollback()
        raise
    if report.errors:
        db.session.rollback()
        return report
    if skipped:
        shown = ", ".join(skipped[:5]) + (" …" if len(skipped) > 5 else "")
        warning = (
            f"{len(skipped)} ligne(s) d'élèves sortis de l'établissement ignorée(s) : {shown}."
        )
        report = replace(report, warnings=(*report.warnings, warning))
    audit.record(
        "data.imported",
        actor,
        establishment=establishment,
        target=f"{importer.description} ({importer.code})",
        after={"créés": report.created, "modifiés": report.updated, "supprimés": report.removed},
    )
    db.session.commit()
    return report


def _without_departed(
    importer: Importer, establishment: Establishment, rows: Sequence[ImportRow]
) -> tuple[Sequence[ImportRow], list[str]]:
    if not importer.student_column:
        return rows, []
    departed = departed_students(establishment)
    if not departed:
        return rows, []
    kept: list[ImportRow] = []
    skipped: list[str] = []
    for row in rows:
        if row.values.get(importer.student_column) in departed:
            skipped.append(row.where)
        else:
            kept.append(row)
    return kept, skipped


def summary(report: ImportReport) -> str:
    """« 12 créé(s), 3 modifié(s), 0 supprimé(s) »."""
    return f"{report.created} créé(s), {report.updated} modifié(s), {report.removed} supprimé(s)"
