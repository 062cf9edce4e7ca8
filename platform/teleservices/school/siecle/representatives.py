"""Apply the responsables file: persons and their links to the establishment's students.

Persons are keyed by ``PERSONNE_ID`` in the establishment, links by (student, person). Links the
file no longer lists are removed, and so are persons it no longer lists, with the account access
they gave (a person still carrying the account of a student who moved away or left is kept until
the new establishment's import takes the account over, DAT-2). Links to a student enrolled in
another establishment (they moved) are skipped.

Persons, then links, are applied a page at a time from the staging database, comparing each page
with its rows only (loaded by key); the ids of the rows kept are remembered in the staging
database, so what the file no longer lists is found without holding the establishment in memory.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from teleservices.accounts.models import AccountChild
from teleservices.school import bulk
from teleservices.school.models import Representative, Student, StudentRepresentative
from teleservices.school.siecle.records import PersonRecord, SiecleData
from teleservices.school.siecle.report import ImportReport
from teleservices.school.siecle.staging import Staging

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


SEEN_LINKS = "link"  # the staging set of the links the file lists


def _changed(row: Any, values: dict[str, Any]) -> bool:
    return any(getattr(row, column) != value for column, value in values.items())


def apply_representatives(
    academy_id: int, establishment_id: int, data: SiecleData, report: ImportReport
) -> None:
    """Write persons and links of ``data`` for the establishment."""
    owner = {"academy_id": academy_id, "establishment_id": establishment_id}
    staging = data.staging
    for persons in staging.persons():
        _apply_persons(establishment_id, persons, staging, report, owner)
    absent = _absent_persons(establishment_id, staging)
    link_select = select(
        StudentRepresentative.id,
        StudentRepresentative.student_id,
        StudentRepresentative.representative_id,
        *(getattr(StudentRepresentative, c) for c in LINK_COLUMNS),
    ).where(StudentRepresentative.establishment_id == establishment_id)
    for page in staging.links():
        students = dict(
            bulk.rows_where_in(
                select(Student.eleve_id, Student.id).where(
                    Student.establishment_id == establishment_id
                ),
                Student.eleve_id,
                {link.eleve_id for link in page},
            )
        )
        existing = {
            (row.student_id, row.representative_id): row
            for row in bulk.rows_where_in(
                link_select, StudentRepresentative.student_id, students.values()
            )
        }
        new_rows: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        seen: list[int] = []
        for link in page:
            student_id = students.get(link.eleve_id)
            if student_id is None:
                continue
            key = (student_id, link.representative_id)
            row = existing.get(key)
            if row is None:
                new_rows.append(
                    {**link.values, **owner, "student_id": key[0], "representative_id": key[1]}
                )
                continue
            seen.append(row.id)
            if _changed(row, link.values):
                changes.append({"id": row.id, **link.values})
        staging.mark(SEEN_LINKS, seen)
        staging.mark(SEEN_LINKS, bulk.insert_returning_ids(StudentRepresentative, new_rows))
        bulk.update_rows(StudentRepresentative, changes)
        report.links.created += len(new_rows)
        report.links.updated += len(changes)
    for rows in bulk.pages(
        select(StudentRepresentative.id).where(
            StudentRepresentative.establishment_id == establishment_id
        ),
        StudentRepresentative.id,
    ):
        ids = [link_id for (link_id,) in rows]
        seen_ids = staging.marked(SEEN_LINKS, ids)
        gone = [link_id for link_id in ids if link_id not in seen_ids]
        bulk.delete_where_in(StudentRepresentative, StudentRepresentative.id, gone)
        report.links.removed += len(gone)
    _remove_absent_persons(establishment_id, absent, report)


def _apply_persons(
    establishment_id: int,
    page: list[PersonRecord],
    staging: Staging,
    report: ImportReport,
    owner: dict[str, int],
) -> None:
    """Create or update a page of the file's persons; remember their row ids."""
    existing = {
        row.personne_id: row
        for row in bulk.rows_where_in(
            select(Representative.id, *(getattr(Representative, c) for c in PERSON_COLUMNS)).where(
                Representative.establishment_id == establishment_id
            ),
            Representative.personne_id,
            [person.personne_id for person in page],
        )
    }
    new_rows: list[dict[str, Any]] = []
    new_seqs: list[int] = []
    changes: list[dict[str, Any]] = []
    ids: list[tuple[int, int]] = []
    for person in page:
        row = existing.get(person.personne_id)
        if row is None:
            new_rows.append({**person.values, **owner})
            new_seqs.append(person.seq)
            continue
        ids.append((person.seq, row.id))
        if _changed(row, person.values):
            changes.append({"id": row.id, **person.values})
    ids += zip(new_seqs, bulk.insert_returning_ids(Representative, new_rows), strict=True)
    bulk.update_rows(Representative, changes)
    staging.set_person_ids(ids)
    report.representatives.created += len(new_rows)
    report.representatives.updated += len(changes)


def _absent_persons(establishment_id: int, staging: Staging) -> list[int]:
    """Ids of the establishment's persons that the file does not list."""
    absent: list[int] = []
    for page in bulk.pages(
        select(Representative.id, Representative.personne_id).where(
            Representative.establishment_id == establishment_id
        ),
        Representative.id,
    ):
        listed = staging.known_persons([row.personne_id for row in page])
        absent += [row.id for row in page if row.personne_id not in listed]
    return absent


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
