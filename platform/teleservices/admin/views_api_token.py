"""« Jeton d'API » of an establishment: issue (shown once), replace or revoke the token that the
data-import API asks for; the page documents the importers and the call to make."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices.admin import audit
from teleservices.admin.access import current_staff, require_staff
from teleservices.admin.blueprints import bp
from teleservices.admin.forms import ConfirmForm
from teleservices.extensions import db
from teleservices.imports import tokens
from teleservices.mounting import registry
from teleservices.tenancy.models import Establishment


def _page(establishment: Establishment, new_token: str = "") -> str:
    return render_template(
        "admin/api_token.html",
        establishment=establishment,
        token=tokens.find(establishment),
        new_token=new_token,
        importers=sorted(registry().importers.values(), key=lambda i: i.code),
        form=ConfirmForm(),
    )


@bp.get("/etablissements/<uai>/api")
@require_staff(establishment_from="uai")
def api_token(establishment: Establishment) -> str:
    """The token's state and the importers reachable through the API."""
    return _page(establishment)


@bp.post("/etablissements/<uai>/api")
@require_staff(establishment_from="uai")
def api_token_change(establishment: Establishment) -> str | Response:
    """Issue a new token (shown once, never stored in clear) or revoke the current one."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré : recommencez."), "error")
        return redirect(url_for(".api_token", uai=establishment.uai))
    user = current_staff()
    assert user is not None
    actor = audit.Actor.of(user)
    target = f"{establishment.name} ({establishment.uai})"
    if request.form.get("action") == "revoke":
        if tokens.revoke(establishment):
            audit.record("api_token.revoked", actor, establishment=establishment, target=target)
            flash(_("Le jeton est révoqué : l'API refuse désormais tout envoi."), "success")
        db.session.commit()
        return redirect(url_for(".api_token", uai=establishment.uai))
    new_token = tokens.issue(establishment, actor.display)
    audit.record("api_token.issued", actor, establishment=establishment, target=target)
    db.session.commit()
    return _page(establishment, new_token)
