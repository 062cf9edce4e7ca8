"""Staff screens: « Courriers » (edit, preview, reset the letter templates, NOT-2) and « Listes des
comptes élèves » (NOT-5), in the establishment's staff area, behind ``require_staff``.

Every saved or reset template is written to the audit log with its texts before and after.
"""

from __future__ import annotations

import base64
from datetime import date

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import TextAreaField

from teleservices.admin import audit
from teleservices.admin.access import current_staff, require_staff
from teleservices.admin.blueprints import bp
from teleservices.extensions import db
from teleservices.notifications.context import letter_context
from teleservices.notifications.editing import (
    EffectiveTemplate,
    Part,
    TemplateRefusedError,
    effective_template,
    effective_templates,
    reset_template,
    save_template,
)
from teleservices.notifications.fields import FIELDS, required_fields
from teleservices.notifications.kinds import LetterKind
from teleservices.notifications.preview import preview_letter
from teleservices.notifications.student_lists import division_lists, group_list, list_csv, list_pdf
from teleservices.school.models import Division, Group
from teleservices.tenancy.models import Establishment

MAX_TEXT = 20_000
RESETS: dict[str, Part] = {"reset_header": "header", "reset_body": "body", "reset_all": "all"}


class LetterTemplateForm(FlaskForm):
    header = TextAreaField("En-tête (bloc expéditeur, en haut à gauche)", render_kw={"rows": 8})
    body = TextAreaField("Corps du courrier (de l'objet à la signature)", render_kw={"rows": 24})


def _kind(value: str) -> LetterKind:
    try:
        return LetterKind(value)
    except ValueError:
        abort(404)


def _actor_name() -> str:
    user = current_staff()
    return user.display_name if user is not None else ""


def _record(
    action: str,
    establishment: Establishment,
    kind: LetterKind,
    before: EffectiveTemplate,
    after: EffectiveTemplate,
) -> None:
    user = current_staff()
    assert user is not None
    audit.record(
        action,
        audit.Actor.of(user),
        establishment=establishment,
        target=f"Courrier « {kind.label} »",
        before={"header": before.header_html, "body": before.body_html},
        after={"header": after.header_html, "body": after.body_html},
    )


def _png_data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@bp.get("/etablissements/<uai>/parametrage/courriers")
@require_staff(establishment_from="uai")
def letters(establishment: Establishment) -> str:
    """The four letter kinds, each with its state (default or edited) and its actions."""
    return render_template(
        "notifications/admin_letters.html",
        establishment=establishment,
        templates=effective_templates(establishment),
    )


@bp.route("/etablissements/<uai>/parametrage/courriers/<kind>", methods=["GET", "POST"])
@require_staff(establishment_from="uai")
def letter_edit(establishment: Establishment, kind: str) -> str | BaseResponse:
    """Edit a letter kind: preview the draft, save it (refused without its fields), reset."""
    letter_kind = _kind(kind)
    current = effective_template(establishment, letter_kind)
    form = LetterTemplateForm()
    action = request.form.get("action", "preview")
    if request.method == "GET":
        form.header.data = current.header_html
        form.body.data = current.body_html
    elif form.validate_on_submit():
        header = (form.header.data or "")[:MAX_TEXT]
        body = (form.body.data or "")[:MAX_TEXT]
        if action in RESETS:
            after = reset_template(establishment, letter_kind, RESETS[action], _actor_name())
            _record("letters.template_reset", establishment, letter_kind, current, after)
            db.session.commit()
            flash("Le texte par défaut est rétabli.", "success")
            return redirect(url_for(".letter_edit", uai=establishment.uai, kind=letter_kind.value))
        if action == "save":
            try:
                after = save_template(establishment, letter_kind, header, body, _actor_name())
            except TemplateRefusedError as refused:
                flash(str(refused), "error")
            else:
                _record("letters.template_saved", establishment, letter_kind, current, after)
                db.session.commit()
                flash(
                    "Le courrier est enregistré ; il sera utilisé dès la prochaine notification.",
                    "success",
                )
                return redirect(
                    url_for(".letter_edit", uai=establishment.uai, kind=letter_kind.value)
                )
    context = letter_context(g.academy, establishment)
    preview = preview_letter(context, letter_kind, form.header.data or "", form.body.data or "")
    return render_template(
        "notifications/admin_letter_edit.html",
        establishment=establishment,
        kind=letter_kind,
        current=current,
        form=form,
        fields=FIELDS,
        required=required_fields(letter_kind),
        preview_src=_png_data_url(preview.png),
    )


@bp.get("/etablissements/<uai>/parametrage/courriers/<kind>/apercu.pdf")
@require_staff(establishment_from="uai")
def letter_preview_pdf(establishment: Establishment, kind: str) -> Response:
    """The sample letter of a kind, with the texts in force, as a PDF."""
    letter_kind = _kind(kind)
    preview = preview_letter(letter_context(g.academy, establishment), letter_kind)
    return Response(
        preview.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="apercu-{letter_kind.value}.pdf"'},
    )


@bp.get("/etablissements/<uai>/eleves/listes")
@require_staff(establishment_from="uai")
def student_lists(establishment: Establishment) -> str | Response:
    """Lists of student accounts by division or group, on screen, as PDF or as CSV (§4.3)."""
    divisions = list(
        db.session.execute(
            select(Division).filter_by(establishment_id=establishment.id).order_by(Division.code)
        ).scalars()
    )
    groups = list(
        db.session.execute(
            select(Group).filter_by(establishment_id=establishment.id).order_by(Group.code)
        ).scalars()
    )
    choice = request.args.get("selection", "")
    sections = []
    if choice == "toutes":
        sections = division_lists(establishment)
    elif choice.startswith("d-") and choice[2:].isdigit():
        sections = division_lists(establishment, [int(choice[2:])])
    elif choice.startswith("g-") and choice[2:].isdigit():
        if int(choice[2:]) not in {group.id for group in groups}:
            abort(404)
        sections = [group_list(establishment, int(choice[2:]))]
    output = request.args.get("format", "")
    if sections and output in ("pdf", "csv"):
        name = f"comptes-eleves-{establishment.uai}-{date.today().isoformat()}.{output}"
        data = list_pdf(establishment, sections) if output == "pdf" else list_csv(sections)
        return Response(
            data,
            mimetype="application/pdf" if output == "pdf" else "text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )
    return render_template(
        "notifications/admin_student_lists.html",
        establishment=establishment,
        divisions=divisions,
        groups=groups,
        choice=choice,
        sections=sections,
    )
