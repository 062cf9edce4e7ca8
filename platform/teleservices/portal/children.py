"""The children an account gives access to, as the portal shows them, and the current one.

A representative with several children picks one with the selector (``?enfant=<id>`` on any portal
page); the choice is remembered in the session and checked against the account's children at each
request, so an id from elsewhere is simply ignored. The same query gives the greeting's person.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, session
from sqlalchemy import select

from teleservices.accounts.children import greeting
from teleservices.accounts.models import Account, AccountChild
from teleservices.declarations import PortalChild
from teleservices.extensions import db
from teleservices.mounting import portal_child
from teleservices.school.models import Division, Mef, Representative, Student
from teleservices.tenancy.models import Establishment

SESSION_KEY = "portal_child"


@dataclass(frozen=True)
class ChildView:
    """A child with their establishment (for the header band and the selector)."""

    child: PortalChild
    establishment: Establishment

    @property
    def full_name(self) -> str:
        return f"{self.child.first_name} {self.child.name}".strip()


@dataclass(frozen=True)
class Family:
    """The account's enrolled children and how the portal greets its holder."""

    children: list[ChildView]
    greeting: str


def family(account: Account) -> Family:
    """The account's enrolled children, in the order they were attached, and the greeting
    (``accounts.children.greeting_name``) from the same rows (one query)."""
    rows = db.session.execute(
        select(Student, Establishment, Division.code, Mef.code, Representative)
        .join(AccountChild, AccountChild.student_id == Student.id)
        .join(Establishment, Establishment.id == Student.establishment_id)
        .outerjoin(Division, Division.id == Student.division_id)
        .outerjoin(Mef, Mef.id == Student.mef_id)
        .outerjoin(Representative, Representative.id == AccountChild.representative_id)
        .where(AccountChild.account_id == account.id)
        .order_by(AccountChild.id)
    ).all()
    seen: set[int] = set()
    views = []
    for student, establishment, division, mef, _person in rows:
        if student.left_at is None and student.id not in seen:
            seen.add(student.id)
            views.append(ChildView(portal_child(student, division, mef), establishment))
    person = next((row[4] for row in rows if row[4] is not None), None)
    first = f"{rows[0][0].first_name} {rows[0][0].name}".strip() if rows else None
    return Family(views, greeting(account, person, first))


def establishment_ids(account: Account) -> set[int]:
    """The establishments of every student attached to the account (left ones included)."""
    return set(
        db.session.scalars(
            select(Student.establishment_id)
            .join(AccountChild, AccountChild.student_id == Student.id)
            .where(AccountChild.account_id == account.id)
        )
    )


def current(views: list[ChildView]) -> ChildView | None:
    """The child chosen with ``?enfant=`` (remembered), else the remembered one, else the first."""
    by_id = {view.child.id: view for view in views}
    asked = request.args.get("enfant", "")
    if asked.isdigit() and int(asked) in by_id:
        session[SESSION_KEY] = int(asked)
    chosen = session.get(SESSION_KEY)
    if isinstance(chosen, int) and chosen in by_id:
        return by_id[chosen]
    return views[0] if views else None
