"""« Notifier les représentants légaux » / « Notifier les élèves » (NOT-3, NOT-4, §3.1, §4.1) and
« Écrire à plusieurs responsables » (NOT-6): the selection, its confirmation, the job page with its
live progress and summary, and the letters' PDF (staff of the establishment only, until it
expires)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from teleservices import jobs
from teleservices.accounts.models import AccountState
from teleservices.admin import audit
from teleservices.admin.access import require_staff
from teleservices.admin.blueprints import bp
from teleservices.admin.views_academy import actor
from teleservices.extensions import db
from teleservices.notifications import bulk_email, mass
from teleservices.notifications.models import MassNotification
from teleservices.notifications.selection import (
    REPRESENTATIVES,
    STUDENTS,
    Criteria,
    select_accounts,
)
from teleservices.school.models import Division
from teleservices.school.regimes import Regime
from teleservices.tenancy.models import Establishment

AUDIENCES = {"responsables": REPRESENTATIVES, "eleves": STUDENTS}
SUBJECT_MAX, BODY_MAX = 200, 5000


def _audience(value: str) -> str:
    if value not in AUDIENCES:
        abort(404)
    return AUDIENCES[value]


def _criteria(audience: str) -> Criteria:
    division = request.args.get("division", "")
    regime = request.args.get("regime", "")
    state = request.args.get("etat", "")
    return Criteria(
        audience=audience,
        division_ids=(int(division),) if division.isdigit() else (),
        regime=Regime(regime) if regime in {r.value for r in Regime} else None,
        state=AccountState(state) if state in {s.value for s in AccountState} else None,
    )


def _divisions(establishment: Establishment) -> list[Division]:
    return list(
        db.session.scalars(
            select(Division).filter_by(establishment_id=establishment.id).order_by(Division.code)
        )
    )


@bp.get("/etablissements/<uai>/notification/<audience>")
@require_staff(establishment_from="uai")
def mass_selection(establishment: Establishment, audience: str) -> str:
    """The selection: filters, the accounts with tick boxes, the count, the mode."""
    which = _audience(audience)
    criteria = _criteria(which)
    rows = select_accounts(establishment, criteria)
    return render_template(
        "notifications/mass_selection.html",
        establishment=establishment,
        audience=audience,
        rows=rows,
        divisions=_divisions(establishment),
        regimes=list(Regime),
        states=[s for s in AccountState if s is not AccountState.FERME],
        args=request.args,
        modes=mass.MODE_LABELS,
    )


def _chosen_ids(establishment: Establishment, which: str) -> list[int]:
    """The ticked accounts, kept only if they are accounts of this establishment's selection."""
    ordered = [row.account_id for row in select_accounts(establishment, Criteria(audience=which))]
    ticked = {int(v) for v in request.form.getlist("account") if v.isdigit()}
    return [i for i in ordered if i in ticked]


@bp.post("/etablissements/<uai>/notification/<audience>/confirmer")
@require_staff(establishment_from="uai")
def mass_confirm(establishment: Establishment, audience: str) -> str | Response:
    """« N compte(s) seront notifiés » — the confirmation before the job starts."""
    which = _audience(audience)
    ids = _chosen_ids(establishment, which)
    mode = "paper" if which == STUDENTS else request.form.get("mode", "email+paper")
    if mode not in mass.MODES:
        abort(400)
    if not ids:
        flash(_("Sélectionnez au moins un compte."), "error")
        return redirect(url_for("admin.mass_selection", uai=establishment.uai, audience=audience))
    return render_template(
        "notifications/mass_confirm.html",
        establishment=establishment,
        audience=audience,
        ids=ids,
        mode=mode,
        mode_label=mass.MODE_LABELS[mode],
        reset=bool(request.form.get("reset_passwords")) and which == STUDENTS,
    )


@bp.post("/etablissements/<uai>/notification/<audience>/lancer")
@require_staff(establishment_from="uai")
def mass_start(establishment: Establishment, audience: str) -> Response:
    which = _audience(audience)
    ids = _chosen_ids(establishment, which)
    mode = "paper" if which == STUDENTS else request.form.get("mode", "")
    if mode not in mass.MODES or not ids:
        abort(400)
    notification = mass.create(
        establishment,
        which,
        mode,
        ids,
        created_by=actor().display,
        reset_passwords=bool(request.form.get("reset_passwords")),
    )
    db.session.flush()
    audit.record(
        "notification.mass",
        actor(),
        establishment=establishment,
        target=f"{len(ids)} comptes",
        after={"mode": mass.MODE_LABELS[mode], "comptes": len(ids)},
    )
    mass.start(notification)
    return redirect(
        url_for("admin.mass_progress", uai=establishment.uai, notification_id=notification.id)
    )


