"""Simulation of a family's access (ADM-5, staff guide §3.2.1): a staff member opens the portal
exactly as a used account sees it, read-only.

The staff session remembers ``{"account_id", "staff"}`` under ``simulation``; while it is set,
``accounts.sessions.current_account()`` answers that account for the staff member (if it is still
used and still has a student in the staff's scope). Every request other than GET/HEAD is refused
with a French 403 page, except ending the simulation: nothing is written but the two audit entries
« simulation démarrée / terminée ». Templates get ``simulation`` for the banner, and hide the
family's logout and change buttons.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_request_context, render_template, request, session, url_for
from sqlalchemy import select

from teleservices.accounts import sessions
from teleservices.accounts.models import Account, AccountChild, AccountState
from teleservices.admin.access import can_manage, current_staff
from teleservices.admin.models import PlatformAdmin, StaffMember
from teleservices.extensions import db
from teleservices.school.models import Student
from teleservices.tenancy.models import Establishment

KEY = "simulation"
END_ENDPOINT = "admin.end_simulation"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def start(
    staff: StaffMember | PlatformAdmin, account: Account, establishment: Establishment
) -> None:
    session[KEY] = {
        "account_id": account.id,
        "staff": staff.get_id(),
        "uai": establishment.uai,
        "identifier": account.identifier,
    }


def stop() -> dict[str, Any] | None:
    data = session.pop(KEY, None)
    return data if isinstance(data, dict) else None


def _entry(user: Any) -> dict[str, Any] | None:
    data = session.get(KEY)
    if not isinstance(data, dict) or not isinstance(user, StaffMember | PlatformAdmin):
        return None
    return data if data.get("staff") == user.get_id() else None


def _simulated_account(user: Any) -> Account | None:
    data = _entry(user)
    if data is None:
        return None
    cached = g.get("_simulated_account")
    if cached is not None:
        return cached if isinstance(cached, Account) else None
    account = db.session.scalar(
        select(Account).where(
            Account.id == int(data.get("account_id", 0)), Account.state == AccountState.UTILISE
        )
    )
    establishments = (
        db.session.scalars(
            select(Establishment)
            .join(Student, Student.establishment_id == Establishment.id)
            .join(AccountChild, AccountChild.student_id == Student.id)
            .where(AccountChild.account_id == account.id)
        ).all()
        if account is not None
        else []
    )
    if account is None or not any(can_manage(user, e) for e in establishments):
        g._simulated_account = False
        return None
    g._simulated_account = account
    return account


def is_simulating() -> bool:
    return _entry(current_staff()) is not None


def _read_only() -> Any:
    if request.method in READ_METHODS or request.endpoint == END_ENDPOINT:
        return None
    if not is_simulating():
        return None
    return render_template("admin/simulation_refused.html"), 403


def _banner() -> dict[str, Any]:
    data = _entry(current_staff()) if has_request_context() and request.endpoint else None
    if data is None:
        return {"simulation": None}
    return {
        "simulation": {
            "identifier": data.get("identifier", ""),
            "end_url": url_for(END_ENDPOINT, academy=g.academy.code) if g.get("academy") else "",
        }
    }


def init_app(app: Flask) -> None:
    sessions.register_simulation(_simulated_account)
    # Before every other hook (CSRF included): a write is refused as such while simulating.
    app.before_request_funcs.setdefault(None, []).insert(0, _read_only)
    app.context_processor(_banner)
