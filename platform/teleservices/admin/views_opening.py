"""« Ouverture / fermeture » (ADM-2): activation of the téléservices, open/closed switches, and
each téléservice's configuration screen built from the form its plugin declares (ADM-3)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices import opening
from teleservices.admin import audit, plugin_settings
from teleservices.admin.access import current_staff, require_staff
from teleservices.admin.blueprints import bp
from teleservices.admin.establishment_settings import find_settings, settings_row
from teleservices.admin.forms import ConfirmForm
from teleservices.extensions import db
from teleservices.mounting import registry
from teleservices.tenancy.models import Establishment


def _actor() -> audit.Actor:
    user = current_staff()
    assert user is not None
    return audit.Actor.of(user)


def _is_activated(establishment: Establishment) -> bool:
    row = find_settings(establishment)
    return row is not None and row.is_activated


@bp.route("/etablissements/<uai>/teleservices", methods=["GET", "POST"])
@require_staff(establishment_from="uai")
def opening_page(establishment: Establishment) -> str | Response:
    """The list of téléservices with their state; switches for the ones not imposed."""
    if not _is_activated(establishment):
        return render_template(
            "admin/activate.html", establishment=establishment, form=ConfirmForm()
        )
    reg = registry()
    statuses = opening.statuses(reg, establishment, g.academy)
    form = ConfirmForm()
    if form.validate_on_submit():
        _apply_switches(establishment, statuses, set(request.form.getlist("open")))
        return redirect(url_for(".opening_page", uai=establishment.uai))
    rows = [(ts, statuses[ts.code], ts.code in reg.settings_forms) for ts in reg.ordered()]
    return render_template("admin/opening.html", establishment=establishment, rows=rows, form=form)


def _apply_switches(
    establishment: Establishment, statuses: dict[str, opening.ServiceStatus], wanted: set[str]
) -> None:
    reg = registry()
    changed = False
    for teleservice in reg.ordered():
        current = statuses[teleservice.code]
        desired = teleservice.code in wanted
        if current.locked:
            if desired and not current.is_open:
                flash(
                    _(
                        "« %(label)s » ne peut pas être ouvert : %(reason)s.",
                        label=teleservice.label,
                        reason=current.reason,
                    ),
                    "error",
                )
            continue
        if desired == current.is_open:
            continue
        opening.set_open(reg, establishment, g.academy, teleservice.code, desired)
        audit.record(
            "teleservice.opened" if desired else "teleservice.closed",
            _actor(),
            establishment=establishment,
            target=f"{teleservice.label} ({teleservice.code})",
            before={"open": current.is_open},
            after={"open": desired},
        )
        changed = True
        if desired:
            flash(_("« %(label)s » est ouvert aux familles.", label=teleservice.label), "success")
        else:
            flash(
                _(
                    "« %(label)s » est fermé ; sa configuration est conservée.",
                    label=teleservice.label,
                ),
                "success",
            )
    db.session.commit()
    if not changed:
        flash(_("Aucune modification."), "info")


@bp.post("/etablissements/<uai>/teleservices/activer")
@require_staff(establishment_from="uai")
def activate(establishment: Establishment) -> Response:
    """Activate the establishment's téléservices (first connection, §2.1)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        row = settings_row(establishment)
        if row.activated_at is None:
            row.activated_at = datetime.now(UTC)
            audit.record(
                "teleservices.activated",
                _actor(),
                establishment=establishment,
                target=f"{establishment.name} ({establishment.uai})",
                before={"activated": False},
                after={"activated": True},
            )
            db.session.commit()
            flash(
                _(
                    "Les téléservices de l'établissement sont activés. "
                    "Choisissez maintenant ceux que vous ouvrez."
                ),
                "success",
            )
    return redirect(url_for(".opening_page", uai=establishment.uai))


@bp.route("/etablissements/<uai>/teleservices/<code>/configuration", methods=["GET", "POST"])
@require_staff(establishment_from="uai")
def configure(establishment: Establishment, code: str) -> str | Response:
    """A téléservice's configuration screen, from its plugin's form (kept while closed)."""
    reg = registry()
    teleservice = reg.get(code)
    declaration = reg.settings_forms.get(code)
    if teleservice is None or declaration is None:
        abort(404)
    if not _is_activated(establishment):
        return redirect(url_for(".opening_page", uai=establishment.uai))
    status = opening.statuses(reg, establishment, g.academy)[code]
    editable = status.is_open or declaration.editable_when_closed
    stored = opening.get_settings(reg, establishment, code)
    posted = request.method == "POST"
    if posted and not editable:
        flash(_("Ce téléservice est fermé : sa configuration ne peut pas être modifiée."), "error")
        return redirect(url_for(".configure", uai=establishment.uai, code=code))
    g.establishment = establishment  # the plugin's form may build its choices from it
    form = plugin_settings.build_form(declaration, stored, posted)
    # « + » / « − » on a table of rows only shows the form again; « Enregistrer » saves it.
    row_action = posted and plugin_settings.apply_row_action(form, request.form)
    if posted and not row_action and form.validate_on_submit():
        values = plugin_settings.form_values(form)
        before = {name: plugin_settings.to_json(stored.get(name)) for name in values}
        opening.save_settings(establishment, code, values)
        audit.record(
            "teleservice.configured",
            _actor(),
            establishment=establishment,
            target=f"{teleservice.label} ({code})",
            before=before,
            after=values,
        )
        db.session.commit()
        flash(
            _(
                "La configuration de « %(label)s » est enregistrée ; elle s'applique immédiatement.",
                label=teleservice.label,
            ),
            "success",
        )
        return redirect(url_for(".configure", uai=establishment.uai, code=code))
    return render_template(
        "admin/configure.html",
        establishment=establishment,
        teleservice=teleservice,
        status=status,
        editable=editable,
        form=form,
        fields=plugin_settings.plugin_fields(form),
    )
