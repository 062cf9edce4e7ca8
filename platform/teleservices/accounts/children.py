"""The students an account gives access to, as the screens and e-mails show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from teleservices.accounts.models import Account, AccountChild
from teleservices.extensions import db
from teleservices.school.models import Representative, Student
from teleservices.tenancy.models import Establishment


@dataclass(frozen=True)
class Child:
    """One student attached to an account, with what the family sees of them."""

    student_id: int
    first_name: str
    name: str
    birth_date: date | None
    division: str
    establishment: str
    representative_id: int | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.name}".strip()


def children_of(account: Account) -> list[Child]:
    """The account's students in the order they were attached (one query)."""
    rows = db.session.execute(
        select(AccountChild.representative_id, Student, Establishment.name)
        .join(Student, Student.id == AccountChild.student_id)
        .join(Establishment, Establishment.id == Student.establishment_id)
        .where(AccountChild.account_id == account.id)
        .order_by(AccountChild.id)
    ).all()
    return [
        Child(
            student_id=student.id,
            first_name=student.first_name,
            name=student.name,
            birth_date=student.birth_date,
            division=student.division.code if student.division else "",
            establishment=establishment,
            representative_id=representative_id,
        )
        for representative_id, student, establishment in rows
    ]


def representative_of(account: Account) -> Representative | None:
    """The person a representative account was created for (its first child's representative)."""
    return db.session.scalar(
        select(Representative)
        .join(AccountChild, AccountChild.representative_id == Representative.id)
        .where(AccountChild.account_id == account.id)
        .order_by(AccountChild.id)
        .limit(1)
    )


def school_email(account: Account) -> str:
    """The address the school data give for the account's holder ("" when none)."""
    if account.is_representative:
        person = representative_of(account)
        return person.email.strip() if person else ""
    student = db.session.scalar(
        select(Student)
        .join(AccountChild, AccountChild.student_id == Student.id)
        .where(AccountChild.account_id == account.id)
        .limit(1)
    )
    return student.email.strip() if student else ""


def greeting(account: Account, person: Representative | None, first_child: str | None) -> str:
    """The greeting from already loaded data: the representative a representative account was
    created for, or the full name of a student account's first child."""
    if account.is_representative:
        if person is None:
            return account.identifier
        civility = {"M.": "M.", "M": "M.", "MME": "Mme", "MLLE": "Mme"}.get(
            person.civility.strip().upper(), ""
        )
        return f"{civility} {person.name.title()}".strip()
    return first_child or account.identifier


def greeting_name(account: Account) -> str:
    """``M. Dupont`` / ``Mme Durand`` for a representative, ``Alice Dupont`` for a student."""
    if account.is_representative:
        return greeting(account, representative_of(account), None)
    children = children_of(account)
    return greeting(account, None, children[0].full_name if children else None)
