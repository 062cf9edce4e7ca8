"""The platform administrator's screens (TEN-4): create and edit academies (name, host names, mail
sender) and the national availability of each téléservice. Every change is audited in the academy
it concerns (a national switch in every academy, since it closes the téléservice in all of them).

An academy declared by a file (``tenants/<code>.toml``) shows the keys its file declares
read-only: the next ``tenants sync`` sets them anyway.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from teleservices.admin import audit, offer
from teleservices.admin.academy_forms import AcademyForm, lines
from teleservices.admin.access import require_staff
from teleservices.admin.blueprints import platform_bp
from teleservices.admin.forms import ConfirmForm
from teleservices.admin.models import PLATFORM_ROLE
from teleservices.admin.views_academy import actor, file_keys
from teleservices.extensions import db
from teleservices.mounting import registry
from teleservices.tenancy.context import all_academies, tenant
from teleservices.tenancy.models import Academy

ACADEMY_FIELDS = ("name", "host_names", "mail_sender")
PLATFORM = {PLATFORM_ROLE}


def _snapshot(academy: Academy) -> dict[str, Any]:
    return {
        "code": academy.code,
        "name": academy.name,
        "host_names": list(academy.host_names or []),
        "mail_sender": academy.mail_sender or "",
    }


def _hosts_in_use(exclude_id: int | None) -> dict[str, str]:
    """Host name → code of the academy it serves, for every other academy."""
    rows = db.session.execute(select(Academy.id, Academy.code, Academy.host_names)).all()
    return {
        host.lower(): code
        for academy_id, code, hosts in rows
        if academy_id != exclude_id
        for host in hosts or []
    }


def _check_hosts(form: AcademyForm, exclude_id: int | None) -> bool:
    if "host_names" not in form:
        return True
    in_use = _hosts_in_use(exclude_id)
    taken = [host for host in lines(form.host_names.data) if host.lower() in in_use]
    if taken:
        form.host_names.errors = [_("« %(host)s » sert déjà une autre académie.", host=taken[0])]
        return False
    return True


def _apply(form: AcademyForm, academy: Academy) -> None:
    if "name" in form:
        academy.name = (form.name.data or "").strip()
    if "host_names" in form:
        academy.host_names = [host.lower() for host in lines(form.host_names.data)]
    if "mail_sender" in form:
        academy.mail_sender = (form.mail_sender.data or "").strip()


@platform_bp.route("/academies/nouvelle", methods=["GET", "POST"])
@require_staff(PLATFORM)
def academy_new() -> str | Response:
    """Create an academy (its administrators are then created with ``teleservices staff``)."""
    form = AcademyForm()
    if form.validate_on_submit():
        code = form.code.data or ""
        exists = db.session.execute(select(Academy.id).filter_by(code=code)).first()
        if exists is not None:
            form.code.errors = [_("Une académie de ce code existe déjà.")]
        elif _check_hosts(form, None):
            academy = Academy(
                code=code,
                mandatory_teleservices=[],
                ent_links=[],
                branding={},
            )
            _apply(form, academy)
            db.session.add(academy)
            db.session.flush()
            with tenant(academy.id):
                audit.record(
                    "platform.academy_created",
                    actor(),
                    academy_id=academy.id,
                    target=f"{academy.name} ({code})",
                    before={},
                    after=_snapshot(academy),
                )
                db.session.commit()
            current_app.extensions["tenant_hosts"].forget()
            flash(_("L'académie « %(name)s » est créée.", name=academy.name), "success")
            return redirect(url_for(".home"))
    return render_template(
        "admin/platform_academy_form.html",
        form=form,
        academy=None,
        locked=frozenset(),
        fields=("code", *ACADEMY_FIELDS),
        labels={},
        values={},
    )


@platform_bp.route("/academies/<academy_code>", methods=["GET", "POST"])
@require_staff(PLATFORM)
def academy_edit(academy_code: str) -> str | Response:
    """Edit an academy's name, host names and mail sender (the file's keys are read-only)."""
    academy = db.session.execute(select(Academy).filter_by(code=academy_code)).scalar_one_or_none()
    if academy is None:
        abort(404)
    locked = file_keys(academy.code).academy & set(ACADEMY_FIELDS)
    form = AcademyForm()
    labels = {key: form[key].label.text for key in ACADEMY_FIELDS}
    for key in ("code", *locked):
        del form[key]
    if request.method == "GET":
        if "name" in form:
            form.name.data = academy.name
        if "host_names" in form:
            form.host_names.data = "\n".join(academy.host_names or [])
        if "mail_sender" in form:
            form.mail_sender.data = academy.mail_sender or ""
    if form.validate_on_submit() and _check_hosts(form, academy.id):
        before = _snapshot(academy)
        _apply(form, academy)
        after = _snapshot(academy)
        if after != before:
            with tenant(academy.id):
                audit.record(
                    "platform.academy_updated",
                    actor(),
                    academy_id=academy.id,
                    target=f"{academy.name} ({academy.code})",
                    before={k: v for k, v in before.items() if after[k] != v},
                    after={k: v for k, v in after.items() if before[k] != v},
                )
                db.session.commit()
            current_app.extensions["tenant_hosts"].forget()
            flash(_("L'académie « %(name)s » est enregistrée.", name=academy.name), "success")
        else:
            flash(_("Aucune modification."), "info")
        return redirect(url_for(".academy_edit", academy_code=academy.code))
    return render_template(
        "admin/platform_academy_form.html",
        form=form,
        academy=academy,
        locked=locked,
        fields=ACADEMY_FIELDS,
        labels=labels,
        values={
            "name": academy.name,
            "host_names": ", ".join(academy.host_names or []),
            "mail_sender": academy.mail_sender or "",
        },
    )


@platform_bp.route("/disponibilite-nationale", methods=["GET", "POST"])
@require_staff(PLATFORM)
def national_availability() -> str | Response:
    """One switch per téléservice: one switched off is closed in every academy (TEN-4)."""
    reg = registry()
    disabled = offer.nationally_disabled()
    form = ConfirmForm()
    if form.validate_on_submit():
        wanted = set(request.form.getlist("available"))
        changes = [
            (t, t.code in wanted)
            for t in reg.ordered()
            if (t.code in wanted) != (t.code not in disabled)
        ]
        if not changes:
            flash(_("Aucune modification."), "info")
            return redirect(url_for(".national_availability"))
        stored = {
            row.code: row
            for row in db.session.execute(select(offer.NationalAvailability)).scalars()
        }
        with all_academies():
            academy_ids = list(db.session.execute(select(Academy.id)).scalars())
            for teleservice, available in changes:
                row = stored.get(teleservice.code)
                if row is None:
                    row = offer.NationalAvailability(code=teleservice.code)
                    db.session.add(row)
                row.enabled = available
                for academy_id in academy_ids:
                    audit.record(
                        "platform.national_availability",
                        actor(),
                        academy_id=academy_id,
                        target=f"{teleservice.label} ({teleservice.code})",
                        before={"available": not available},
                        after={"available": available},
                    )
                if available:
                    flash(
                        _(
                            "« %(label)s » est disponible au niveau national.",
                            label=teleservice.label,
                        ),
                        "success",
                    )
                else:
                    flash(
                        _(
                            "« %(label)s » est désactivé au niveau national : "
                            "il est fermé dans tous les établissements.",
                            label=teleservice.label,
                        ),
                        "success",
                    )
            db.session.commit()
        return redirect(url_for(".national_availability"))
    rows = [(t, t.code not in disabled) for t in reg.ordered()]
    return render_template("admin/platform_availability.html", rows=rows, form=form)
