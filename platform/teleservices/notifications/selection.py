"""The selection of a mass notification (NOT-3, staff guide §3.1 and §4.1): an establishment's
representative or student accounts filtered by division, régime and account state, with what the
screen must flag — an account keeping the identifier of a previous establishment (it also gives
access to a child elsewhere: shown in red), an address whose format is invalid, a letter that
cannot be printed. Two queries whatever the number of accounts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
from teleservices.extensions import db
from teleservices.school.models import Division, Representative, Student
from teleservices.school.regimes import Regime, regime_of
from teleservices.tenancy.models import Establishment

REPRESENTATIVES, STUDENTS = "representatives", "students"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Criteria:
    audience: str = REPRESENTATIVES
    division_ids: tuple[int, ...] = ()
    regime: Regime | None = None
    state: AccountState | None = None


@dataclass(frozen=True)
class Selected:
    """One line of the selection table."""

    account_id: int
    identifier: str
    state: AccountState
    student: str
    regime: str
    division: str
    person: str
    email: str
    email_invalid: bool
    notified_at: object
    notification_mode: str
    last_login_at: object
    from_previous_establishment: bool


def valid_email(value: str) -> bool:
    return bool(_EMAIL.match(value.strip()))


def select_accounts(establishment: Establishment, criteria: Criteria) -> list[Selected]:
    """The accounts of the establishment matching the criteria, by student name (one line per
    account: its first student here)."""
    kind = AccountKind.STUDENT if criteria.audience == STUDENTS else AccountKind.REPRESENTATIVE
    statement = (
        select(Account, Student, Division.code, Representative)
        .select_from(AccountChild)
        .join(Account, Account.id == AccountChild.account_id)
        .join(Student, Student.id == AccountChild.student_id)
        .outerjoin(Division, Division.id == Student.division_id)
        .outerjoin(Representative, Representative.id == AccountChild.representative_id)
        .where(
            Student.establishment_id == establishment.id,
            Student.left_at.is_(None),
            Account.kind == kind,
            Account.state != AccountState.FERME,
        )
        .order_by(Student.last_name, Student.first_name, AccountChild.id)
    )
    if criteria.division_ids:
        statement = statement.where(Student.division_id.in_(criteria.division_ids))
    if criteria.state is not None:
        statement = statement.where(Account.state == criteria.state)
    rows = db.session.execute(statement).all()
    elsewhere = _with_children_elsewhere(establishment, {row[0].id for row in rows})
    seen: set[int] = set()
    selected = []
    for account, student, division, person in rows:
        if account.id in seen:
            continue
        regime = regime_of(student.regime_code)
        if criteria.regime is not None and regime is not criteria.regime:
            continue
        seen.add(account.id)
        email = (
            account.email
            if account.email_confirmed
            else (person.email if person is not None else student.email)
        )
        selected.append(
            Selected(
                account_id=account.id,
                identifier=account.identifier,
                state=account.state,
                student=f"{student.last_name} {student.first_name}",
                regime=regime.label if regime else "",
                division=division or "",
                person=(
                    " ".join(p for p in (person.civility, person.first_name, person.last_name) if p)
                    if person is not None
                    else ""
                ),
                email=email,
                email_invalid=bool(email) and not valid_email(email),
                notified_at=account.notified_at,
                notification_mode=account.notification_mode.label
                if account.notification_mode
                else "",
                last_login_at=account.last_login_at,
                from_previous_establishment=account.id in elsewhere,
            )
        )
    return selected


def _with_children_elsewhere(establishment: Establishment, account_ids: set[int]) -> set[int]:
    if not account_ids:
        return set()
    rows = db.session.execute(
        select(AccountChild.account_id)
        .join(Student, Student.id == AccountChild.student_id)
        .where(
            AccountChild.account_id.in_(account_ids),
            Student.establishment_id != establishment.id,
        )
        .distinct()
    ).scalars()
    return set(rows)
