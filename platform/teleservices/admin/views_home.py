"""The staff area's home pages: the establishments one may manage, the academies (platform)."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from teleservices.admin.access import (
    ALL_ROLES,
    current_staff,
    manageable_establishments,
    require_staff,
)
from teleservices.admin.blueprints import bp, platform_bp
from teleservices.admin.establishment_settings import EstablishmentSettings
from teleservices.admin.models import PLATFORM_ROLE
from teleservices.extensions import db
from teleservices.tenancy.context import all_academies
from teleservices.tenancy.models import Academy


@bp.get("/")
@require_staff(ALL_ROLES)
def home() -> str:
    """« Administration Téléservices »: the establishments the staff member may manage."""
    user = current_staff()
    assert user is not None
    establishments = manageable_establishments(user)
    query = request.args.get("q", "").strip().casefold()
    if query:
        establishments = [
            e for e in establishments if query in e.name.casefold() or query in e.uai.casefold()
        ]
    activated = {
        row.establishment_id
        for row in db.session.execute(
            select(EstablishmentSettings).where(EstablishmentSettings.activated_at.is_not(None))
        ).scalars()
    }
    return render_template(
        "admin/home.html", establishments=establishments, activated=activated, query=query
    )


@platform_bp.get("/", endpoint="home")
@require_staff({PLATFORM_ROLE})
def platform_home() -> str:
    """The platform administrator's home: every academy, with a link to its administration."""
    with all_academies():
        academies = db.session.execute(select(Academy).order_by(Academy.name)).scalars().all()
    return render_template("admin/platform_home.html", academies=academies)
