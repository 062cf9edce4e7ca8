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

New accounts are "Non notifié", without password; identifiers are allocated for the whole batch
at once, students first, in the order of their rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from teleservices.accounts.identifiers import allocate_identifiers, identifier_base, identifier_stem
from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
from teleservices.extensions import db
from teleservices.school import bulk
from teleservices.school.models import Representative, Student, StudentRepresentative


@dataclass
class PrecreationResult:
    """What pre-creation did for one establishment."""

    student_accounts: int = 0
    representative_accounts: int = 0
    continued: int = 0
    detached: int = 0


@dataclass(frozen=True)
class _NewAccount:
    kind: AccountKind
    stem: str
    student_id: int
    representative_id: int | None


def _person(row: Any) -> str:
    """Who a row designates, for matching the same person across establishments."""
    return identifier_stem(row.first_name, row.last_name, row.usage_name)


class Precreation:
    """Pre-creation for one establishment of the current academy."""

    def __init__(self, academy_id: int, establishment_id: int) -> None:
        self.academy_id = academy_id
        self.establishment_id = establishment_id
        self.result = PrecreationResult()
        self._new: list[_NewAccount] = []
        self.enrolled = {
            row.id: row
            for row in db.session.execute(
                select(
                    Student.id,
                    Student.first_name,
                    Student.last_name,
                    Student.usage_name,
                    Student.left_at,
                )
                .where(Student.establishment_id == establishment_id)
                .order_by(Student.id)
            )
        }

    def run(self, representatives_imported: bool) -> PrecreationResult:
        grants = sorted(
            bulk.rows_where_in(
                select(AccountChild.id, AccountChild.student_id, AccountChild.representative_id),
                AccountChild.student_id,
                self.enrolled,
            )
        )
        self._students({g.student_id for g in grants if g.representative_id is None})
        if representatives_imported:
            self._representatives([g for g in grants if g.representative_id is not None])
        self._create()
        return self.result

    def _students(self, with_account: set[int]) -> None:
        for student_id, row in self.enrolled.items():
            if row.left_at is None and student_id not in with_account:
                self._new.append(_NewAccount(AccountKind.STUDENT, _person(row), student_id, None))

    def _persons(self, grants: list[Any]) -> dict[int, Any]:
        """Names and establishment of the establishment's persons and of those holding grants."""
        columns = (
            Representative.id,
            Representative.establishment_id,
            Representative.first_name,
            Representative.last_name,
            Representative.usage_name,
        )
        persons = {
            row.id: row
            for row in db.session.execute(
                select(*columns).where(Representative.establishment_id == self.establishment_id)
            )
        }
        elsewhere = {g.representative_id for g in grants} - set(persons)
        persons.update(
            (row.id, row)
            for row in bulk.rows_where_in(select(*columns), Representative.id, elsewhere)
        )
        return persons

    def _representatives(self, grants: list[Any]) -> None:
        persons = self._persons(grants)
        entitled = [
            (row.student_id, row.representative_id)
            for row in db.session.execute(
                select(StudentRepresentative.student_id, StudentRepresentative.representative_id)
                .where(
                    StudentRepresentative.establishment_id == self.establishment_id,
                    StudentRepresentative.gives_account,
                )
                .order_by(StudentRepresentative.id)
            )
        ]
        entitled_pairs = set(entitled)
        covered = {(g.student_id, g.representative_id) for g in grants}
        by_student: dict[int, list[tuple[int, int]]] = {}
        for key in entitled:
            by_student.setdefault(key[0], []).append(key)
        continued: list[dict[str, Any]] = []
        detached: list[int] = []
        for grant in grants:
            pair = (grant.student_id, grant.representative_id)
            if pair in entitled_pairs or self.enrolled[grant.student_id].left_at is not None:
                continue
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
        self.result.continued = len(continued)
        self.result.detached = len(detached)
        for student_id, representative_id in entitled:
            student = self.enrolled.get(student_id)
            if (student_id, representative_id) in covered or student is None or student.left_at:
                continue
            self._new.append(
                _NewAccount(
                    AccountKind.REPRESENTATIVE,
                    _person(persons[representative_id]),
                    student_id,
                    representative_id,
                )
            )

    def _create(self) -> None:
        if not self._new:
            return
        identifiers = allocate_identifiers([n.stem for n in self._new])
        account_ids = bulk.insert_returning_ids(
            Account,
            [
                {
                    "academy_id": self.academy_id,
                    "identifier": identifier,
                    "identifier_base": identifier_base(identifier),
                    "kind": new.kind,
                    "state": AccountState.NON_NOTIFIE,
                    "email": "",
                    "email_confirmed": False,
                }
                for new, identifier in zip(self._new, identifiers, strict=True)
            ],
        )
        bulk.insert_rows(
            AccountChild,
            [
                {
                    "academy_id": self.academy_id,
                    "account_id": account_id,
                    "student_id": new.student_id,
                    "representative_id": new.representative_id,
                }
                for new, account_id in zip(self._new, account_ids, strict=True)
            ],
        )
        self.result.student_accounts = sum(n.kind is AccountKind.STUDENT for n in self._new)
        self.result.representative_accounts = len(self._new) - self.result.student_accounts


def precreate_accounts(
    academy_id: int, establishment_id: int, representatives_imported: bool
) -> PrecreationResult:
    """Run pre-creation for the establishment (inside the caller's transaction)."""
    return Precreation(academy_id, establishment_id).run(representatives_imported)
