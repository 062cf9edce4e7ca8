"""« Paramétrage » (ADM-4): welcome message, ENT and courier type, contact link, useful links.

Every change is effective at once on the portal and written to the audit log with the values
before and after.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from teleservices.admin import audit, sanitizer
from teleservices.admin.access import current_staff, require_staff
from teleservices.admin.blueprints import bp
from teleservices.admin.establishment_settings import (
    CourierType,
    EstablishmentSettings,
    new_link_id,
    settings_row,
)
from teleservices.admin.forms import (
    ConfirmForm,
    ContactForm,
    EntForm,
    UsefulLinkForm,
    WelcomeMessageForm,
    is_web_url,
)
from teleservices.extensions import db
from teleservices.tenancy.models import Establishment

MAX_USEFUL_LINKS = 30


def _record(
    action: str,
    establishment: Establishment,
    target: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    user = current_staff()
    assert user is not None
    audit.record(
        action,
        audit.Actor.of(user),
        establishment=establishment,
        target=target,
        before=before,
        after=after,
    )


def _snapshot(row: EstablishmentSettings, *keys: str) -> dict[str, Any]:
    values = row.snapshot()
    return {key: values[key] for key in keys}


@bp.get("/etablissements/<uai>/parametrage")
@require_staff(establishment_from="uai")
def parametrage(establishment: Establishment) -> Response:
    """The Paramétrage menu starts with the welcome message."""
    return redirect(url_for(".welcome_message", uai=establishment.uai))


@bp.route("/etablissements/<uai>/parametrage/message-accueil", methods=["GET", "POST"])
@require_staff(establishment_from="uai")
def welcome_message(establishment: Establishment) -> str | Response:
    """The welcome message, with a preview (button without JavaScript, live with it)."""
    row = settings_row(establishment)
    form = WelcomeMessageForm()
    if request.method == "GET":
        form.message.data = row.welcome_message or ""
    preview = sanitizer.render(form.message.data or "")
    if form.validate_on_submit() and request.form.get("action") != "preview":
        cleaned = sanitizer.clean(form.message.data or "")
        before = _snapshot(row, "welcome_message")
        row.welcome_message = cleaned
        _record(
            "settings.welcome_message",
            establishment,
            "Message d'accueil",
            before,
            {"welcome_message": cleaned},
        )
        db.session.commit()
        flash(_("Le message d'accueil est enregistré ; il est visible dès maintenant."), "success")
        if cleaned != (form.message.data or ""):
            flash(
                _(
                    "Les éléments non autorisés (scripts, attributs, liens non web…) "
                    "ont été retirés du message."
                ),
                "info",
            )
        return redirect(url_for(".welcome_message", uai=establishment.uai))
    return render_template(
        "admin/parametrage_welcome.html",
        establishment=establishment,
        form=form,
        preview=preview,
        max_length=sanitizer.MAX_LENGTH,
    )


@bp.post("/etablissements/<uai>/parametrage/message-accueil/apercu")
@require_staff(establishment_from="uai")
def welcome_preview(establishment: Establishment) -> str:
    """The sanitised rendering of a draft message (for the live preview)."""
    draft = request.form.get("message", "")[: sanitizer.MAX_LENGTH * 2]
    return str(sanitizer.render(draft))


def _predefined_links() -> list[tuple[str, str]]:
    links = g.academy.ent_links or []
    return [
        (str(link.get("url", "")), str(link.get("label", "")))
        for link in links
        if is_web_url(str(link.get("url", "")))
    ]


@bp.route("/etablissements/<uai>/parametrage/ent", methods=["GET", "POST"])
@require_staff(establishment_from="uai")
def ent(establishment: Establishment) -> str | Response:
    """ENT and notification courier type (§2.8)."""
    row = settings_row(establishment)
    predefined = _predefined_links()
    form = EntForm()
    form.predefined.choices = [SelectChoice("", _("— Aucun —"))] + [
        SelectChoice(url, f"{label} — {url}") for url, label in predefined
    ]
    if request.method == "GET":
        form.courier_type.data = (row.courier_type or CourierType.TELESERVICES).value
        if row.ent_url in {url for url, _label in predefined}:
            form.predefined.data = row.ent_url
        else:
            form.specific_url.data = row.ent_url
    if form.validate_on_submit():
        before = _snapshot(row, "courier_type", "ent_url")
        row.courier_type = CourierType(form.courier_type.data)
        row.ent_url = form.chosen_url()
        _record(
            "settings.ent",
            establishment,
            "ENT et courrier de notification",
            before,
            _snapshot(row, "courier_type", "ent_url"),
        )
        db.session.commit()
        flash(_("Le type de courrier et le lien ENT sont enregistrés."), "success")
        return redirect(url_for(".ent", uai=establishment.uai))
    return render_template(
        "admin/parametrage_ent.html",
        establishment=establishment,
        form=form,
        predefined=predefined,
        current_url=row.ent_url,
    )


@bp.route("/etablissements/<uai>/parametrage/contact", methods=["GET", "POST"])
@require_staff(establishment_from="uai")
def contact(establishment: Establishment) -> str | Response:
    """The contact link: one of the establishment's e-mail addresses, active or not (§2.9)."""
    row = settings_row(establishment)
    emails = list(establishment.emails or [])
    form = ContactForm()
    form.email.choices = [SelectChoice(email, email) for email in emails]
    if request.method == "GET":
        form.email.data = row.contact_email if row.contact_email in emails else ""
        form.active.data = "1" if row.contact_active else "0"
    if emails and form.validate_on_submit():
        before = _snapshot(row, "contact_email", "contact_active")
        row.contact_email = form.email.data or ""
        row.contact_active = form.active.data == "1"
        _record(
            "settings.contact",
            establishment,
            "Lien de contact établissement",
            before,
            _snapshot(row, "contact_email", "contact_active"),
        )
        db.session.commit()
        flash(_("Le lien de contact est enregistré."), "success")
        return redirect(url_for(".contact", uai=establishment.uai))
    return render_template(
        "admin/parametrage_contact.html", establishment=establishment, form=form, emails=emails
    )


