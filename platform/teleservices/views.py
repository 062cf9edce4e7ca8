"""Host pages that are not part of a module yet: the platform landing and an academy's home."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, g, render_template
from sqlalchemy import select

from teleservices import opening
from teleservices.extensions import db
from teleservices.tenancy.context import all_academies
from teleservices.tenancy.models import Academy, Establishment

bp = Blueprint("host", __name__)


@bp.get("/")
def landing() -> str:
    """List the academies hosted by the platform."""
    with all_academies():
        academies = db.session.execute(select(Academy).order_by(Academy.name)).scalars().all()
    return render_template("host/landing.html", academies=academies)


@bp.get("/<academy>/")
def academy_home() -> str:
    """The academy's establishments and the téléservices open in each one."""
    registry = current_app.extensions["teleservices_registry"]
    establishments = (
        db.session.execute(select(Establishment).order_by(Establishment.name)).scalars().all()
    )
    rows = []
    for establishment in establishments:
        states = opening.statuses(registry, establishment, g.academy)
        services = [
            (registry.teleservices[code], code in registry.portal_pages)
            for code, state in states.items()
            if state.is_open
        ]
        rows.append((establishment, sorted(services, key=lambda s: s[0].label)))
    return render_template("host/academy_home.html", rows=rows)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness probe for deployments."""
    return {"status": "ok"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
