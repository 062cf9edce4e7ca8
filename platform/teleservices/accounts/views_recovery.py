"""The recovery screens (ACC-6, ACC-7): « identifiant oublié », « mot de passe oublié » and the
reset form reached from the e-mail's link. Messages are the family guide's."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices.accounts import ratelimits, recovery
from teleservices.accounts.blueprint import bp
from teleservices.accounts.forms import (
    ForgottenIdentifierForm,
    ForgottenPasswordForm,
    ResetPasswordForm,
)
from teleservices.accounts.recovery import PasswordOutcome
from teleservices.accounts.tokens import LinkStatus
from teleservices.extensions import db


@bp.route("/identifiant-oublie", methods=["GET", "POST"])
@ratelimits.recovery_limits("email")
def forgotten_identifier() -> str:
    """Ask for the address; e-mail every identifier confirmed on it."""
    form = ForgottenIdentifierForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        found = recovery.forgotten_identifier(email)
        return render_template("accounts/identifier_result.html", found=found, email=email)
    return render_template("accounts/forgotten_identifier.html", form=form)


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@ratelimits.recovery_limits("identifier")
def forgotten_password() -> str:
    """Ask for the identifier: reference number and e-mail, or the guide's two messages."""
    form = ForgottenPasswordForm()
    error = ""
    if form.validate_on_submit():
        answer = recovery.forgotten_password(form.identifier.data or "")
        if answer.outcome is PasswordOutcome.SENT:
            return render_template("accounts/password_requested.html", reference=answer.reference)
        if answer.outcome is PasswordOutcome.UNKNOWN:
            error = _("Cet identifiant n'est pas reconnu. Veuillez réessayer.")
        else:
            error = _(
                "Vous devez valider votre adresse mail afin de pouvoir modifier votre mot de "
                "passe. En cas de problème, veuillez contacter votre établissement."
            )
    return render_template("accounts/forgotten_password.html", form=form, error=error)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@ratelimits.link_limits
def reset_password(token: str) -> str | tuple[str, int] | Response:
    """« Votre mot de passe »: the identifier and the new password, from the e-mail's link."""
    found = recovery.reset_link(token)
    if found.status is not LinkStatus.VALID:
        code = 404 if found.status is LinkStatus.UNKNOWN else 410
        return render_template("accounts/link_invalid.html", status=found.status.value), code
    form = ResetPasswordForm()
    if form.validate_on_submit():
        if not recovery.identifier_matches(found, form.identifier.data or ""):
            form.identifier.errors = [
                _("Cet identifiant ne correspond pas à votre demande de réinitialisation.")
            ]
        elif recovery.reset_password(found, form.password.data or ""):
            db.session.commit()
            flash(
                _(
                    "Votre mot de passe a été modifié. Vous pouvez vous connecter avec votre "
                    "nouveau mot de passe."
                ),
                "success",
            )
            return redirect(url_for("accounts.login"))
        else:
            return render_template("accounts/link_invalid.html", status="used"), 410
    return render_template("accounts/reset_password.html", form=form)
