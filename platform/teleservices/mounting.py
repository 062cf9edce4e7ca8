"""Mount the plugins' portal pages under ``/<academy>/services/<uai>/<code>/``, behind the gate.

Every plugin blueprint is registered once at start-up, nested in the host's ``services`` blueprint.
Its ``before_request`` gate answers 404 when the establishment is not in the current academy or the
téléservice is closed there; nothing is ever registered or unregistered at run time.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, request
from sqlalchemy import select

from teleservices import opening
from teleservices.extensions import db
from teleservices.plugins import Registry
from teleservices.tenancy.models import Establishment


def registry() -> Registry:
    """The application's plugin registry."""
    reg: Registry = current_app.extensions["teleservices_registry"]
    return reg


def _pull_uai(endpoint: str | None, values: dict[str, Any] | None) -> None:
    uai = (values or {}).pop("uai", None)
    if uai is None:
        abort(404)
    establishment = db.session.execute(
        select(Establishment).filter_by(uai=str(uai).upper())
    ).scalar_one_or_none()
    if establishment is None:
        abort(404)
    g.establishment = establishment


def _push_uai(endpoint: str, values: dict[str, Any]) -> None:
    establishment = g.get("establishment")
    if establishment is not None and "uai" not in values:
        values["uai"] = establishment.uai


def _gate() -> None:
    names = request.blueprints
    code = names[0].rsplit(".", 1)[-1] if len(names) > 1 else None
    if code is None:
        abort(404)
    reg = registry()
    teleservice = reg.get(code)
    if teleservice is None:
        abort(404)
    states = opening.statuses(reg, g.establishment, g.academy)
    if not states[code].is_open:
        abort(404)
    g.teleservice = teleservice
    g.service_settings = opening.get_settings(reg, g.establishment, code)


def mount(app: Flask, reg: Registry) -> None:
    """Register every loaded plugin's portal blueprint, nested under the gated parent."""
    parent = Blueprint("services", __name__, url_prefix="/<academy>/services/<uai>")
    parent.url_value_preprocessor(_pull_uai)
    parent.url_defaults(_push_uai)
    parent.before_request(_gate)
    for code, pages in sorted(reg.portal_pages.items()):
        parent.register_blueprint(pages.blueprint, url_prefix=f"/{code}", name=code)
    app.register_blueprint(parent)
