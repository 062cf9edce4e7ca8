"""Login (« votre identifiant », « votre mot de passe »), logout (« se déconnecter ») and the
the landing page after login is the portal's home (``teleservices.portal.views``).

Wrong credentials get one message whichever part was wrong; a provisional password leads to
« Première connexion », a representative whose address is not confirmed to « Compte en attente de
validation », a used account to its landing page on a fresh session.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices.accounts import ratelimits, sessions
from teleservices.accounts.authentication import authenticate
from teleservices.accounts.blueprint import bp
from teleservices.accounts.forms import ActionForm, LoginForm
from teleservices.accounts.models import Account, AccountState
from teleservices.accounts.sessions import Step
from teleservices.extensions import db


def after_password(account: Account) -> Response:
    """Where correct credentials lead, depending on the account's state."""
    if account.state is AccountState.NOTIFIE:
        sessions.begin_pending(account, Step.FIRST_CONNECTION)
        db.session.commit()
        return redirect(url_for("accounts.first_connection"))
    if account.state is AccountState.EN_COURS_ACTIVATION:
        sessions.begin_pending(account, Step.CONFIRMATION)
        db.session.commit()
        return redirect(url_for("accounts.awaiting_confirmation"))
    sessions.open_session(account)
    db.session.commit()
    return redirect(url_for("accounts.home"))


@bp.route("/connexion", methods=["GET", "POST"])
@ratelimits.login_limits
def login() -> str | Response:
    """The login page of the academy's families and students."""
    if sessions.current_account() is not None:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    error = ""
    if form.validate_on_submit():
        account = authenticate(form.identifier.data or "", form.password.data or "")
        if account is not None:
            return after_password(account)
        ratelimits.count_failure()
        error = _("Identifiant ou mot de passe incorrect.")
    return render_template("accounts/login.html", form=form, error=error)


@bp.post("/deconnexion")
def logout() -> Response:
    """« se déconnecter »: every session of the account ends."""
    form = ActionForm()
    account = sessions.current_account()
    if form.validate_on_submit() and account is not None:
        sessions.close_session(account)
        db.session.commit()
        flash(_("Vous êtes déconnecté(e). À bientôt sur Scolarité services."), "success")
    return redirect(url_for("accounts.login"))
