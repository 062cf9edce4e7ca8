"""Apply the élèves file: students created, updated, moved, marked as left; group memberships.

Matching: a record is the establishment's student with the same ``ELEVE_ID``; failing that, the
academy's only student with the same INE (a new ``ELEVE_ID`` in the same establishment, or a
student coming from another establishment of the academy: the row moves with its accounts,
DAT-2). A student coming from elsewhere is not taken back by an establishment whose record says
they left, nor by an older enrolment than the one they have now. A student leaves when
``DATE_SORTIE`` is reached, or when a later export no longer lists them; a moved student's
links and group memberships in the previous establishment are removed.

Memory does not grow with the file: matching is decided first (the establishment's students read
once, the records' matched rows kept in the staging database), then records are applied a page
at a time (the page's rows loaded by id, its new rows inserted, its changes and group
memberships written) inside the caller's transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from teleservices.extensions import db
from teleservices.school import bulk
from teleservices.school.models import Student, StudentGroup, StudentRepresentative
from teleservices.school.siecle import parsing
from teleservices.school.siecle.nomenclature import Codes
from teleservices.school.siecle.records import SiecleData, StudentRecord
from teleservices.school.siecle.report import ImportReport
from teleservices.school.siecle.staging import Staging
from teleservices.tenancy.models import Establishment

# Every column the import sets, compared to decide whether a row changed.
COLUMNS = (
    "eleve_id",
    "elenoet",
    "ine",
    "last_name",
    "usage_name",
    "first_name",
    "first_name_2",
    "first_name_3",
    "birth_date",
    "birth_country_code",
    "birth_department_code",
    "birth_commune_code",
    "birth_city",
    "sex",
    "regime_code",
    "email",
    "phone_home",
    "phone_mobile",
    "phone_work",
    "accepts_sms",
    "entry_date",
    "exit_date",
    "mef_id",
    "division_id",
    "left_at",
)
_SELECT = select(Student.id, Student.establishment_id, *(getattr(Student, c) for c in COLUMNS))
MATCHED = "student"  # the staging set of the rows matched by a record


class StudentImport:
    """One application of an élèves file to one establishment."""

    def __init__(
        self,
        academy_id: int,
        establishment_id: int,
        data: SiecleData,
        codes: Codes,
        report: ImportReport,
        today: date,
    ) -> None:
        self.academy_id = academy_id
        self.establishment_id = establishment_id
        self.staging: Staging = data.staging
        self.codes = codes
        self.report = report
        self.today = today
        self.file = data.file_of(parsing.ELEVES) or ""
        self._establishments: dict[int, str] | None = None

    def target(self, record: StudentRecord) -> dict[str, Any]:
        """The column values the record asks for."""
        exit_date = record.values["exit_date"]
        return {
            **record.values,
            "mef_id": self.codes.mefs.get(record.mef_code),
            "division_id": self.codes.divisions.get(record.division_code),
            "left_at": exit_date if exit_date is not None and exit_date <= self.today else None,
        }

    def run(self) -> None:
        self._match_by_eleve_id()
        self._match_by_ine()
        self._mark_absent_as_left()
        for page in self.staging.students():
            _Page(self, page).apply()

    def _match_by_eleve_id(self) -> None:
        """Each record's student of the establishment with the same ``ELEVE_ID``."""
        self.staging.match_eleve_ids(
            bulk.pages(
                select(Student.id, Student.eleve_id).where(
                    Student.establishment_id == self.establishment_id
                ),
                Student.id,
            ),
            MATCHED,
        )

    def _match_by_ine(self) -> None:
        """The academy's students that unmatched records designate by INE (when unambiguous:
        one unmatched record with that INE, one student not already matched carrying it)."""
        for page in self.staging.unmatched_unique_ines():
            seqs = dict(page)
            rows = bulk.rows_where_in(select(Student.id, Student.ine), Student.ine, seqs)
            taken = self.staging.marked(MATCHED, [row.id for row in rows])
            found: dict[str, list[int]] = {}
            for row in rows:
                if row.id not in taken:
                    found.setdefault(row.ine, []).append(row.id)
            matches = []
            for ine, candidates in found.items():
                if len(candidates) == 1:
                    matches.append((seqs[ine], candidates[0]))
                else:
                    self.report.warn(
                        self.file,
                        None,
                        f"INE {ine} porté par plusieurs élèves de l'académie : nouvel élève créé",
                    )
            self.staging.match_students(matches)
            self.staging.mark(MATCHED, (row_id for _, row_id in matches))

    def _mark_absent_as_left(self) -> None:
        """Students of the establishment that no record designates have left (today)."""
        statement = select(Student.id).where(
            Student.establishment_id == self.establishment_id, Student.left_at.is_(None)
        )
        for page in bulk.pages(statement, Student.id):
            ids = [row_id for (row_id,) in page]
            matched = self.staging.marked(MATCHED, ids)
            left = [{"id": i, "left_at": self.today} for i in ids if i not in matched]
            bulk.update_rows(Student, left)
            self.report.left += len(left)

    def uai(self, establishment_id: int) -> str:
        if self._establishments is None:
            self._establishments = dict(
                db.session.execute(select(Establishment.id, Establishment.uai)).all()
            )
        return self._establishments.get(establishment_id, "?")


