"""Mount the plugins' portal pages under ``/<academy>/services/<child>/<code>/``, behind the gate.

``child`` is the id of the student whose pages are shown. Every plugin blueprint is registered once
at start-up, nested in the host's ``services`` blueprint; nothing is registered at run time. The
gate never trusts the id in the URL: the viewer must be a used family account (or the account a
staff member simulates), the student must be attached to that account and enrolled in an
establishment of the current academy, the téléservice must be open there and meant for the viewer's
kind of account. Any failure answers the same 404 (nothing tells which check failed); a visitor who
is not logged in is sent to the login page. Each page shown is counted in the téléservice's
statistics category (``stats.accesses``), except while staff simulate an account.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from teleservices import opening
from teleservices.accounts import sessions
from teleservices.accounts.models import AccountChild
from teleservices.declarations import Audience, PortalChild, Teleservice
from teleservices.extensions import db
from teleservices.i18n import local_today
from teleservices.plugins import Registry
from teleservices.school.models import Division, Mef, Student
from teleservices.stats.accesses import count_access
from teleservices.tenancy.models import Establishment


def registry() -> Registry:
    """The application's plugin registry."""
    reg: Registry = current_app.extensions["teleservices_registry"]
    return reg


def _pull_child(endpoint: str | None, values: dict[str, Any] | None) -> None:
    child = (values or {}).pop("child", None)
    if not isinstance(child, int):
        abort(404)
    g.child_id = child


def _push_child(endpoint: str, values: dict[str, Any]) -> None:
    student = g.get("student")
    if student is not None and "child" not in values:
        values["child"] = student.id


def viewer_audience(is_representative: bool) -> Audience:
    return Audience.REPRESENTATIVES if is_representative else Audience.STUDENTS


def attached_child(account_id: int, student_id: int) -> tuple[PortalChild, Establishment] | None:
    """The student if attached to the account and enrolled in the academy (one query)."""
    row = db.session.execute(
        select(Student, Establishment, Division.code, Mef.code)
        .join(AccountChild, AccountChild.student_id == Student.id)
        .join(Establishment, Establishment.id == Student.establishment_id)
        .outerjoin(Division, Division.id == Student.division_id)
        .outerjoin(Mef, Mef.id == Student.mef_id)
        .where(
            AccountChild.account_id == account_id,
            Student.id == student_id,
            Student.left_at.is_(None),
        )
        .limit(1)
    ).first()
    if row is None:
        return None
    student, establishment, division, mef = row
    return portal_child(student, division, mef), establishment


def portal_child(student: Student, division: str | None, mef: str | None) -> PortalChild:
    return PortalChild(
        id=student.id,
        first_name=student.first_name,
        name=student.usage_name or student.last_name,
        birth_date=student.birth_date,
        division=division or "",
        mef=mef or "",
        establishment_id=student.establishment_id,
        ine=student.ine,
    )


def _gate() -> Response | None:
    account = sessions.current_account()
    if account is None:
        flash(_("Veuillez vous identifier pour accéder à vos services."), "info")
        return redirect(url_for("accounts.login", academy=g.academy.code))
    names = request.blueprints
    code = names[0].rsplit(".", 1)[-1] if len(names) > 1 else None
    reg = registry()
    teleservice = reg.get(code) if code else None
    found = attached_child(account.id, g.child_id)
    audience = viewer_audience(account.is_representative)
    if teleservice is None or found is None or audience not in teleservice.audiences:
        abort(404)
    child, establishment = found
    if not opening.statuses(reg, establishment, g.academy)[teleservice.code].is_open:
        abort(404)
    g.student = child
    g.establishment = establishment
    g.viewer_audience = audience
    g.teleservice = teleservice
    g.service_settings = opening.get_settings(reg, establishment, teleservice.code)
    _count_access(establishment, teleservice, audience)
    return None


def _count_access(
    establishment: Establishment, teleservice: Teleservice, audience: Audience
) -> None:
    """One more access to the téléservice's statistics category (not while staff simulate)."""
    from teleservices.admin.simulation import is_simulating

    if request.method != "GET" or is_simulating():
        return
    today = local_today()
    count_access(
        establishment, teleservice.stats_category or teleservice.code, audience.value, today
    )
    db.session.commit()


def mount(app: Flask, reg: Registry) -> None:
    """Register every loaded plugin's portal blueprint, nested under the gated parent."""
    parent = Blueprint("services", __name__, url_prefix="/<academy>/services/<int:child>")
    parent.url_value_preprocessor(_pull_child)
    parent.url_defaults(_push_child)
    parent.before_request(_gate)
    for code, pages in sorted(reg.portal_pages.items()):
        parent.register_blueprint(pages.blueprint, url_prefix=f"/{code}", name=code)
    app.register_blueprint(parent)
