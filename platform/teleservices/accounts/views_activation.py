"""The activation screens (ACC-4): « Première connexion », « Compte en attente de validation »
(re-send the e-mail or correct the address) and the confirmation link (« Création réussie »)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices.accounts import confirmation, ratelimits, sessions
from teleservices.accounts.blueprint import bp
from teleservices.accounts.children import children_of
from teleservices.accounts.first_connection import Answers, Outcome, complete
from teleservices.accounts.forms import ActionForm, EmailForm, FirstConnectionForm
from teleservices.accounts.sessions import Step
from teleservices.accounts.tokens import LinkStatus
from teleservices.extensions import db


def _expired() -> Response:
    flash(_("Votre session a expiré. Veuillez vous identifier à nouveau."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/premiere-connexion", methods=["GET", "POST"])
@ratelimits.birth_date_limits
def first_connection() -> str | Response:
    """The form after a login with the provisional password."""
    account = sessions.pending_account(Step.FIRST_CONNECTION)
    if account is None:
        return _expired()
    children = children_of(account)
    child = children[0] if children else None
    form = FirstConnectionForm(email_required=account.is_representative)
    if form.validate_on_submit():
        assert form.birth_date.data is not None
        answers = Answers(
            password=form.password.data or "",
            email=form.email.data or "",
            birth_date=form.birth_date.data,
        )
        outcome = complete(account, child, answers)
        if outcome is Outcome.WRONG_BIRTH_DATE:
            ratelimits.count_failure()
            form.birth_date.errors = [
                _(
                    "La date de naissance ne correspond pas à celle que l'établissement a "
                    "enregistrée. Vérifiez-la ou contactez l'établissement."
                )
            ]
        elif outcome is Outcome.AWAITING_CONFIRMATION:
            sessions.begin_pending(account, Step.CONFIRMATION)
            db.session.commit()
            return redirect(url_for("accounts.awaiting_confirmation"))
        else:
            sessions.open_session(account)
            db.session.commit()
            flash(
                _(
                    "Création réussie : vous venez de créer votre compte Téléservices, vous "
                    "pouvez maintenant utiliser les différents services ouverts par votre "
                    "établissement."
                ),
                "success",
            )
            return redirect(url_for("accounts.home"))
    return render_template(
        "accounts/first_connection.html", form=form, account=account, child=child
    )


@bp.get("/validation-en-attente")
def awaiting_confirmation() -> str | Response:
    """« Compte en attente de validation »: after the first connection, and at each login until
    the link is clicked."""
    account = sessions.pending_account(Step.CONFIRMATION)
    if account is None:
        return _expired()
    return render_template(
        "accounts/awaiting_confirmation.html",
        account=account,
        resend_form=ActionForm(),
        email_form=EmailForm(),
    )


@bp.post("/validation-en-attente/renvoyer")
@ratelimits.mail_limits
def resend_confirmation() -> Response:
    """Send the confirmation e-mail again (a new link; the previous one is void)."""
    account = sessions.pending_account(Step.CONFIRMATION)
    if account is None:
        return _expired()
    if ActionForm().validate_on_submit():
        confirmation.send_link(account, account.email)
        flash(
            _(
                "Un nouveau courriel de confirmation vient d'être envoyé à %(email)s.",
                email=account.email,
            ),
            "success",
        )
    return redirect(url_for("accounts.awaiting_confirmation"))


@bp.post("/validation-en-attente/adresse")
@ratelimits.mail_limits
def correct_address() -> str | Response:
    """Correct the address and send the confirmation e-mail there."""
    account = sessions.pending_account(Step.CONFIRMATION)
    if account is None:
        return _expired()
    email_form = EmailForm()
    if email_form.validate_on_submit():
        confirmation.send_link(account, email_form.email.data or "")
        flash(
            _(
                "Votre adresse mail a été corrigée : un courriel de confirmation vient d'être "
                "envoyé à %(email)s.",
                email=account.email,
            ),
            "success",
        )
        return redirect(url_for("accounts.awaiting_confirmation"))
    return render_template(
        "accounts/awaiting_confirmation.html",
        account=account,
        resend_form=ActionForm(),
        email_form=email_form,
    )


@bp.get("/confirmation-adresse/<token>")
@ratelimits.link_limits
def confirm_email(token: str) -> tuple[str, int] | str:
    """The link of the confirmation e-mail."""
    result = confirmation.confirm(token)
    if result.status is not LinkStatus.VALID:
        code = 404 if result.status is LinkStatus.UNKNOWN else 410
        return render_template("accounts/link_invalid.html", status=result.status.value), code
    db.session.commit()
    sessions.end_pending()
    return render_template("accounts/confirmed.html", activated=result.activated)
