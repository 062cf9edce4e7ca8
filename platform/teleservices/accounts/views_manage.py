"""« Gérer son compte » (ACC-8): the account's details and children, a new password, a new
address; the entry to « Regrouper des comptes » for a representative."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices.accounts import manage, ratelimits, sessions
from teleservices.accounts.blueprint import bp
from teleservices.accounts.children import children_of
from teleservices.accounts.forms import ChangeEmailForm, ChangePasswordForm
from teleservices.accounts.models import Account
from teleservices.extensions import db


def login_first() -> Response:
    flash(_("Veuillez vous identifier pour accéder à vos services."), "info")
    return redirect(url_for("accounts.login"))


def _page(
    account: Account,
    password_form: ChangePasswordForm | None = None,
    email_form: ChangeEmailForm | None = None,
) -> str:
    return render_template(
        "accounts/manage.html",
        account=account,
        children=children_of(account),
        password_form=password_form or ChangePasswordForm(prefix="mdp"),
        email_form=email_form or ChangeEmailForm(prefix="mail"),
    )


@bp.get("/compte")
def manage_account() -> str | Response:
    """The account page: identifier, address, children, the two change forms."""
    account = sessions.current_account()
    if account is None:
        return login_first()
    return _page(account)


@bp.post("/compte/mot-de-passe")
@ratelimits.password_check_limits
def change_password() -> str | Response:
    account = sessions.current_account()
    if account is None:
        return login_first()
    form = ChangePasswordForm(prefix="mdp")
    if form.validate_on_submit():
        if manage.current_password_matches(account, form.current_password.data or ""):
            manage.change_password(account, form.password.data or "")
            sessions.reopen_session(account)
            db.session.commit()
            flash(_("Votre mot de passe a été modifié."), "success")
            return redirect(url_for("accounts.manage_account"))
        ratelimits.count_failure()
        form.current_password.errors = [_("Le mot de passe actuel est incorrect.")]
    return _page(account, password_form=form)


@bp.post("/compte/adresse-mail")
@ratelimits.password_check_limits
def change_email() -> str | Response:
    account = sessions.current_account()
    if account is None:
        return login_first()
    form = ChangeEmailForm(prefix="mail")
    if form.validate_on_submit():
        if manage.current_password_matches(account, form.current_password.data or ""):
            manage.change_email(account, form.email.data or "")
            flash(
                _(
                    "Un courriel de confirmation vient d'être envoyé à %(email)s : cliquez sur "
                    "le lien qu'il contient pour confirmer votre nouvelle adresse.",
                    email=account.email,
                ),
                "success",
            )
            return redirect(url_for("accounts.manage_account"))
        ratelimits.count_failure()
        form.current_password.errors = [_("Le mot de passe actuel est incorrect.")]
    return _page(account, email_form=form)
