"""Delegation (ADM-1, §1.3 step 5): a head grants the administration of the establishment's
téléservices to named staff, and can withdraw it."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices.admin import accounts, audit
from teleservices.admin.access import DELEGATORS, current_staff, require_staff
from teleservices.admin.blueprints import bp
from teleservices.admin.forms import ConfirmForm, DelegateForm
from teleservices.admin.models import StaffMember, StaffRole
from teleservices.extensions import db
from teleservices.tenancy.models import Establishment


def _actor() -> audit.Actor:
    user = current_staff()
    assert user is not None
    return audit.Actor.of(user)


def _delegating_head() -> StaffMember | None:
    user = current_staff()
    return user if isinstance(user, StaffMember) else None


@bp.route("/etablissements/<uai>/delegations", methods=["GET", "POST"])
@require_staff(DELEGATORS, establishment_from="uai")
def delegations(establishment: Establishment) -> str | Response:
    """The establishment's delegates and the form to delegate to someone."""
    form = DelegateForm()
    if form.validate_on_submit():
        login = accounts.normalise_login(form.login.data or "")
        existing = accounts.find_staff(login)
        if existing is not None:
            if existing.role is not StaffRole.DELEGATE or existing.establishment_id != (
                establishment.id
            ):
                form.login.errors = [_("Cet identifiant est déjà utilisé par un autre personnel.")]
                return _page(establishment, form)
            accounts.grant(existing, _delegating_head())
            delegate = existing
        else:
            delegate = accounts.create_staff(
                g.academy.id,
                login,
                form.password.data or "",
                StaffRole.DELEGATE,
                display_name=form.display_name.data or "",
                email=form.email.data or "",
                establishment=establishment,
                delegated_by=_delegating_head(),
            )
        audit.record(
            "delegation.granted",
            _actor(),
            establishment=establishment,
            target=f"{delegate.display_name} ({delegate.login})",
            before={"active": existing.active} if existing is not None else {},
            after={"login": delegate.login, "active": True},
        )
        db.session.commit()
        flash(
            _(
                "%(name)s (%(login)s) administre désormais les téléservices de l'établissement.",
                name=delegate.display_name,
                login=delegate.login,
            ),
            "success",
        )
        return redirect(url_for(".delegations", uai=establishment.uai))
    return _page(establishment, form)


def _page(establishment: Establishment, form: DelegateForm) -> str:
    return render_template(
        "admin/delegations.html",
        establishment=establishment,
        form=form,
        delegates=accounts.delegates_of(establishment),
        action_form=ConfirmForm(),
    )


def _delegate(establishment: Establishment, staff_id: int) -> StaffMember:
    delegate = accounts.delegate_of(establishment, staff_id)
    if delegate is None:
        abort(404)
    return delegate


@bp.post("/etablissements/<uai>/delegations/<int:staff_id>/retirer")
@require_staff(DELEGATORS, establishment_from="uai")
def withdraw_delegation(establishment: Establishment, staff_id: int) -> Response:
    """Withdraw a delegation: the delegate's account is deactivated, their sessions end."""
    delegate = _delegate(establishment, staff_id)
    if ConfirmForm().validate_on_submit() and delegate.active:
        accounts.withdraw(delegate)
        audit.record(
            "delegation.withdrawn",
            _actor(),
            establishment=establishment,
            target=f"{delegate.display_name} ({delegate.login})",
            before={"active": True},
            after={"active": False},
        )
        db.session.commit()
        flash(_("La délégation de %(name)s est retirée.", name=delegate.display_name), "success")
    return redirect(url_for(".delegations", uai=establishment.uai))


@bp.post("/etablissements/<uai>/delegations/<int:staff_id>/accorder")
@require_staff(DELEGATORS, establishment_from="uai")
def grant_delegation(establishment: Establishment, staff_id: int) -> Response:
    """Grant the delegation again to a delegate whose delegation was withdrawn."""
    delegate = _delegate(establishment, staff_id)
    if ConfirmForm().validate_on_submit() and not delegate.active:
        accounts.grant(delegate, _delegating_head())
        audit.record(
            "delegation.granted",
            _actor(),
            establishment=establishment,
            target=f"{delegate.display_name} ({delegate.login})",
            before={"active": False},
            after={"active": True},
        )
        db.session.commit()
        flash(_("La délégation de %(name)s est rétablie.", name=delegate.display_name), "success")
    return redirect(url_for(".delegations", uai=establishment.uai))
