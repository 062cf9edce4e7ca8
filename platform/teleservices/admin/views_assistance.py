"""« Gérer le compte responsable / élève » (ADM-5): search, the account page, its actions behind
a confirmation screen (each audited), the re-printable letter and the simulation's start and end."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from teleservices.accounts.children import children_of
from teleservices.accounts.models import Account, AccountState, NotificationMode
from teleservices.accounts.notification import provisional_password
from teleservices.admin import assistance, audit, simulation
from teleservices.admin.access import current_staff, require_staff
from teleservices.admin.assistance import Audience, Filters
from teleservices.admin.blueprints import bp
from teleservices.admin.forms import (
    AssistanceSearchForm,
    ConfirmForm,
    RenotifyForm,
    ResendActivationForm,
    WriteForm,
)
from teleservices.admin.views_academy import actor
from teleservices.extensions import db
from teleservices.notifications.context import letter_context
from teleservices.notifications.letters import render_letters
from teleservices.school.models import Division, Mef
from teleservices.tenancy.models import Establishment

ACTIONS: dict[str, tuple[str, type[FlaskForm]]] = {
    "renvoyer-activation": ("Renvoyer le courriel d'activation du compte", ResendActivationForm),
    "renotifier": ("Renotifier et réinitialiser le mot de passe", RenotifyForm),
    "nouveau-compte": ("Créer un nouveau compte", ConfirmForm),
    "refus": ("Désactiver le compte (refus de la famille)", ConfirmForm),
    "ecrire": ("Écrire un courriel", WriteForm),
    "simuler": ("Simuler l'accès à Scolarité services", ConfirmForm),
}


def _audience(value: str) -> Audience:
    try:
        return Audience(value)
    except ValueError:
        abort(404)


def _account(establishment: Establishment, audience: Audience, account_id: int) -> Account:
    account = assistance.account_in(establishment, account_id)
    if account is None or account.kind is not audience.kind:
        abort(404)
    return account


def _filters(form: AssistanceSearchForm) -> Filters:
    def number(value: Any) -> int | None:
        return int(value) if str(value or "").isdigit() else None

    state = form.etat.data or ""
    return Filters(
        name=form.nom.data or "",
        mef_id=number(form.mef.data),
        division_id=number(form.division.data),
        state=AccountState(state) if state in {s.value for s in AccountState} else None,
    )


@bp.get("/etablissements/<uai>/comptes/<audience>")
@require_staff(establishment_from="uai")
def assistance_search(establishment: Establishment, audience: str) -> str:
    """The search: first letters of the student's name, MEF, division, account state."""
    which = _audience(audience)
    form = AssistanceSearchForm(request.args)
    form.mef.choices = [SelectChoice("", _("Tous"))] + [
        SelectChoice(str(m.id), m.label or m.code)
        for m in db.session.execute(
            select(Mef).filter_by(establishment_id=establishment.id).order_by(Mef.code)
        ).scalars()
    ]
    form.division.choices = [SelectChoice("", _("Toutes"))] + [
        SelectChoice(str(d.id), d.code)
        for d in db.session.execute(
            select(Division).filter_by(establishment_id=establishment.id).order_by(Division.code)
        ).scalars()
    ]
    form.etat.choices = [SelectChoice("", _("Tous (sauf fermés)"))] + [
        SelectChoice(s.value, s.label) for s in AccountState
    ]
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    rows, total = assistance.search(establishment, which, _filters(form), number)
    return render_template(
        "admin/assistance.html",
        establishment=establishment,
        audience=which,
        form=form,
        rows=rows,
        total=total,
        page=number,
        pages=max(1, -(-total // assistance.PAGE_SIZE)),
    )


@bp.get("/etablissements/<uai>/comptes/<audience>/<int:account_id>")
@require_staff(establishment_from="uai")
def assistance_account(establishment: Establishment, audience: str, account_id: int) -> str:
    """The account page: state, dates, address, students, and the actions its state allows."""
    which = _audience(audience)
    account = _account(establishment, which, account_id)
    return render_template(
        "admin/assistance_account.html",
        establishment=establishment,
        audience=which,
        account=account,
        children=children_of(account),
        actions=_available(account),
        ACTIONS=ACTIONS,
        letter_ready=account.state is AccountState.NOTIFIE
        and bool(account.provisional_password_encrypted),
    )


def _available(account: Account) -> list[str]:
    state = account.state
    if state is AccountState.FERME:
        return ["nouveau-compte"]
    available = ["renotifier", "nouveau-compte", "refus", "ecrire"]
    if state is AccountState.EN_COURS_ACTIVATION:
        available.insert(0, "renvoyer-activation")
    if state is AccountState.UTILISE:
        available.append("simuler")
    return available


@bp.route(
    "/etablissements/<uai>/comptes/<audience>/<int:account_id>/<action>", methods=["GET", "POST"]
)
@require_staff(establishment_from="uai")
def assistance_action(
    establishment: Establishment, audience: str, account_id: int, action: str
) -> str | Response:
    """The confirmation screen of an action (GET), and the action itself (POST)."""
    which = _audience(audience)
    account = _account(establishment, which, account_id)
    if action not in _available(account):
        abort(404)
    title, form_class = ACTIONS[action]
    form = form_class()
    if request.method == "GET" and isinstance(form, ResendActivationForm):
        form.email.data = account.email
    back = url_for(
        "admin.assistance_account",
        uai=establishment.uai,
        audience=which.value,
        account_id=account.id,
    )
    if form.validate_on_submit():
        try:
            return _do(action, establishment, which, account, form, back)
        except assistance.AssistanceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(back)
    return render_template(
        "admin/assistance_confirm.html",
        establishment=establishment,
        audience=which,
        account=account,
        action=action,
        title=title,
        form=form,
        back=back,
    )


def _do(
    action: str,
    establishment: Establishment,
    audience: Audience,
    account: Account,
    form: Any,
    back: str,
) -> Response:
    before = {"état": account.state.label, "identifiant": account.identifier}
    target = account.identifier
    if action == "renvoyer-activation":
        address = assistance.resend_activation(account, form.email.data or "")
        _audit("account.activation_resent", establishment, target, before, {"adresse": address})
        flash(_("Le courriel d'activation a été renvoyé à %(email)s.", email=address), "success")
        return redirect(back)
    if action == "renotifier":
        mode = NotificationMode(form.mode.data)
        result = assistance.renotify(account, mode)
        _audit(
            "account.renotified",
            establishment,
            target,
            before,
            {"état": account.state.label, "mode": mode.label},
        )
        if mode is NotificationMode.EMAIL:
            flash(
                _("Le compte a été renotifié par courriel à %(email)s.", email=result.emailed_to),
                "success",
            )
        else:
            flash(_("Le compte a été renotifié : imprimez le courrier ci-dessous."), "success")
        return redirect(back)
    if action == "nouveau-compte":
        fresh = assistance.new_account(account, establishment)
        _audit(
            "account.new_account", establishment, target, before, {"identifiant": fresh.identifier}
        )
        flash(
            _(
                "Le compte %(identifier)s a été créé (à notifier).",
                identifier=fresh.identifier,
            ),
            "success",
        )
        return redirect(
            url_for(
                "admin.assistance_account",
                uai=establishment.uai,
                audience=audience.value,
                account_id=fresh.id,
            )
        )
    if action == "refus":
        assistance.refuse(account)
        _audit("account.refused", establishment, target, before, {"état": account.state.label})
        flash(_("Le compte a été désactivé."), "success")
        return redirect(back)
    if action == "ecrire":
        address = assistance.write(account, form.subject.data or "", form.body.data or "")
        _audit(
            "account.emailed",
            establishment,
            target,
            None,
            {"adresse": address, "objet": form.subject.data},
        )
        flash(_("Le courriel a été envoyé à %(email)s.", email=address), "success")
        return redirect(back)
    staff = current_staff()
    assert staff is not None
    simulation.start(staff, account, establishment)
    _audit("simulation.started", establishment, target, None, None)
    return redirect(url_for("accounts.home"))


def _audit(action: str, establishment: Establishment, target: str, before: Any, after: Any) -> None:
    audit.record(
        action, actor(), establishment=establishment, target=target, before=before, after=after
    )
    db.session.commit()


@bp.get("/etablissements/<uai>/comptes/<audience>/<int:account_id>/courrier.pdf")
@require_staff(establishment_from="uai")
def assistance_letter(establishment: Establishment, audience: str, account_id: int) -> Response:
    """The account's notification letter, re-printable while its provisional password lasts."""
    account = _account(establishment, _audience(audience), account_id)
    if account.state is not AccountState.NOTIFIE or provisional_password(account) is None:
        abort(404)
    pdf = render_letters([account], letter_context(g.academy, establishment))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="courrier-{account.identifier}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/simulation/fin")
@require_staff()
def end_simulation() -> Response:
    """« Terminer la simulation »: back to the account page, audited."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("admin.home"))
    data = simulation.stop()
    if data is None:
        return redirect(url_for("admin.home"))
    establishment = db.session.execute(
        select(Establishment).filter_by(uai=str(data.get("uai", "")))
    ).scalar_one_or_none()
    audit.record(
        "simulation.ended",
        actor(),
        academy_id=g.academy.id,
        establishment=establishment,
        target=str(data.get("identifier", "")),
    )
    db.session.commit()
    if establishment is None:
        return redirect(url_for("admin.home"))
    account = db.session.scalar(select(Account).where(Account.id == int(data.get("account_id", 0))))
    audience = Audience.REPRESENTATIVES
    if account is not None and not account.is_representative:
        audience = Audience.STUDENTS
    return redirect(
        url_for(
            "admin.assistance_account",
            uai=establishment.uai,
            audience=audience.value,
            account_id=int(data.get("account_id", 0)),
        )
    )
