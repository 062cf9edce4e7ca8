"""Lists of student accounts by division or group (NOT-5, staff guide §4.3), as PDF and CSV.

For the distribution in class: each student (alphabetical order) with division, birth date (to
check it: a wrong one prevents the first connection), identifier and provisional password. A used
account's password is never shown (``*****``); a student whose account was never notified (or who
has none) reads « Compte à notifier » instead of identifier and password. The PDF has one table
per division (or for the group), the CSV one line per student, escaped against formulas.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from teleservices import csv_safe
from teleservices.accounts.models import Account, AccountChild, AccountState
from teleservices.extensions import db
from teleservices.notifications.context import long_date
from teleservices.pdf import render_pdf
from teleservices.school import bulk
from teleservices.school.models import Division, Group, Student, StudentGroup
from teleservices.security.secrets_box import decrypt
from teleservices.tenancy.models import Establishment

HIDDEN_PASSWORD = "*****"  # noqa: S105 - the mask shown for a used account
TO_NOTIFY = "Compte à notifier"
UNREADABLE = "illisible : notifier à nouveau"
TEMPLATE = "notifications/student_list.html"
LOCAL_TIME = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class StudentListRow:
    """One student of a list."""

    last_name: str
    first_name: str
    division: str
    groups: str
    birth_date: date | None
    identifier: str
    password: str
    notified_at: datetime | None
    state: str
    last_login_at: datetime | None

    @property
    def to_notify(self) -> bool:
        return self.identifier == TO_NOTIFY


@dataclass(frozen=True)
class StudentListSection:
    """The students of one division or one group."""

    title: str
    code: str
    by_group: bool
    rows: tuple[StudentListRow, ...]


def _password(account: Any) -> str:
    if account.state is AccountState.UTILISE:
        return HIDDEN_PASSWORD
    if account.state is not AccountState.NOTIFIE or not account.provisional_password_encrypted:
        return ""
    return decrypt(account.provisional_password_encrypted) or UNREADABLE


def _rows(students: Sequence[Any], group_codes: dict[int, str]) -> tuple[StudentListRow, ...]:
    """The students' rows, with their student account (one query per batch of students)."""
    ids = [student.id for student in students]
    owners = dict(
        bulk.rows_where_in(
            select(AccountChild.account_id, AccountChild.student_id).where(
                AccountChild.representative_id.is_(None)
            ),
            AccountChild.student_id,
            ids,
        )
    )
    accounts = {
        account.id: account
        for account in bulk.rows_where_in(
            select(
                Account.id,
                Account.identifier,
                Account.state,
                Account.provisional_password_encrypted,
                Account.notified_at,
                Account.last_login_at,
            ),
            Account.id,
            owners,
        )
    }
    account_of = {student_id: accounts[account_id] for account_id, student_id in owners.items()}
    return tuple(
        _row(student, account_of.get(student.id), group_codes.get(student.id, ""))
        for student in students
    )


def _row(student: Any, account: Any, groups: str) -> StudentListRow:
    """A student's line (``account`` None when none): « Compte à notifier » when not notified."""
    to_notify = account is None or account.state is AccountState.NON_NOTIFIE
    return StudentListRow(
        last_name=student.usage_name or student.last_name,
        first_name=student.first_name,
        division=student.division_code or "",
        groups=groups,
        birth_date=student.birth_date,
        identifier=TO_NOTIFY if to_notify else account.identifier,
        password=TO_NOTIFY if to_notify else _password(account),
        notified_at=None if account is None else account.notified_at,
        state=(AccountState.NON_NOTIFIE if account is None else account.state).label,
        last_login_at=None if account is None else account.last_login_at,
    )


def _students(establishment: Establishment, *criteria: Any) -> list[Any]:
    statement = (
        select(
            Student.id,
            Student.first_name,
            Student.last_name,
            Student.usage_name,
            Student.birth_date,
            Division.code.label("division_code"),
        )
        .outerjoin(Division, Division.id == Student.division_id)
        .where(Student.establishment_id == establishment.id, Student.left_at.is_(None), *criteria)
    )
    students = list(db.session.execute(statement))
    students.sort(key=lambda s: ((s.usage_name or s.last_name).casefold(), s.first_name.casefold()))
    return students


def division_lists(
    establishment: Establishment, division_ids: Iterable[int] | None = None
) -> list[StudentListSection]:
    """One section per division (all the establishment's divisions when none is given)."""
    statement = (
        select(Division).filter_by(establishment_id=establishment.id).order_by(Division.code)
    )
    if division_ids is not None:
        statement = statement.where(Division.id.in_(list(division_ids)))
    sections = []
    for division in db.session.execute(statement).scalars():
        students = _students(establishment, Student.division_id == division.id)
        sections.append(
            StudentListSection(
                title=f"Division {division.code}",
                code=division.code,
                by_group=False,
                rows=_rows(students, {}),
            )
        )
    return sections


def group_list(establishment: Establishment, group_id: int) -> StudentListSection:
    """The section of one teaching group: its students with their division and the group."""
    group = db.session.execute(
        select(Group).filter_by(establishment_id=establishment.id, id=group_id)
    ).scalar_one()
    members = select(StudentGroup.student_id).where(StudentGroup.group_id == group.id)
    students = _students(establishment, Student.id.in_(members))
    return StudentListSection(
        title=f"Groupe {group.code}",
        code=group.code,
        by_group=True,
        rows=_rows(students, {student.id: group.code for student in students}),
    )


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TIME).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def list_pdf(
    establishment: Establishment, sections: Sequence[StudentListSection], on: date | None = None
) -> bytes:
    """The lists as one PDF (A4 landscape), one table per section, each starting a page."""
    html = current_app.jinja_env.get_template(TEMPLATE).render(
        establishment=establishment,
        sections=sections,
        edited_on=long_date(on or date.today()),
        day=_day,
    )
    return render_pdf(html)


CSV_HEADER = (
    "Nom",
    "Prénom",
    "Division",
    "Groupe",
    "Date de naissance",
    "Identifiant",
    "Mot de passe provisoire",
    "Date de notification",
    "État du compte",
    "Dernier accès",
)


def list_csv(sections: Sequence[StudentListSection]) -> bytes:
    """The lists as one CSV file (UTF-8 with BOM, ``;``), cells escaped against formulas."""
    rows = (
        (
            row.last_name,
            row.first_name,
            row.division,
            row.groups,
            _day(row.birth_date),
            row.identifier,
            "" if row.to_notify else row.password,
            _day(row.notified_at),
            row.state,
            _day(row.last_login_at),
        )
        for section in sections
        for row in section.rows
    )
    return csv_safe.to_csv_bytes(CSV_HEADER, rows)
