"""Apply the responsables file: persons and their links to the establishment's students.

Persons are keyed by ``PERSONNE_ID`` in the establishment, links by (student, person). Links the
file no longer lists are removed, and so are persons it no longer lists, with the account access
they gave (a person still carrying the account of a student who moved away or left is kept until
the new establishment's import takes the account over, DAT-2). Links to a student enrolled in
another establishment (they moved) are skipped.

Memory does not grow with the establishment: its persons, then its links, are read once, a page
at a time, each page compared with the records of the file it designates (looked up in the staging
database, which remembers which records found their row); the records left over are the new rows,
inserted a page at a time in file order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from teleservices.accounts.models import AccountChild
from teleservices.school import bulk
from teleservices.school.models import Representative, Student, StudentRepresentative
from teleservices.school.siecle.records import (
    ADDRESS_FIELDS,
    LINK_FIELDS,
    PERSON_FIELDS,
    SiecleData,
)
from teleservices.school.siecle.report import ImportReport
from teleservices.school.siecle.staging import Staging

# The columns the import sets, in the order of the records' rows.
PERSON_COLUMNS = (*PERSON_FIELDS, *ADDRESS_FIELDS)
LINK_COLUMNS = tuple(LINK_FIELDS)


def apply_representatives(
    academy_id: int, establishment_id: int, data: SiecleData, report: ImportReport
) -> None:
    """Write persons and links of ``data`` for the establishment."""
    owner = {"academy_id": academy_id, "establishment_id": establishment_id}
    staging = data.staging
    absent = _apply_persons(establishment_id, staging, report, owner)
    staging.set_students(
        bulk.pages(
            select(Student.id, Student.eleve_id).where(
                Student.establishment_id == establishment_id
            ),
            Student.id,
        )
    )
    _apply_links(establishment_id, staging, report, owner)
    _remove_absent_persons(establishment_id, absent, report)


def _apply_persons(
    establishment_id: int, staging: Staging, report: ImportReport, owner: dict[str, int]
) -> list[int]:
    """Update the establishment's persons the file lists and create the others; return the ids
    of the persons it no longer lists."""
    absent: list[int] = []
    for rows in bulk.pages(
        select(Representative.id, *(getattr(Representative, c) for c in PERSON_COLUMNS)).where(
            Representative.establishment_id == establishment_id
        ),
        Representative.id,
    ):
        records = staging.persons_by_id([row.personne_id for row in rows])
        changes: list[dict[str, Any]] = []
        found: list[tuple[int, int]] = []
        for row in rows:
            person = records.get(row.personne_id)
            if person is None:
                absent.append(row.id)
                continue
            found.append((person.seq, row.id))
            if row[1:] != person.row:
                changes.append({"id": row.id, **person.values})
        bulk.update_rows(Representative, changes)
        staging.set_person_ids(found)
        report.representatives.updated += len(changes)
    for persons in staging.new_persons():
        ids = bulk.insert_returning_ids(Representative, [{**p.values, **owner} for p in persons])
        staging.set_person_ids(zip((p.seq for p in persons), ids, strict=True))
        report.representatives.created += len(ids)
    return absent


def _apply_links(
    establishment_id: int, staging: Staging, report: ImportReport, owner: dict[str, int]
) -> None:
    """Update the establishment's links the file lists, remove the others, create the new ones
    (links to a student who is not enrolled here are skipped)."""
    for rows in bulk.pages(
        select(
            StudentRepresentative.id,
            StudentRepresentative.student_id,
            StudentRepresentative.representative_id,
            *(getattr(StudentRepresentative, c) for c in LINK_COLUMNS),
        ).where(StudentRepresentative.establishment_id == establishment_id),
        StudentRepresentative.id,
    ):
        records = staging.links_by_pair([(row.student_id, row.representative_id) for row in rows])
        changes: list[dict[str, Any]] = []
        gone: list[int] = []
        found: list[int] = []
        for row in rows:
            link = records.get((row.student_id, row.representative_id))
            if link is None:
                gone.append(row.id)
                continue
            found.append(link.seq)
            if row[3:] != link.row:
                changes.append({"id": row.id, **link.values})
        bulk.update_rows(StudentRepresentative, changes)
        bulk.delete_where_in(StudentRepresentative, StudentRepresentative.id, gone)
        staging.set_links_found(found)
        report.links.updated += len(changes)
        report.links.removed += len(gone)
    for links in staging.new_links():
        bulk.insert_rows(
            StudentRepresentative,
            [
                {
                    **link.values,
                    **owner,
                    "student_id": link.student_id,
                    "representative_id": link.representative_id,
                }
                for link in links
            ],
        )
        report.links.created += len(links)


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
