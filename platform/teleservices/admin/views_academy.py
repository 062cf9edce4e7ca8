"""The academy administration's establishments (TEN-1, TEN-2): list, create, edit, and a read-only
view of each establishment's settings. Academy administrators of the academy and platform
administrators only.

Keys that the academy's file (``tenants/<code>.toml``) declares for an establishment are shown
read-only, "défini par le fichier de l'académie": the next ``tenants sync`` sets them anyway.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from teleservices import opening
from teleservices.admin import audit, plugin_settings
from teleservices.admin.academy_forms import EstablishmentForm, lines
from teleservices.admin.access import ADMINISTRATORS, current_staff, require_staff
from teleservices.admin.blueprints import bp
from teleservices.admin.establishment_settings import find_settings, get_establishment_settings
from teleservices.extensions import db
from teleservices.mounting import registry
from teleservices.tenancy.context import all_academies
from teleservices.tenancy.models import Establishment, EstablishmentType
from teleservices.tenancy.sync import DeclaredKeys, declared_keys

EDITABLE = (
    "type",
    "name",
    "address",
    "postal_code",
    "city",
    "phone",
    "emails",
    "head_name",
    "siecle_modules",
)


def actor() -> audit.Actor:
    user = current_staff()
    assert user is not None
    return audit.Actor.of(user)


def file_keys(code: str) -> DeclaredKeys:
    """What the academy's file declares (those keys are read-only on the screens)."""
    return declared_keys(Path(current_app.config["TENANTS_DIR"]), code)


def snapshot(establishment: Establishment) -> dict[str, Any]:
    """The establishment's values the audit log records before and after a change."""
    return {
        "uai": establishment.uai,
        "type": establishment.type.value if establishment.type else "",
        **{key: getattr(establishment, key) for key in EDITABLE if key != "type"},
    }


def displayed(establishment: Establishment) -> dict[str, str]:
    """The establishment's values as the read-only fields show them."""
    values = {key: str(getattr(establishment, key) or "") for key in EDITABLE}
    values["type"] = establishment.type.label
    values["emails"] = ", ".join(establishment.emails or [])
    values["siecle_modules"] = ", ".join(
        opening.MODULE_LABELS.get(m, m) for m in establishment.siecle_modules or []
    )
    return values


def list_establishments() -> list[Establishment]:
    """The academy's establishments, by name."""
    return list(
        db.session.execute(select(Establishment).order_by(Establishment.name, Establishment.uai))
        .scalars()
        .all()
    )


@bp.get("/academie")
@require_staff(ADMINISTRATORS)
def academy() -> Response:
    """The academy administration starts with its establishments."""
    return redirect(url_for(".academy_establishments"))


@bp.get("/academie/etablissements")
@require_staff(ADMINISTRATORS)
def academy_establishments() -> str:
    """Every establishment of the academy, with links to edit it and to see its settings."""
    declared = file_keys(g.academy.code)
    return render_template(
        "admin/academy_establishments.html",
        establishments=list_establishments(),
        declared=declared.establishments,
        module_labels=opening.MODULE_LABELS,
    )


def _fill(form: EstablishmentForm, establishment: Establishment) -> None:
    for key in EDITABLE:
        if key not in form:
            continue
        value = getattr(establishment, key)
        if key == "type":
            form.type.data = value.value
        elif key == "emails":
            form.emails.data = "\n".join(value or [])
        elif key == "siecle_modules":
            form.siecle_modules.data = list(value or [])
        else:
            form[key].data = value or ""


def _apply(form: EstablishmentForm, establishment: Establishment) -> None:
    """Copy the form's fields (the locked ones were removed from it) to the establishment."""
    for key in EDITABLE:
        if key not in form:
            continue
        if key == "type":
            establishment.type = EstablishmentType(form.type.data)
        elif key == "emails":
            establishment.emails = lines(form.emails.data)
        elif key == "siecle_modules":
            establishment.siecle_modules = list(form.siecle_modules.data or [])
        else:
            setattr(establishment, key, (form[key].data or "").strip())


def _uai_taken(uai: str) -> bool:
    """Whether the UAI is used in any academy (nothing else about it is revealed)."""
    with all_academies():
        return db.session.execute(select(Establishment.id).filter_by(uai=uai)).first() is not None