class _Page:
    """One page of records of an élèves file, applied at once."""

    def __init__(self, run: StudentImport, records: list[StudentRecord]) -> None:
        self.run = run
        self.records = records
        self.report = run.report
        self.ids: dict[str, int] = {}
        self._new: list[dict[str, Any]] = []
        self._changes: list[dict[str, Any]] = []
        self._moved: list[int] = []

    def apply(self) -> None:
        run = self.run
        rows = {
            row.id: row
            for row in bulk.rows_where_in(
                _SELECT, Student.id, [r.row_id for r in self.records if r.row_id is not None]
            )
        }
        for record in self.records:
            target = run.target(record)
            row = rows.get(record.row_id) if record.row_id is not None else None
            if row is None:
                self._new.append(
                    {
                        **target,
                        "academy_id": run.academy_id,
                        "establishment_id": run.establishment_id,
                    }
                )
            elif row.establishment_id != run.establishment_id:
                self._move(record, row, target)
            else:
                self._update(record, row, target)
        new_ids = bulk.insert_returning_ids(Student, self._new)
        self.ids.update(zip((r["eleve_id"] for r in self._new), new_ids, strict=True))
        self.report.students.created += len(new_ids)
        bulk.update_rows(Student, self._changes)
        bulk.delete_where_in(StudentRepresentative, StudentRepresentative.student_id, self._moved)
        self._apply_groups(set(new_ids))

    def _update(self, record: StudentRecord, row: Any, target: dict[str, Any]) -> None:
        self.ids[record.eleve_id] = row.id
        if any(getattr(row, column) != value for column, value in target.items()):
            self._changes.append({"id": row.id, **target})
            self.report.students.updated += 1
            if row.left_at is None and target["left_at"] is not None:
                self.report.left += 1

    def _move(self, record: StudentRecord, row: Any, target: dict[str, Any]) -> None:
        if target["left_at"] is not None:
            return  # this establishment only records their exit: they are enrolled elsewhere
        entry, current_entry = target["entry_date"], row.entry_date
        if row.left_at is None and entry and current_entry and current_entry > entry:
            uai = self.run.uai(row.establishment_id)
            self.report.warn(
                self.run.file,
                record.line,
                f"ELEVE_ID {record.eleve_id} (INE {row.ine}) est inscrit depuis le "
                f"{current_entry:%d/%m/%Y} à l'établissement {uai} : ignoré",
            )
            return
        self.ids[record.eleve_id] = row.id
        self._changes.append(
            {"id": row.id, **target, "establishment_id": self.run.establishment_id}
        )
        self._moved.append(row.id)
        self.report.moved += 1

    def _apply_groups(self, new_ids: set[int]) -> None:
        groups = self.run.codes.groups
        wanted = {
            self.ids[r.eleve_id]: {groups[g] for g in r.group_codes}
            for r in self.records
            if r.eleve_id in self.ids
        }
        moved = set(self._moved)
        existing: dict[int, set[int]] = {}
        for student_id, group_id in bulk.rows_where_in(
            select(StudentGroup.student_id, StudentGroup.group_id),
            StudentGroup.student_id,
            [i for i in wanted if i not in new_ids],
        ):
            existing.setdefault(student_id, set()).add(group_id)
        changed = [
            i for i, groups in wanted.items() if i in moved or existing.get(i, set()) != groups
        ]
        bulk.delete_where_in(StudentGroup, StudentGroup.student_id, changed)
        bulk.insert_rows(
            StudentGroup,
            [
                {
                    "academy_id": self.run.academy_id,
                    "establishment_id": self.run.establishment_id,
                    "student_id": student_id,
                    "group_id": group_id,
                }
                for student_id in changed
                for group_id in sorted(wanted[student_id])
            ],
        )
        counted = {c["id"] for c in self._changes} | new_ids
        self.report.students.updated += len([i for i in changed if i not in counted])
