"""Test helpers for the family accounts (host and plugin tests): a small family built directly with
the models, notification, and form submission with the page's CSRF token."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from teleservices import mail
from teleservices.accounts.identifiers import allocate_identifiers, identifier_base, identifier_stem
from teleservices.accounts.lifecycle import transition
from teleservices.accounts.models import (
    Account,
    AccountChild,
    AccountKind,
    AccountState,
    NotificationMode,
)
from teleservices.accounts.notification import notify
from teleservices.extensions import db
from teleservices.school.models import Division, Representative, Student, StudentRepresentative
from teleservices.security.passwords import hash_password
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class Family:
    """A student, their level-1 representative, and the account of each (ids and identifiers)."""

    academy_id: int
    student_id: int
    representative_id: int
    student_account_id: int
    representative_account_id: int
    student_identifier: str
    representative_identifier: str
    birth_date: date


def make_family(
    app: Flask,
    academy: Academy,
    *,
    uai: str = "0251711Z",
    first_name: str = "Alice",
    last_name: str = "DUPONT",
    representative_first_name: str = "Jean",
    civility: str = "M.",
    birth_date: date = date(2012, 3, 14),
    division: str = "4C",
    representative_email: str = "jean.dupont@example.fr",
    student_email: str = "",
) -> Family:
    """Create the school data and the two Non notifié accounts of one family."""
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).where(Establishment.uai == uai))
        assert establishment is not None, uai
        group = db.session.scalar(
            select(Division).where(
                Division.establishment_id == establishment.id, Division.code == division
            )
        ) or Division(establishment_id=establishment.id, code=division, label=division)
        number = db.session.scalar(select(db.func.count(Student.id))) or 0
        student = Student(
            establishment_id=establishment.id,
            eleve_id=f"9{number:05d}",
            first_name=first_name,
            last_name=last_name,
            birth_date=birth_date,
            division=group,
            email=student_email,
        )
        person = Representative(
            establishment_id=establishment.id,
            personne_id=f"7{number:05d}",
            civility=civility,
            first_name=representative_first_name,
            last_name=last_name,
            email=representative_email,
        )
        db.session.add_all([student, person])
        db.session.flush()
        db.session.add(
            StudentRepresentative(
                establishment_id=establishment.id,
                student_id=student.id,
                representative_id=person.id,
                level=1,
                legal_rank=1,
            )
        )
        stems = [
            identifier_stem(first_name, last_name),
            identifier_stem(representative_first_name, last_name),
        ]
        identifiers = allocate_identifiers(stems)
        accounts = [
            Account(
                identifier=identifier,
                identifier_base=identifier_base(identifier),
                kind=kind,
            )
            for identifier, kind in zip(
                identifiers, (AccountKind.STUDENT, AccountKind.REPRESENTATIVE), strict=True
            )
        ]
        db.session.add_all(accounts)
        db.session.flush()
        db.session.add_all(
            [
                AccountChild(account_id=accounts[0].id, student_id=student.id),
                AccountChild(
                    account_id=accounts[1].id,
                    student_id=student.id,
                    representative_id=person.id,
                ),
            ]
        )
        db.session.commit()
        return Family(
            academy_id=academy.id,
            student_id=student.id,
            representative_id=person.id,
            student_account_id=accounts[0].id,
            representative_account_id=accounts[1].id,
            student_identifier=accounts[0].identifier,
            representative_identifier=accounts[1].identifier,
            birth_date=birth_date,
        )


def account_of(academy_id: int, account_id: int) -> Account:
    """The account row, loaded and detached (call inside an application context)."""
    with tenant(academy_id):
        account = db.session.scalar(select(Account).where(Account.id == account_id))
        assert account is not None
        db.session.expunge(account)
        return account


def notify_account(
    app: Flask, academy_id: int, account_id: int, mode: NotificationMode = NotificationMode.LETTER
) -> str | None:
    """Notify one account; return its provisional password (None for a used account)."""
    with app.app_context(), tenant(academy_id):
        account = db.session.scalar(select(Account).where(Account.id == account_id))
        assert account is not None
        result = notify(account, mode)
        db.session.commit()
        return result.password


def activate(app: Flask, academy_id: int, account_id: int, password: str, email: str = "") -> None:
    """Take an account straight to Utilisé with ``password`` (and ``email`` confirmed)."""
    with app.app_context(), tenant(academy_id):
        account = db.session.scalar(select(Account).where(Account.id == account_id))
        assert account is not None
        if account.state is AccountState.NON_NOTIFIE:
            notify(account, NotificationMode.LETTER)
        account.password_hash = hash_password(password)
        if account.is_representative:
            transition(account, AccountState.EN_COURS_ACTIVATION)
        transition(account, AccountState.UTILISE)
        account.email = email
        account.email_confirmed = bool(email)
        db.session.commit()


def csrf_token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = _CSRF.search(html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def submit(
    client: FlaskClient, page: str, data: dict[str, Any], action: str | None = None
) -> TestResponse:
    """Open ``page``, then post ``data`` with its CSRF token to ``action`` (default: ``page``)."""
    shown = client.get(page)
    assert shown.status_code == 200, (page, shown.status_code)
    return client.post(
        action or page, data={**data, "csrf_token": csrf_token(shown.get_data(as_text=True))}
    )


@dataclass(frozen=True)
class SentMail:
    to: str
    subject: str
    text: str
    html: str
    sender: str


def outbox(app: Flask, academy_id: int) -> list[SentMail]:
    """The e-mails the academy's outbox holds, oldest first."""
    with app.app_context(), tenant(academy_id):
        rows = db.session.scalars(select(mail.OutboxMessage).order_by(mail.OutboxMessage.id))
        return [SentMail(r.to, r.subject, r.text_body, r.html_body or "", r.sender) for r in rows]


def text_of(response: TestResponse) -> str:
    """A page's HTML with its character references decoded (``n'est`` rather than ``n&#39;est``)."""
    return html.unescape(response.get_data(as_text=True))


def links_in(text: str) -> list[str]:
    """The http(s) addresses of an e-mail's text."""
    return _LINK.findall(text)
