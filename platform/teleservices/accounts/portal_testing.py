"""Test helper for portal pages (host and plugin tests): a family whose logged-in account has one
child per establishment asked for, so a test can open ``/<academy>/services/<child>/<code>/``.

A child asked for in another academy's establishment is created there but never attached to the
account: its pages must answer 404 through this session (the gate's tenant check).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from teleservices.accounts.models import AccountChild
from teleservices.accounts.testing import Family, activate, make_family, submit
from teleservices.extensions import db
from teleservices.tenancy.context import all_academies, tenant
from teleservices.tenancy.models import Academy, Establishment

PASSWORD = "soleil2024"  # noqa: S105 - the test families' password
FIRST_NAMES = ("Alice", "Bruno", "Chloé", "David", "Emma", "Félix", "Gaël", "Hana")


@dataclass
class Portal:
    """A logged-in representative (``student=False``) or student and their children by UAI."""

    app: Flask
    academy: Academy
    client: FlaskClient
    student: bool = False
    family: Family | None = None
    children: dict[str, int] = field(default_factory=dict)

    def child(self, uai: str = "0251711Z") -> int:
        """The id of the account's child enrolled in ``uai`` (created on first use)."""
        if uai not in self.children:
            self.children[uai] = self._new_child(uai)
        return self.children[uai]

    def url(self, code: str, uai: str = "0251711Z", path: str = "") -> str:
        return f"/{self.academy.code}/services/{self.child(uai)}/{code}/{path}"

    def get(self, code: str, uai: str = "0251711Z", path: str = "") -> TestResponse:
        return self.client.get(self.url(code, uai, path))

    def _academy_of(self, uai: str) -> Academy:
        with self.app.app_context(), all_academies():
            academy = db.session.scalar(
                select(Academy)
                .join(Establishment, Establishment.academy_id == Academy.id)
                .where(Establishment.uai == uai)
            )
            assert academy is not None, uai
            db.session.expunge(academy)
            return academy

    def _new_child(self, uai: str) -> int:
        academy = self._academy_of(uai)
        if academy.id != self.academy.id and self.family is None:
            self.child()  # log the family in first: the foreign child is what must be refused
        created = make_family(
            self.app,
            academy,
            uai=uai,
            first_name=FIRST_NAMES[len(self.children) % len(FIRST_NAMES)],
            birth_date=date(2012, 3, 14),
        )
        if academy.id != self.academy.id:
            return created.student_id
        if self.family is None:
            self.family = created
            account_id = (
                created.student_account_id if self.student else (created.representative_account_id)
            )
            identifier = (
                created.student_identifier if self.student else (created.representative_identifier)
            )
            activate(self.app, academy.id, account_id, PASSWORD, "famille@example.fr")
            response = submit(
                self.client,
                f"/{academy.code}/connexion",
                {"identifier": identifier, "password": PASSWORD},
            )
            assert response.status_code == 302, "the portal family could not log in"
            return created.student_id
        assert not self.student, "a student account has a single child"
        with self.app.app_context(), tenant(academy.id):
            db.session.execute(
                update(AccountChild)
                .where(
                    AccountChild.student_id == created.student_id,
                    AccountChild.representative_id == created.representative_id,
                )
                .values(account_id=self.family.representative_account_id)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
        return created.student_id
