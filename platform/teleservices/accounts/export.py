"""The account list of an establishment, as JSON or CSV (``teleservices accounts export``).

One row per account and student of the establishment it gives access to: identifier, kind,
state, the student's ``ELEVE_ID`` and INE, and for a representative account the ``PERSONNE_ID``.
CSV cells that a spreadsheet would read as a formula are neutralised.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from typing import TextIO

from sqlalchemy import select

from teleservices.accounts.models import Account, AccountChild
from teleservices.extensions import db
from teleservices.school import bulk
from teleservices.school.models import Representative, Student

FIELDS = ("identifier", "kind", "state", "eleve_id", "ine", "personne_id")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, order=True)
class AccountRow:
    """One exported line."""

    kind: str
    identifier: str
    state: str
    eleve_id: str
    ine: str
    personne_id: str


def account_rows(establishment_id: int) -> list[AccountRow]:
    """Every account giving access to a student enrolled in the establishment (current tenant)."""
    students = {
        row.id: row
        for row in db.session.execute(
            select(Student.id, Student.eleve_id, Student.ine).where(
                Student.establishment_id == establishment_id
            )
        )
    }
    children = bulk.rows_where_in(
        select(AccountChild.account_id, AccountChild.student_id, AccountChild.representative_id),
        AccountChild.student_id,
        students,
    )
    accounts = {
        row.id: row
        for row in bulk.rows_where_in(
            select(Account.id, Account.identifier, Account.kind, Account.state),
            Account.id,
            {c.account_id for c in children},
        )
    }
    persons = dict(
        bulk.rows_where_in(
            select(Representative.id, Representative.personne_id),
            Representative.id,
            {c.representative_id for c in children if c.representative_id is not None},
        )
    )
    return sorted(
        AccountRow(
            kind=accounts[child.account_id].kind.value,
            identifier=accounts[child.account_id].identifier,
            state=accounts[child.account_id].state.value,
            eleve_id=students[child.student_id].eleve_id,
            ine=students[child.student_id].ine,
            personne_id=persons.get(child.representative_id, ""),
        )
        for child in children
    )


def csv_safe(value: str) -> str:
    """Prefix a cell a spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``…) with a quote."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def write_csv(rows: list[AccountRow], stream: TextIO) -> None:
    """CSV with a header line, ``;``-separated as French spreadsheets expect."""
    writer = csv.writer(stream, delimiter=";", lineterminator="\n")
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([csv_safe(getattr(row, name)) for name in FIELDS])


def write_json(uai: str, rows: list[AccountRow], stream: TextIO) -> None:
    accounts = [{name: getattr(row, name) for name in FIELDS} for row in rows]
    json.dump({"uai": uai, "accounts": accounts}, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
