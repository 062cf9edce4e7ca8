"""Account pre-creation at import (ACC-1, ACC-2) and representative access kept in step with
the school data.

For one establishment, after its import:

- every student enrolled (not left) without a student account gets one;
- when the representatives were imported, the representative access follows the links that give
  an account (level 1, or ``CODE_PARENTE`` 70): a pair whose link is gone loses its access; the
  access of a student who moved in from another establishment passes to the person of this
  establishment with the same name (same account, DAT-2) or is removed; every remaining pair
  without access gets a new representative account. The access to a student who left is kept as
  it is, for the establishment they may arrive in.

New accounts are "Non notifié", without password; identifiers are allocated students first, in
the order of their rows, then representatives, in the order of their links. The work goes a page
of students (or of links) at a time, each page's accounts written before the next page's
identifiers are allocated, so memory does not grow with the establishment and numbering is the
same as for a single batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from teleservices.accounts.identifiers import allocate_identifiers, identifier_base, identifier_stem
from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
from teleservices.school import bulk
from teleservices.school.models import Representative, Student, StudentRepresentative


@dataclass
class PrecreationResult:
    """What pre-creation did for one establishment."""

    student_accounts: int = 0
    representative_accounts: int = 0
    continued: int = 0
    detached: int = 0


@dataclass(frozen=True, slots=True)
class _NewAccount:
    kind: AccountKind
    stem: str
    student_id: int
    representative_id: int | None


def _person(row: Any) -> str:
    """Who a row designates, for matching the same person across establishments."""
    return identifier_stem(row.first_name, row.last_name, row.usage_name)


_PERSON_COLUMNS = (
    Representative.id,
    Representative.establishment_id,
    Representative.first_name,
    Representative.last_name,
    Representative.usage_name,
)


class Precreation:
    """Pre-creation for one establishment of the current academy."""

    def __init__(self, academy_id: int, establishment_id: int) -> None:
        self.academy_id = academy_id
        self.establishment_id = establishment_id
        self.result = PrecreationResult()
        self._students_select = select(
            Student.id,
            Student.first_name,
            Student.last_name,
            Student.usage_name,
            Student.left_at,
        ).where(Student.establishment_id == establishment_id)

    def run(self, representatives_imported: bool) -> PrecreationResult:
        for page in bulk.pages(self._students_select, Student.id):
            grants = sorted(
                bulk.rows_where_in(
                    select(
                        AccountChild.id, AccountChild.student_id, AccountChild.representative_id
                    ),
                    AccountChild.student_id,
                    [row.id for row in page],
                )
            )
            self._students(page, {g.student_id for g in grants if g.representative_id is None})
            if representatives_imported:
                self._carry_over(
                    {row.id: row for row in page},
                    [g for g in grants if g.representative_id is not None],
                )
        if representatives_imported:
            self._representatives()
        return self.result

    def _students(self, enrolled: list[Any], with_account: set[int]) -> None:
        """A student account for each student of the page still enrolled and without one."""
        self._create(
            [
                _NewAccount(AccountKind.STUDENT, _person(row), row.id, None)
                for row in enrolled
                if row.left_at is None and row.id not in with_account
            ]
        )

    def _carry_over(self, enrolled: dict[int, Any], grants: list[Any]) -> None:
        """For a page of students and their representative access (``grants``, by id): the
        access no longer given by a link passes to the same person in this establishment (a
        student who moved in) or is removed."""
        if not grants:
            return
        links = bulk.rows_where_in(
            select(
                StudentRepresentative.id,
                StudentRepresentative.student_id,
                StudentRepresentative.representative_id,
            ).where(
                StudentRepresentative.establishment_id == self.establishment_id,
                StudentRepresentative.gives_account,
            ),
            StudentRepresentative.student_id,
            enrolled,
        )
        entitled = [(row.student_id, row.representative_id) for row in sorted(links)]
        entitled_pairs = set(entitled)
        orphans = [
            g
            for g in grants
            if (g.student_id, g.representative_id) not in entitled_pairs
            and enrolled[g.student_id].left_at is None
        ]
        if not orphans:
            return
        persons = {
            row.id: row
            for row in bulk.rows_where_in(
                select(*_PERSON_COLUMNS),
                Representative.id,
                {g.representative_id for g in orphans} | {key[1] for key in entitled},
            )
        }
        covered = {(g.student_id, g.representative_id) for g in grants}
        by_student: dict[int, list[tuple[int, int]]] = {}
        for key in entitled:
            by_student.setdefault(key[0], []).append(key)
        continued: list[dict[str, Any]] = []
        detached: list[int] = []
        for grant in orphans:
            holder = persons[grant.representative_id]
            successor = None
            if holder.establishment_id != self.establishment_id:
                successor = next(
                    (
                        key
                        for key in by_student.get(grant.student_id, [])
                        if key not in covered and _person(persons[key[1]]) == _person(holder)
                    ),
                    None,
                )
            if successor is None:
                detached.append(grant.id)
            else:
                covered.add(successor)
                continued.append({"id": grant.id, "representative_id": successor[1]})
        bulk.delete_where_in(AccountChild, AccountChild.id, detached)
        bulk.update_rows(AccountChild, continued)
        self.result.continued += len(continued)
        self.result.detached += len(detached)

    def _representatives(self) -> None:
        """A representative account for each pair given access by a link and without one, for
        students still enrolled, in the order of the links."""
        links = select(
            StudentRepresentative.id,
            StudentRepresentative.student_id,
            StudentRepresentative.representative_id,
        ).where(
            StudentRepresentative.establishment_id == self.establishment_id,
            StudentRepresentative.gives_account,
        )
        for page in bulk.pages(links, StudentRepresentative.id):
            student_ids = {row.student_id for row in page}
            enrolled = {
                student_id
                for (student_id,) in bulk.rows_where_in(
                    select(Student.id).where(
                        Student.establishment_id == self.establishment_id,
                        Student.left_at.is_(None),
                    ),
                    Student.id,
                    student_ids,
                )
            }
            covered = {
                (row.student_id, row.representative_id)
                for row in bulk.rows_where_in(
                    select(AccountChild.student_id, AccountChild.representative_id),
                    AccountChild.student_id,
                    enrolled,
                )
            }
            wanted = [
                row
                for row in page
                if row.student_id in enrolled
                and (row.student_id, row.representative_id) not in covered
            ]
            persons = {
                row.id: row
                for row in bulk.rows_where_in(
                    select(*_PERSON_COLUMNS),
                    Representative.id,
                    {row.representative_id for row in wanted},
                )
            }
            self._create(
                [
                    _NewAccount(
                        AccountKind.REPRESENTATIVE,
                        _person(persons[row.representative_id]),
                        row.student_id,
                        row.representative_id,
                    )
                    for row in wanted
                ]
            )

    def _create(self, new: list[_NewAccount]) -> None:
        if not new:
            return
        identifiers = allocate_identifiers([n.stem for n in new])
        account_ids = bulk.insert_returning_ids(
            Account,
            [
                {
                    "academy_id": self.academy_id,
                    "identifier": identifier,
                    "identifier_base": identifier_base(identifier),
                    "kind": n.kind,
                    "state": AccountState.NON_NOTIFIE,
                    "email": "",
                    "email_confirmed": False,
                }
                for n, identifier in zip(new, identifiers, strict=True)
            ],
        )
        bulk.insert_rows(
            AccountChild,
            [
                {
                    "academy_id": self.academy_id,
                    "account_id": account_id,
                    "student_id": n.student_id,
                    "representative_id": n.representative_id,
                }
                for n, account_id in zip(new, account_ids, strict=True)
            ],
        )
        students = sum(n.kind is AccountKind.STUDENT for n in new)
        self.result.student_accounts += students
        self.result.representative_accounts += len(new) - students


def precreate_accounts(
    academy_id: int, establishment_id: int, representatives_imported: bool
) -> PrecreationResult:
    """Run pre-creation for the establishment (inside the caller's transaction)."""
    return Precreation(academy_id, establishment_id).run(representatives_imported)
