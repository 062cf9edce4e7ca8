"""Apply the coded lists of an establishment: MEFs, subjects, divisions and groups.

Rows are keyed by their code in the establishment. A file's row is created or updated in place;
a code only referenced by a student (``CODE_MEF``, a division or group of ``STRUCTURES``) is
created bare when unknown and left as it is otherwise. Nothing is deleted: students, grades or
publication dates may still point to a code that a later export no longer lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from teleservices.extensions import Base, db
from teleservices.school import bulk
from teleservices.school.models import Division, Group, Mef, Subject
from teleservices.school.siecle import parsing
from teleservices.school.siecle.records import SiecleData
from teleservices.school.siecle.report import Counts, ImportReport


@dataclass(frozen=True)
class Codes:
    """Ids of the establishment's MEFs, divisions and groups, by code."""

    mefs: dict[str, int]
    divisions: dict[str, int]
    groups: dict[str, int]


_LABELS: dict[type[Base], tuple[str, ...]] = {
    Mef: ("label", "long_label", "edition_label", "mefstat"),
    Subject: ("management_code", "short_label", "long_label", "edition_label"),
    Division: ("label",),
    Group: ("label",),
}


def _upsert(
    model: type[Base],
    establishment: tuple[int, int],
    wanted: dict[str, dict[str, Any]],
    referenced: Iterable[str],
    counts: Counts,
) -> dict[str, int]:
    """Create or update ``wanted`` rows, create bare ``referenced`` ones; return ids by code."""
    academy_id, establishment_id = establishment
    columns = _LABELS[model]
    attrs = [getattr(model, name) for name in ("id", "code", *columns)]
    existing = {
        row.code: row
        for row in db.session.execute(
            select(*attrs).where(model.establishment_id == establishment_id)  # type: ignore[attr-defined]
        )
    }
    blank = dict.fromkeys(columns, "")
    new_rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for code in dict.fromkeys([*wanted, *referenced]):
        values = {**blank, **wanted.get(code, {}), "code": code}
        row = existing.get(code)
        if row is None:
            new_rows.append(
                {**values, "academy_id": academy_id, "establishment_id": establishment_id}
            )
        elif code in wanted and any(getattr(row, c) != values[c] for c in columns):
            changes.append({"id": row.id, **{c: values[c] for c in columns}})
    ids = {code: row.id for code, row in existing.items()}
    ids.update(
        zip((r["code"] for r in new_rows), bulk.insert_returning_ids(model, new_rows), strict=True)
    )
    bulk.update_rows(model, changes)
    counts.created += len(new_rows)
    counts.updated += len(changes)
    return ids


def apply_nomenclature(
    academy_id: int, establishment_id: int, data: SiecleData, report: ImportReport
) -> Codes:
    """Write the coded lists of ``data`` and return the ids students need."""
    establishment = (academy_id, establishment_id)
    staging = data.staging
    mef_codes = staging.mef_codes()
    unknown = mef_codes - set(data.mefs)
    if unknown:
        known = set(
            bulk.rows_where_in(
                select(Mef.code).where(Mef.establishment_id == establishment_id), Mef.code, unknown
            )
        )
        eleves = data.file_of(parsing.ELEVES) or ""
        for code in sorted(unknown - {code for (code,) in known}):
            report.warn(eleves, None, f"MEF {code} absent de la nomenclature : créé sans libellé")
    _upsert(Subject, establishment, data.subjects, (), report.subjects)
    return Codes(
        mefs=_upsert(Mef, establishment, data.mefs, sorted(mef_codes), report.mefs),
        divisions=_upsert(
            Division,
            establishment,
            {code: {"label": label} for code, label in data.divisions.items()},
            sorted(staging.division_codes()),
            report.divisions,
        ),
        groups=_upsert(
            Group,
            establishment,
            {code: {"label": label} for code, label in data.groups.items()},
            sorted(staging.group_codes()),
            report.groups,
        ),
    )
