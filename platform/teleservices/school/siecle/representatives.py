"""Apply the responsables file: persons and their links to the establishment's students.

Persons are keyed by ``PERSONNE_ID`` in the establishment, links by (student, person). Links the
file no longer lists are removed, and so are persons it no longer lists, with the account access
they gave (a person still carrying the account of a student who moved away or left is kept until
the new establishment's import takes the account over, DAT-2). Links to a student enrolled in
another establishment (they moved) are skipped.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from teleservices.accounts.models import AccountChild
from teleservices.extensions import db
from teleservices.school import bulk
from teleservices.school.models import Representative, Student, StudentRepresentative
from teleservices.school.siecle.records import SiecleData
from teleservices.school.siecle.report import ImportReport

PERSON_COLUMNS = (
    "personne_id",
    "civility",
    "last_name",
    "usage_name",
    "first_name",
    "profession_code",
    "phone_home",
    "phone_mobile",
    "phone_work",
    "email",
    "accepts_sms",
    "shares_address",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "postal_code",
    "city",
    "country",
)
LINK_COLUMNS = (
    "level",
    "legal_rank",
    "relationship_code",
    "pays_school_fees",
    "financially_responsible",
    "payer",
    "contact",
)


def _changed(row: Any, values: dict[str, Any]) -> bool:
    return any(getattr(row, column) != value for column, value in values.items())


def apply_representatives(
    academy_id: int, establishment_id: int, data: SiecleData, report: ImportReport
) -> None:
    """Write persons and links of ``data`` for the establishment."""
    owner = {"academy_id": academy_id, "establishment_id": establishment_id}
    person_ids, absent = _apply_persons(establishment_id, data, report, owner)
    students = dict(
        db.session.execute(
            select(Student.eleve_id, Student.id).where(Student.establishment_id == establishment_id)
        ).all()
    )
    existing = {
        (row.student_id, row.representative_id): row
        for row in db.session.execute(
            select(
                StudentRepresentative.id,
                StudentRepresentative.student_id,
                StudentRepresentative.representative_id,
                *(getattr(StudentRepresentative, c) for c in LINK_COLUMNS),
            ).where(StudentRepresentative.establishment_id == establishment_id)
        )
    }
    new_rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    seen: set[tuple[int, int]] = set()
    for link in data.links.values():
        student_id = students.get(link.eleve_id)
        if student_id is None:
            continue
        key = (student_id, person_ids[link.personne_id])
        seen.add(key)
        row = existing.get(key)
        if row is None:
            new_rows.append(
                {**link.values, **owner, "student_id": key[0], "representative_id": key[1]}
            )
        elif _changed(row, link.values):
            changes.append({"id": row.id, **link.values})
    gone = [row.id for key, row in existing.items() if key not in seen]
    bulk.insert_rows(StudentRepresentative, new_rows)
    bulk.update_rows(StudentRepresentative, changes)
    bulk.delete_where_in(StudentRepresentative, StudentRepresentative.id, gone)
    report.links.created += len(new_rows)
    report.links.updated += len(changes)
    report.links.removed += len(gone)
    _remove_absent_persons(establishment_id, absent, report)


def _apply_persons(
    establishment_id: int, data: SiecleData, report: ImportReport, owner: dict[str, int]
) -> tuple[dict[str, int], list[int]]:
    """Create or update the file's persons; return their ids and those of absent persons."""
    existing = {
        row.personne_id: row
        for row in db.session.execute(
            select(Representative.id, *(getattr(Representative, c) for c in PERSON_COLUMNS)).where(
                Representative.establishment_id == establishment_id
            )
        )
    }
    new_rows: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    for personne_id, person in data.persons.items():
        row = existing.get(personne_id)
        if row is None:
            new_rows.append({**person.values, **owner})
        elif _changed(row, person.values):
            changes.append({"id": row.id, **person.values})
    ids = {personne_id: row.id for personne_id, row in existing.items()}
    ids.update(
        zip(
            (r["personne_id"] for r in new_rows),
            bulk.insert_returning_ids(Representative, new_rows),
            strict=True,
        )
    )
    bulk.update_rows(Representative, changes)
    report.representatives.created += len(new_rows)
    report.representatives.updated += len(changes)
    absent = [row.id for personne_id, row in existing.items() if personne_id not in data.persons]
    return ids, absent


def _remove_absent_persons(establishment_id: int, absent: list[int], report: ImportReport) -> None:
    """Delete persons the file no longer lists (their links are already gone) and the account
    access they gave, except persons still carrying the account of a student who is no longer
    enrolled here (moved away, or left and possibly arriving elsewhere): the new
    establishment's import takes that account over (DAT-2)."""
    if not absent:
        return
    grants = bulk.rows_where_in(
        select(AccountChild.representative_id, AccountChild.student_id),
        AccountChild.representative_id,
        absent,
    )
    gone = {
        student_id
        for (student_id,) in bulk.rows_where_in(
            select(Student.id).where(
                or_(Student.establishment_id != establishment_id, Student.left_at.is_not(None))
            ),
            Student.id,
            {g.student_id for g in grants},
        )
    }
    carrying = {g.representative_id for g in grants if g.student_id in gone}
    removed = [i for i in absent if i not in carrying]
    bulk.delete_where_in(AccountChild, AccountChild.representative_id, removed)
    bulk.delete_where_in(Representative, Representative.id, removed)
    report.representatives.removed += len(removed)