def _notification(establishment: Establishment, notification_id: int) -> MassNotification:
    notification = db.session.scalar(
        select(MassNotification).where(
            MassNotification.id == notification_id,
            MassNotification.establishment_id == establishment.id,
        )
    )
    if notification is None:
        abort(404)
    return notification


def _status(notification: MassNotification) -> dict[str, Any]:
    job = (
        db.session.scalar(select(jobs.Job).where(jobs.Job.id == notification.job_id))
        if notification.job_id
        else None
    )
    finished = notification.finished_at is not None
    return {
        "percent": 100 if finished else (job.percent if job else 0),
        "message": (job.message if job else "") or "",
        "finished": finished,
        "failed": bool(job and job.status is jobs.JobStatus.FAILED),
        "error": job.error if job else "",
    }


@bp.get("/etablissements/<uai>/notification/suivi/<int:notification_id>")
@require_staff(establishment_from="uai")
def mass_progress(establishment: Establishment, notification_id: int) -> str:
    """The job page: live progress bar, then the summary and the PDF."""
    notification = _notification(establishment, notification_id)
    return render_template(
        "notifications/mass_progress.html",
        establishment=establishment,
        notification=notification,
        status=_status(notification),
        summary=mass.summary(notification),
        pdf=mass.pdf_available(notification),
        expired=bool(notification.finished_at)
        and notification.mode != "email"
        and not mass.pdf_available(notification),
    )


@bp.get("/etablissements/<uai>/notification/suivi/<int:notification_id>/etat.json")
@require_staff(establishment_from="uai")
def mass_status(establishment: Establishment, notification_id: int) -> Response:
    return jsonify(_status(_notification(establishment, notification_id)))


@bp.get("/etablissements/<uai>/notification/suivi/<int:notification_id>/courriers.pdf")
@require_staff(establishment_from="uai")
def mass_pdf(establishment: Establishment, notification_id: int) -> Response:
    notification = _notification(establishment, notification_id)
    if not mass.pdf_available(notification):
        abort(410 if notification.finished_at else 404)
    response = send_file(
        Path(notification.pdf_path),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"notification-{establishment.uai}-{notification.id}.pdf",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/etablissements/<uai>/notification/responsables/ecrire")
@require_staff(establishment_from="uai")
def bulk_email_form(establishment: Establishment) -> str | Response:
    """« Écrire à plusieurs responsables »: the message, then one e-mail each (a job)."""
    ids = _chosen_ids(establishment, REPRESENTATIVES)
    if not ids:
        flash(_("Sélectionnez au moins un compte."), "error")
        return redirect(
            url_for("admin.mass_selection", uai=establishment.uai, audience="responsables")
        )
    subject = (request.form.get("subject") or "").strip()
    body = (request.form.get("body") or "").strip()
    errors: dict[str, str] = {}
    if request.form.get("send"):
        if not subject or len(subject) > SUBJECT_MAX:
            errors["subject"] = _("Saisissez un objet de 1 à 200 caractères.")
        if not body or len(body) > BODY_MAX:
            errors["body"] = _("Saisissez un message de 1 à 5 000 caractères.")
        if not errors:
            job = jobs.enqueue(
                bulk_email.send,
                ids,
                subject,
                body,
                academy_id=establishment.academy_id,
                establishment_id=establishment.id,
                description=f"Courriel à {len(ids)} responsables",
            )
            audit.record(
                "notification.bulk_email",
                actor(),
                establishment=establishment,
                target=f"{len(ids)} comptes",
                after={"objet": subject},
            )
            db.session.commit()
            result = job.result or {}
            flash(
                _(
                    "Message mis en file d'envoi pour %(count)d compte(s).",
                    count=len(ids) - len(result.get("skipped", [])) if result else len(ids),
                ),
                "success",
            )
            return redirect(
                url_for("admin.mass_selection", uai=establishment.uai, audience="responsables")
            )
    return render_template(
        "notifications/bulk_email.html",
        establishment=establishment,
        ids=ids,
        subject=subject,
        body=body,
        errors=errors,
    )