@bp.route("/etablissements/<uai>/parametrage/liens-utiles", methods=["GET", "POST"])
@require_staff(establishment_from="uai")
def useful_links(establishment: Establishment) -> str | Response:
    """The useful links, in creation order, and the form to add one (§2.10)."""
    row = settings_row(establishment)
    links = list(row.useful_links or [])
    form = UsefulLinkForm()
    if form.validate_on_submit():
        if len(links) >= MAX_USEFUL_LINKS:
            flash(_("Vous ne pouvez pas ajouter plus de 30 liens utiles."), "error")
            return redirect(url_for(".useful_links", uai=establishment.uai))
        link = {
            "id": new_link_id(),
            "label": (form.label.data or "").strip(),
            "url": (form.url.data or "").strip(),
        }
        row.useful_links = [*links, link]
        _record("settings.useful_link_added", establishment, link["label"], {}, dict(link))
        db.session.commit()
        flash(_("Le lien « %(label)s » est ajouté.", label=link["label"]), "success")
        return redirect(url_for(".useful_links", uai=establishment.uai))
    return render_template(
        "admin/parametrage_links.html",
        establishment=establishment,
        form=form,
        links=links,
        delete_form=ConfirmForm(),
    )


@bp.route(
    "/etablissements/<uai>/parametrage/liens-utiles/<link_id>/supprimer", methods=["GET", "POST"]
)
@require_staff(establishment_from="uai")
def delete_useful_link(establishment: Establishment, link_id: str) -> str | Response:
    """Ask to confirm, then remove a useful link."""
    row = settings_row(establishment)
    links = list(row.useful_links or [])
    link = next((item for item in links if item.get("id") == link_id), None)
    if link is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        row.useful_links = [item for item in links if item.get("id") != link_id]
        _record("settings.useful_link_removed", establishment, link["label"], dict(link), {})
        db.session.commit()
        flash(_("Le lien « %(label)s » est supprimé.", label=link["label"]), "success")
        return redirect(url_for(".useful_links", uai=establishment.uai))
    return render_template(
        "admin/parametrage_link_delete.html", establishment=establishment, form=form, link=link
    )