@bp.route("/academie/etablissements/nouveau", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS)
def establishment_new() -> str | Response:
    """Create an establishment of the academy (UAI check letter validated)."""
    form = EstablishmentForm()
    if request.method == "GET":
        form.siecle_modules.data = []
    if form.validate_on_submit():
        uai = form.uai.data or ""
        if _uai_taken(uai):
            form.uai.errors = [_("Un établissement de ce UAI existe déjà.")]
        else:
            establishment = Establishment(academy_id=g.academy.id, uai=uai)
            _apply(form, establishment)
            db.session.add(establishment)
            db.session.flush()
            audit.record(
                "academy.establishment_created",
                actor(),
                establishment=establishment,
                target=f"{establishment.name} ({uai})",
                before={},
                after=snapshot(establishment),
            )
            db.session.commit()
            flash(_("L'établissement « %(name)s » est créé.", name=establishment.name), "success")
            return redirect(url_for(".academy_establishments"))
    return render_template(
        "admin/academy_establishment_form.html",
        form=form,
        establishment=None,
        locked=frozenset(),
        fields=("uai", *EDITABLE),
        labels={},
        values={},
    )


@bp.route("/academie/etablissements/<uai>/modifier", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS, establishment_from="uai")
def establishment_edit(establishment: Establishment) -> str | Response:
    """Edit an establishment; keys declared by the academy's file are read-only."""
    locked = file_keys(g.academy.code).of_establishment(establishment.uai)
    form = EstablishmentForm()
    labels = {key: form[key].label.text for key in EDITABLE}
    for key in ("uai", *locked):
        if key in form:
            del form[key]
    if request.method == "GET":
        _fill(form, establishment)
    if form.validate_on_submit():
        before = snapshot(establishment)
        _apply(form, establishment)
        after = snapshot(establishment)
        if after != before:
            audit.record(
                "academy.establishment_updated",
                actor(),
                establishment=establishment,
                target=f"{establishment.name} ({establishment.uai})",
                before={k: v for k, v in before.items() if after[k] != v},
                after={k: v for k, v in after.items() if before[k] != v},
            )
            db.session.commit()
            flash(
                _("L'établissement « %(name)s » est enregistré.", name=establishment.name),
                "success",
            )
        else:
            flash(_("Aucune modification."), "info")
        return redirect(url_for(".establishment_edit", uai=establishment.uai))
    return render_template(
        "admin/academy_establishment_form.html",
        form=form,
        establishment=establishment,
        locked=locked,
        fields=EDITABLE,
        labels=labels,
        values=displayed(establishment),
    )


def _shown(form_field: Any) -> tuple[str, str]:
    """A configuration field as (label, value) text; a choice shows its label."""
    value = form_field.data
    for choice in getattr(form_field, "choices", None) or []:
        choice_value, choice_label = (
            (choice.value, choice.label) if hasattr(choice, "value") else choice[:2]
        )
        if str(choice_value) == str(value):
            value = choice_label
            break
    if isinstance(value, bool):
        value = _("Oui") if value else _("Non")
    return str(form_field.label.text), "" if value is None else str(value)


@bp.get("/academie/etablissements/<uai>")
@require_staff(ADMINISTRATORS, establishment_from="uai")
def establishment_overview(establishment: Establishment) -> str:
    """Every setting of the establishment, read-only: téléservices, configurations, Paramétrage."""
    reg = registry()
    statuses = opening.statuses(reg, establishment, g.academy)
    services = []
    for teleservice in reg.ordered():
        declaration = reg.settings_forms.get(teleservice.code)
        fields: list[Any] = []
        if declaration is not None:
            stored = opening.get_settings(reg, establishment, teleservice.code)
            form = plugin_settings.build_form(declaration, stored, posted=False)
            fields = [_shown(f) for f in plugin_settings.plugin_fields(form)]
        services.append((teleservice, statuses[teleservice.code], fields))
    row = find_settings(establishment)
    return render_template(
        "admin/academy_establishment_view.html",
        establishment=establishment,
        services=services,
        activated=row is not None and row.is_activated,
        settings=get_establishment_settings(establishment),
        raw=row,
    )
