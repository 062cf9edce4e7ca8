"""Run a plugin's importer all-or-nothing inside the establishment's tenant, and audit it."""

from __future__ import annotations

from collections.abc import Sequence

from teleservices.admin import audit
from teleservices.declarations import Importer, ImportReport, ImportRow
from teleservices.extensions import db
from teleservices.tenancy.models import Establishment


def run_import(
    importer: Importer,
    establishment: Establishment,
    rows: Sequence[ImportRow],
    actor: audit.Actor,
) -> ImportReport:
    """Give the rows to the importer; keep its changes only if it reports no error."""
    try:
        report = importer.run(establishment, rows)
    except Exception:
        db.session.rollback()
        raise
    if report.errors:
        db.session.rollback()
        return report
    audit.record(
        "data.imported",
        actor,
        establishment=establishment,
        target=f"{importer.description} ({importer.code})",
        after={"créés": report.created, "modifiés": report.updated, "supprimés": report.removed},
    )
    db.session.commit()
    return report


def summary(report: ImportReport) -> str:
    """« 12 créé(s), 3 modifié(s), 0 supprimé(s) »."""
    return f"{report.created} créé(s), {report.updated} modifié(s), {report.removed} supprimé(s)"
