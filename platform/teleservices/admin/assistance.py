"""Account assistance (ADM-5, staff guide §3.2 and §4.2): find an establishment's family or student
accounts and act on one of them.

The search filters on the first letters of the student's name, the MEF, the division and the
account state, one page of 50 rows in one query (plus one for the count). The actions:

- ``resend_activation``: a new confirmation link, to a corrected address if given;
- ``renotify``: a new provisional password (a used account's chosen password is reset: the family
  redoes the first connection), by letter or e-mail;
- ``new_account``: a fresh normalised identifier for one (representative, student) pair or for a
  student; the pair leaves its old account, which is deleted when no child remains on it, and stays
  open for its other children otherwise (this undoes a merge);
- ``refuse``: the family refuses the service: the account is closed (Fermé) and keeps its children,
  so the next SIECLE import does not pre-create another one;
- ``write``: one e-mail to the account's address through the outbox.

The caller records the audit entry and commits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, delete, func, select

from teleservices import mail
from teleservices.accounts import confirmation
from teleservices.accounts.children import school_email
from teleservices.accounts.identifiers import allocate_identifiers, identifier_base, identifier_stem
from teleservices.accounts.lifecycle import transition
from teleservices.accounts.models import (
    Account,
    AccountChild,
    AccountKind,
    AccountState,
    AccountToken,
    NotificationMode,
)
from teleservices.accounts.notification import Notification, notify
from teleservices.extensions import db
from teleservices.school.models import Division, Representative, Student
from teleservices.tenancy.models import Establishment

PAGE_SIZE = 50


class Audience(enum.StrEnum):
    """The two assistance screens: « Gérer le compte responsable » and « … élève »."""

    REPRESENTATIVES = "responsables"
    STUDENTS = "eleves"

    @property
    def kind(self) -> AccountKind:
        if self is Audience.STUDENTS:
            return AccountKind.STUDENT
        return AccountKind.REPRESENTATIVE


class AssistanceError(ValueError):
    """An action that does not apply to the account as it is (the message is for the staff)."""


@dataclass(frozen=True)
class Filters:
    name: str = ""
    mef_id: int | None = None
    division_id: int | None = None
    state: AccountState | None = None


@dataclass(frozen=True)
class Row:
    """One line of the search: an account seen through one of its students here."""

    account_id: int
    identifier: str
    state: AccountState
    notified_at: datetime | None
    notification_mode: NotificationMode | None
    last_login_at: datetime | None
    email: str
    email_confirmed: bool
    student_name: str
    student_first_name: str
    birth_date: date | None
    division: str
    person: str


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _base(establishment: Establishment, audience: Audience, filters: Filters) -> Select[Any]:
    statement = (
        select(AccountChild.id)
        .join(Account, Account.id == AccountChild.account_id)
        .join(Student, Student.id == AccountChild.student_id)
        .where(Student.establishment_id == establishment.id, Account.kind == audience.kind)
    )
    if audience is Audience.REPRESENTATIVES:
        statement = statement.where(AccountChild.representative_id.is_not(None))
    if filters.name.strip():
        prefix = _escape_like(filters.name.strip().lower()) + "%"
        statement = statement.where(func.lower(Student.last_name).like(prefix, escape="\\"))
    if filters.mef_id is not None:
        statement = statement.where(Student.mef_id == filters.mef_id)
    if filters.division_id is not None:
        statement = statement.where(Student.division_id == filters.division_id)
    if filters.state is not None:
        statement = statement.where(Account.state == filters.state)
    else:
        statement = statement.where(Account.state != AccountState.FERME)
    return statement


def search(
    establishment: Establishment, audience: Audience, filters: Filters, page: int = 1
) -> tuple[list[Row], int]:
    """One page of matching accounts (by student name) and the total count."""
    base = _base(establishment, audience, filters)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        base.with_only_columns(
            Account,
            Student.last_name,
            Student.first_name,
            Student.birth_date,
            Division.code,
            Representative.civility,
            Representative.first_name,
            Representative.last_name,
        )
        .outerjoin(Division, Division.id == Student.division_id)
        .outerjoin(Representative, Representative.id == AccountChild.representative_id)
        .order_by(Student.last_name, Student.first_name, AccountChild.id)
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return [
        Row(
            account_id=account.id,
            identifier=account.identifier,
            state=account.state,
            notified_at=account.notified_at,
            notification_mode=account.notification_mode,
            last_login_at=account.last_login_at,
            email=account.email,
            email_confirmed=account.email_confirmed,
            student_name=last_name,
            student_first_name=first_name,
            birth_date=birth_date,
            division=division or "",
            person=" ".join(p for p in (civility, person_first, person_last) if p),
        )
        for (
            account,
            last_name,
            first_name,
            birth_date,
            division,
            civility,
            person_first,
            person_last,
        ) in rows
    ], total


def account_in(establishment: Establishment, account_id: int) -> Account | None:
    """The account if one of its students is in the establishment (the staff's scope)."""
    return db.session.scalar(
        select(Account)
        .join(AccountChild, AccountChild.account_id == Account.id)
        .join(Student, Student.id == AccountChild.student_id)
        .where(Account.id == account_id, Student.establishment_id == establishment.id)
        .limit(1)
    )


def resend_activation(account: Account, email: str = "") -> str:
    """A new confirmation link to the account's (or the corrected) address; the address used."""
    if account.state is not AccountState.EN_COURS_ACTIVATION:
        raise AssistanceError("Seul un compte « En cours d'activation » attend ce courriel.")
    address = (email or account.email).strip().lower()
    if not address:
        raise AssistanceError("Le compte n'a pas d'adresse mail : saisissez-en une.")
    confirmation.send_link(account, address)
    return address


def renotify(account: Account, mode: NotificationMode) -> Notification:
    """Re-notify with a new provisional password (a used account's password is reset)."""
    if account.state is AccountState.FERME:
        raise AssistanceError("Ce compte est fermé.")
    if mode is NotificationMode.EMAIL and not notification_address_of(account):
        raise AssistanceError(
            "Aucune adresse mail n'est connue pour ce compte : notifiez-le par courrier."
        )
    if account.state is AccountState.UTILISE:
        transition(account, AccountState.NOTIFIE)
    account.provisional_password_encrypted = None
    return notify(account, mode)


def notification_address_of(account: Account) -> str:
    if account.email and account.email_confirmed:
        return account.email
    return school_email(account)


def _holder_stem(row: AccountChild) -> str:
    if row.representative is not None:
        person = row.representative
        return identifier_stem(person.first_name, person.last_name, person.usage_name)
    student = row.student
    return identifier_stem(student.first_name, student.last_name, student.usage_name)


def new_account(account: Account, establishment: Establishment) -> Account:
    """A fresh Non notifié account for the account's pair(s) in this establishment.

    The old account is deleted when no child remains on it, and otherwise keeps serving its
    other children (a merge is undone this way).
    """
    moving = list(
        db.session.scalars(
            select(AccountChild)
            .join(Student, Student.id == AccountChild.student_id)
            .where(
                AccountChild.account_id == account.id,
                Student.establishment_id == establishment.id,
            )
            .order_by(AccountChild.id)
        )
    )
    if not moving:
        raise AssistanceError("Ce compte n'a pas d'élève dans l'établissement.")
    (identifier,) = allocate_identifiers([_holder_stem(moving[0])])
    fresh = Account(
        identifier=identifier, identifier_base=identifier_base(identifier), kind=account.kind
    )
    db.session.add(fresh)
    db.session.flush()
    for row in moving:
        row.account_id = fresh.id
    db.session.flush()
    remaining = db.session.scalar(
        select(func.count(AccountChild.id)).where(AccountChild.account_id == account.id)
    )
    if not remaining:
        db.session.execute(
            delete(AccountToken)
            .where(AccountToken.account_id == account.id)
            .execution_options(synchronize_session=False)
        )
        db.session.delete(account)
    db.session.flush()
    return fresh


def refuse(account: Account) -> None:
    """Close the account on the family's refusal; its children stay attached (no new account)."""
    if account.state is AccountState.FERME:
        raise AssistanceError("Ce compte est déjà fermé.")
    transition(account, AccountState.FERME)


def write(account: Account, subject: str, body: str) -> str:
    """E-mail the account's holder; return the address written to."""
    address = notification_address_of(account)
    if not address:
        raise AssistanceError("Aucune adresse mail n'est connue pour ce compte.")
    mail.send_mail(address, subject, body)
    return address
