"""« Regrouper des comptes » (ACC-9): the other account's credentials, the confirmation screen
listing the students of both accounts, then « Confirmation de regroupement de comptes ».

Between the two steps the session remembers the other account bound to its session nonce for
10 minutes: a password change or a closure of that account in between voids the step.
"""

from __future__ import annotations

import hmac
import time

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices.accounts import merge, ratelimits, sessions
from teleservices.accounts.authentication import load_account
from teleservices.accounts.blueprint import bp
from teleservices.accounts.forms import ActionForm, MergeForm
from teleservices.accounts.models import Account
from teleservices.accounts.views_manage import login_first
from teleservices.extensions import db

MERGE_KEY = "account_merge"
MERGE_SECONDS = 600


def _main() -> Account | None:
    account = sessions.current_account()
    if account is not None:
        try:
            merge.check_main(account)
        except merge.MergeError:
            return None
    return account


def _pending_other(main: Account) -> Account | None:
    data = session.get(MERGE_KEY)
    if not isinstance(data, dict) or float(data.get("until", 0)) < time.time():
        return None
    other = load_account(int(data.get("id", 0)))
    if other is None or data.get("main") != main.id:
        return None
    if not hmac.compare_digest(other.get_id(), str(data.get("nonce", ""))):
        return None
    return other


@bp.route("/compte/regrouper", methods=["GET", "POST"])
@ratelimits.password_check_limits
def merge_accounts() -> str | Response:
    """Step 1: the identifier and password printed on the other child's letter."""
    main = _main()
    if main is None:
        return login_first() if sessions.current_account() is None else _refused()
    form = MergeForm()
    error = ""
    if form.validate_on_submit():
        try:
            other = merge.other_account(
                main, form.identifier.data or "", form.password.data or "", form.birth_date.data
            )
        except merge.MergeError as exc:
            if exc.counts_as_failure:
                ratelimits.count_failure()
            error = str(exc)
        else:
            session[MERGE_KEY] = {
                "id": other.id,
                "main": main.id,
                "nonce": other.get_id(),
                "until": time.time() + MERGE_SECONDS,
            }
            db.session.commit()
            return redirect(url_for("accounts.merge_confirmation"))
    return render_template("accounts/merge.html", form=form, error=error, account=main)


def _refused() -> Response:
    flash(_("Un compte élève ne peut pas être regroupé avec un autre compte."), "error")
    return redirect(url_for("accounts.manage_account"))


@bp.route("/compte/regrouper/confirmation", methods=["GET", "POST"])
def merge_confirmation() -> str | Response:
    """Step 2: « Regrouper des comptes - Confirmation », valider or annuler."""
    main = _main()
    if main is None:
        return login_first()
    other = _pending_other(main)
    if other is None:
        flash(_("La demande de regroupement a expiré. Veuillez la recommencer."), "info")
        return redirect(url_for("accounts.merge_accounts"))
    form = ActionForm()
    if form.validate_on_submit():
        moved = merge.merge(main, other)
        session.pop(MERGE_KEY, None)
        db.session.commit()
        current_app.logger.info(
            "Regroupement : compte %s fermé, %d élève(s) rattaché(s) au compte %s",
            other.identifier,
            moved,
            main.identifier,
        )
        return redirect(url_for("accounts.merge_done"))
    return render_template(
        "accounts/merge_confirm.html",
        account=main,
        other=other,
        preview=merge.preview(main, other),
        form=form,
    )


@bp.post("/compte/regrouper/annuler")
def merge_cancel() -> Response:
    if ActionForm().validate_on_submit():
        session.pop(MERGE_KEY, None)
    return redirect(url_for("accounts.manage_account"))


@bp.get("/compte/regrouper/effectue")
def merge_done() -> str | Response:
    """« Confirmation de regroupement de comptes »."""
    main = sessions.current_account()
    if main is None:
        return login_first()
    return render_template("accounts/merge_done.html", account=main)
