"""The academy's offer (TEN-1, §1.1–§1.3): mandatory téléservices, experimental téléservices and
their establishments, academic services, predefined ENT links. Academy administrators of the
academy and platform administrators only; every change is audited.

The academy's keys its file declares (``mandatory_teleservices``, ``ent_links``) are read-only here;
experiments and academic services exist only on the screens.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from teleservices.admin import audit, offer
from teleservices.admin.academy_forms import ExperimentForm
from teleservices.admin.access import ADMINISTRATORS, require_staff
from teleservices.admin.blueprints import bp
from teleservices.admin.forms import ConfirmForm, UsefulLinkForm
from teleservices.admin.views_academy import actor, file_keys, list_establishments
from teleservices.declarations import Teleservice
from teleservices.extensions import db
from teleservices.mounting import registry
from teleservices.tenancy.models import Establishment, EstablishmentType

MAX_LINKS = 30
TYPE_LABELS = {kind.value: kind.label for kind in EstablishmentType}
FILE_MESSAGE = _l(
    "Ce réglage est défini par le fichier de l'académie ; il ne peut pas être modifié ici."
)


def _record(action: str, target: str, before: Any, after: Any) -> None:
    audit.record(
        action, actor(), academy_id=g.academy.id, target=target, before=before, after=after
    )


def _declared(key: str) -> bool:
    return key in file_keys(g.academy.code).academy


def _nationally_mandatory(teleservice: Teleservice) -> bool:
    return bool(teleservice.mandatory.always or teleservice.mandatory.establishment_types)


# --- Mandatory téléservices -----------------------------------------------------------------------


@bp.route("/academie/teleservices-obligatoires", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS)
def academy_mandatory() -> str | Response:
    """The téléservices the recteur makes mandatory in every establishment of the academy."""
    reg = registry()
    locked = _declared("mandatory_teleservices")
    current = list(g.academy.mandatory_teleservices or [])
    experimental = set(offer.experiments())
    form = ConfirmForm()
    if form.validate_on_submit():
        if locked:
            flash(str(FILE_MESSAGE), "error")
            return redirect(url_for(".academy_mandatory"))
        wanted = {code for code in request.form.getlist("mandatory") if code in reg.teleservices}
        conflicts = sorted(wanted & experimental)
        if conflicts:
            labels = ", ".join(reg.teleservices[c].label for c in conflicts)
            flash(
                _(
                    "Un téléservice expérimental ne peut pas être obligatoire : %(labels)s.",
                    labels=labels,
                ),
                "error",
            )
            return redirect(url_for(".academy_mandatory"))
        # Codes whose checkbox is not offered (plugin not loaded, mandatory nationally) stay.
        fixed = {t.code for t in reg.ordered() if t.mandatory.always}
        kept = [code for code in current if code not in reg.teleservices or code in fixed]
        chosen = [t.code for t in reg.ordered() if t.code in wanted and t.code not in fixed]
        chosen += kept
        if set(chosen) != set(current):
            g.academy.mandatory_teleservices = chosen
            _record(
                "academy.mandatory_teleservices",
                "Téléservices obligatoires de l'académie",
                {"mandatory_teleservices": current},
                {"mandatory_teleservices": chosen},
            )
            db.session.commit()
            flash(
                _("Les téléservices obligatoires de l'académie sont enregistrés."),
                "success",
            )
        else:
            flash(_("Aucune modification."), "info")
        return redirect(url_for(".academy_mandatory"))
    disabled = offer.nationally_disabled()
    rows = [
        {
            "teleservice": t,
            "checked": t.code in current or t.mandatory.always,
            "national": t.mandatory.always,
            "national_types": sorted(
                TYPE_LABELS.get(kind, kind) for kind in t.mandatory.establishment_types
            ),
            "disabled_nationally": t.code in disabled,
            "experimental": t.code in experimental,
        }
        for t in reg.ordered()
    ]
    return render_template("admin/academy_mandatory.html", rows=rows, form=form, locked=locked)


# --- Experimental téléservices --------------------------------------------------------------------


def _experiment_form(establishments: list[Establishment]) -> ExperimentForm:
    form = ExperimentForm()
    form.establishments.choices = [
        SelectChoice(e.uai, f"{e.name} ({e.uai})") for e in establishments
    ]
    return form


def _chosen_ids(form: ExperimentForm, establishments: list[Establishment]) -> list[int]:
    wanted = set(form.establishments.data or [])
    return [e.id for e in establishments if e.uai in wanted]


def _uais(ids: list[int], establishments: list[Establishment]) -> list[str]:
    wanted = set(ids)
    return [e.uai for e in establishments if e.id in wanted]


@bp.route("/academie/teleservices-experimentaux", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS)
def academy_experiments() -> str | Response:
    """The experimental téléservices and the form to declare one (§1.2.4)."""
    reg = registry()
    establishments = list_establishments()
    experiments = offer.experiments()
    mandatory = set(g.academy.mandatory_teleservices or [])
    candidates = [
        t
        for t in reg.ordered()
        if t.code not in experiments and t.code not in mandatory and not _nationally_mandatory(t)
    ]
    form = _experiment_form(establishments)
    form.code.choices = [SelectChoice(t.code, t.label) for t in candidates]
    if candidates and form.validate_on_submit():
        ids = _chosen_ids(form, establishments)
        row = offer.ExperimentalTeleservice(
            academy_id=g.academy.id, code=form.code.data, establishment_ids=ids
        )
        db.session.add(row)
        label = reg.teleservices[row.code].label
        _record(
            "academy.experiment_added",
            f"{label} ({row.code})",
            {},
            {"code": row.code, "establishments": _uais(ids, establishments)},
        )
        db.session.commit()
        flash(
            _(
                "« %(label)s » est expérimental : il n'est proposé qu'aux établissements retenus.",
                label=label,
            ),
            "success",
        )
        return redirect(url_for(".academy_experiments"))
    by_id = {e.id: e for e in establishments}
    rows = [
        (
            code,
            reg.teleservices[code].label if code in reg.teleservices else code,
            [by_id[i] for i in row.establishment_ids or [] if i in by_id],
        )
        for code, row in experiments.items()
    ]
    return render_template(
        "admin/academy_experiments.html", rows=rows, form=form, candidates=candidates
    )


def _experiment(code: str) -> offer.ExperimentalTeleservice:
    row = offer.experiments().get(code)
    if row is None:
        abort(404)
    return row


@bp.route("/academie/teleservices-experimentaux/<code>", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS)
def academy_experiment(code: str) -> str | Response:
    """Change the establishments an experimental téléservice is offered to."""
    row = _experiment(code)
    reg = registry()
    label = reg.teleservices[code].label if code in reg.teleservices else code
    establishments = list_establishments()
    form = _experiment_form(establishments)
    del form.code
    if request.method == "GET":
        form.establishments.data = _uais(list(row.establishment_ids or []), establishments)
    if form.validate_on_submit():
        before = _uais(list(row.establishment_ids or []), establishments)
        row.establishment_ids = _chosen_ids(form, establishments)
        after = _uais(row.establishment_ids, establishments)
        if after != before:
            _record(
                "academy.experiment_updated",
                f"{label} ({code})",
                {"establishments": before},
                {"establishments": after},
            )
            db.session.commit()
            flash(_("Les établissements retenus sont enregistrés."), "success")
        else:
            flash(_("Aucune modification."), "info")
        return redirect(url_for(".academy_experiment", code=code))
    return render_template(
        "admin/academy_experiment.html", form=form, code=code, label=label, row=row
    )


@bp.route("/academie/teleservices-experimentaux/<code>/terminer", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS)
def academy_experiment_end(code: str) -> str | Response:
    """Ask to confirm, then end an experiment: the téléservice is offered like any other."""
    row = _experiment(code)
    reg = registry()
    label = reg.teleservices[code].label if code in reg.teleservices else code
    form = ConfirmForm()
    if form.validate_on_submit():
        before = _uais(list(row.establishment_ids or []), list_establishments())
        db.session.delete(row)
        _record(
            "academy.experiment_ended",
            f"{label} ({code})",
            {"code": code, "establishments": before},
            {},
        )
        db.session.commit()
        flash(
            _(
                "L'expérimentation de « %(label)s » est terminée : "
                "il est proposé à tous les établissements.",
                label=label,
            ),
            "success",
        )
        return redirect(url_for(".academy_experiments"))
    return render_template(
        "admin/academy_confirm.html",
        title=_("Terminer l'expérimentation"),
        question=_("Confirmez-vous la fin de l'expérimentation ?"),
        detail=_(
            "« %(label)s » sera proposé à tous les établissements de l'académie, "
            "ouvert ou fermé selon leur choix.",
            label=label,
        ),
        form=form,
        action=url_for(".academy_experiment_end", code=code),
        button=_("Terminer l'expérimentation"),
        cancel=url_for(".academy_experiments"),
    )


# --- Academic services ----------------------------------------------------------------------------


@bp.route("/academie/services-academiques", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS)
def academic_services() -> str | Response:
    """The academic services (label + link) shown on the portals, and the form to add one."""
    services = offer.academic_services()
    form = UsefulLinkForm()
    if form.validate_on_submit():
        if len(services) >= MAX_LINKS:
            flash(_("Vous ne pouvez pas ajouter plus de 30 services académiques."), "error")
            return redirect(url_for(".academic_services"))
        service = offer.AcademicService(
            academy_id=g.academy.id,
            label=(form.label.data or "").strip(),
            url=(form.url.data or "").strip(),
        )
        db.session.add(service)
        _record(
            "academy.academic_service_added",
            service.label,
            {},
            {"label": service.label, "url": service.url},
        )
        db.session.commit()
        flash(_("Le service académique « %(label)s » est ajouté.", label=service.label), "success")
        return redirect(url_for(".academic_services"))
    return render_template("admin/academy_services.html", services=services, form=form)


@bp.route("/academie/services-academiques/supprimer", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS)
def academic_service_delete() -> str | Response:
    """Ask to confirm, then remove an academic service (``?service=<id>``)."""
    wanted = request.values.get("service", type=int)
    service = next((s for s in offer.academic_services() if s.id == wanted), None)
    if service is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        db.session.delete(service)
        _record(
            "academy.academic_service_removed",
            service.label,
            {"label": service.label, "url": service.url},
            {},
        )
        db.session.commit()
        flash(
            _("Le service académique « %(label)s » est supprimé.", label=service.label), "success"
        )
        return redirect(url_for(".academic_services"))
    return render_template(
        "admin/academy_confirm.html",
        title=_("Supprimer un service académique"),
        question=_("Confirmez-vous la suppression de ce service académique ?"),
        detail=f"{service.label} — {service.url}",
        form=form,
        action=url_for(".academic_service_delete", service=service.id),
        button=_("Supprimer le service"),
        cancel=url_for(".academic_services"),
    )


# --- Predefined ENT links -------------------------------------------------------------------------


@bp.route("/academie/liens-ent", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS)
def academy_ent_links() -> str | Response:
    """The ENT links establishments choose from in « ENT et courrier de notification » (§2.8)."""
    locked = _declared("ent_links")
    links = [dict(link) for link in g.academy.ent_links or []]
    form = UsefulLinkForm()
    if form.validate_on_submit():
        url = (form.url.data or "").strip()
        if locked:
            flash(str(FILE_MESSAGE), "error")
        elif len(links) >= MAX_LINKS:
            flash(_("Vous ne pouvez pas ajouter plus de 30 liens ENT."), "error")
        elif any(link.get("url") == url for link in links):
            flash(_("Ce lien ENT existe déjà."), "error")
        else:
            link = {"label": (form.label.data or "").strip(), "url": url}
            g.academy.ent_links = [*links, link]
            _record("academy.ent_link_added", link["label"], {}, link)
            db.session.commit()
            flash(_("Le lien ENT « %(label)s » est ajouté.", label=link["label"]), "success")
        return redirect(url_for(".academy_ent_links"))
    return render_template("admin/academy_ent_links.html", links=links, form=form, locked=locked)


@bp.route("/academie/liens-ent/supprimer", methods=["GET", "POST"])
@require_staff(ADMINISTRATORS)
def academy_ent_link_delete() -> str | Response:
    """Ask to confirm, then remove a predefined ENT link (``?url=<its address>``)."""
    url = request.values.get("url", "")
    links = [dict(link) for link in g.academy.ent_links or []]
    link = next((item for item in links if item.get("url") == url), None)
    if link is None:
        abort(404)
    if _declared("ent_links"):
        flash(str(FILE_MESSAGE), "error")
        return redirect(url_for(".academy_ent_links"))
    form = ConfirmForm()
    if form.validate_on_submit():
        g.academy.ent_links = [item for item in links if item.get("url") != url]
        _record("academy.ent_link_removed", link.get("label", ""), link, {})
        db.session.commit()
        flash(_("Le lien ENT « %(label)s » est supprimé.", label=link.get("label", "")), "success")
        return redirect(url_for(".academy_ent_links"))
    return render_template(
        "admin/academy_confirm.html",
        title=_("Supprimer un lien ENT"),
        question=_("Confirmez-vous la suppression de ce lien ENT ?"),
        detail=_(
            "%(label)s — %(url)s. Les établissements qui l'ont choisi gardent leur lien.",
            label=link.get("label", ""),
            url=url,
        ),
        form=form,
        action=url_for(".academy_ent_link_delete", url=url),
        button=_("Supprimer le lien"),
        cancel=url_for(".academy_ent_links"),
    )
