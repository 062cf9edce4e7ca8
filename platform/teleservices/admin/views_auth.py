"""Login, second factor and logout screens of academy staff and platform administrators."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices.admin import audit, login_flow, totp
from teleservices.admin.access import current_staff
from teleservices.admin.blueprints import bp, platform_bp
from teleservices.admin.forms import CodeForm, ConfirmForm, LoginForm
from teleservices.admin.login_flow import PLATFORM, STAFF, Realm
from teleservices.admin.models import StaffMember
from teleservices.extensions import db

BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect."
BAD_CODE = "Code incorrect ou déjà utilisé. Saisissez le code actuellement affiché."
EXPIRED = "Votre connexion a expiré ou n'a pas commencé. Identifiez-vous à nouveau."


def _academy_id() -> int | None:
    academy = g.get("academy")
    return academy.id if academy is not None else None


def _login(realm: Realm) -> str | Response:
    user = current_staff()
    if user is not None and user.kind == realm.kind:
        return redirect(realm.url("home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = ""
    if form.validate_on_submit():
        found = login_flow.authenticate(realm, form.login.data or "", form.password.data or "")
        if found is not None:
            return login_flow.begin(realm, found, form.next.data)
        login_flow.record_failure(realm, form.login.data or "", _academy_id())
        error = _(BAD_CREDENTIALS)
    return render_template("admin/login.html", form=form, realm=realm, error=error)


def _code(realm: Realm) -> str | Response:
    user = login_flow.pending_user(realm)
    if user is None:
        flash(_(EXPIRED), "info")
        return redirect(realm.url("login"))
    if not user.has_totp:
        return redirect(realm.url("enrol"))
    form = CodeForm()
    error = ""
    if form.validate_on_submit():
        if login_flow.check_code(user, form.code.data or ""):
            return login_flow.finish(realm, user, login_flow.pending_next())
        if isinstance(user, StaffMember):
            audit.record(
                "staff.login_failed",
                audit.Actor.of(user),
                academy_id=user.academy_id,
                target="Code de double authentification incorrect",
            )
            db.session.commit()
        error = _(BAD_CODE)
    return render_template("admin/login_code.html", form=form, realm=realm, error=error)


def _enrol(realm: Realm) -> str | Response:
    user = login_flow.pending_user(realm)
    if user is None:
        flash(_(EXPIRED), "info")
        return redirect(realm.url("login"))
    if user.has_totp:
        return redirect(realm.url("login_code"))
    secret = login_flow.enrolment_secret(user)
    form = CodeForm()
    error = ""
    if form.validate_on_submit():
        if login_flow.confirm_enrolment(user, secret, form.code.data or ""):
            session.pop(login_flow.ENROL_KEY, None)
            response = login_flow.finish(realm, user, login_flow.pending_next())
            flash(_("La double authentification est activée pour votre compte."), "success")
            return response
        error = _(BAD_CODE)
    academy = g.get("academy")
    account = f"{user.login} ({academy.code})" if academy is not None else user.login
    uri = totp.provisioning_uri(secret, account)
    return render_template(
        "admin/enrol.html",
        form=form,
        realm=realm,
        error=error,
        qr_code=totp.qr_data_uri(uri),
        secret=totp.grouped(secret),
    )


def _logout(realm: Realm) -> Response:
    form = ConfirmForm()
    user = current_staff()
    if form.validate_on_submit() and user is not None:
        login_flow.logout(user)
        flash(_("Vous êtes déconnecté de l'administration."), "success")
    return redirect(realm.url("login"))


@bp.route("/connexion", methods=["GET", "POST"])
@login_flow.login_rate_limits
def login() -> str | Response:
    """Staff login of the academy (identifier and password)."""
    return _login(STAFF)


@bp.route("/connexion/code", methods=["GET", "POST"])
@login_flow.code_rate_limits
def login_code() -> str | Response:
    """Second step for enrolled staff: the TOTP code."""
    return _code(STAFF)


@bp.route("/connexion/double-authentification", methods=["GET", "POST"])
@login_flow.code_rate_limits
def enrol() -> str | Response:
    """First login of an administrator: enrol an authenticator app."""
    return _enrol(STAFF)


@bp.post("/deconnexion")
def logout() -> Response:
    """Log out (every session of the staff member ends)."""
    return _logout(STAFF)


@platform_bp.route("/connexion", methods=["GET", "POST"], endpoint="login")
@login_flow.login_rate_limits
def login_platform() -> str | Response:
    """Platform administrator login."""
    return _login(PLATFORM)


@platform_bp.route("/connexion/code", methods=["GET", "POST"], endpoint="login_code")
@login_flow.code_rate_limits
def login_code_platform() -> str | Response:
    """Platform administrator's TOTP code."""
    return _code(PLATFORM)


@platform_bp.route("/connexion/double-authentification", methods=["GET", "POST"], endpoint="enrol")
@login_flow.code_rate_limits
def enrol_platform() -> str | Response:
    """Platform administrator's TOTP enrolment."""
    return _enrol(PLATFORM)


@platform_bp.post("/deconnexion", endpoint="logout")
def logout_platform() -> Response:
    """Platform administrator logout."""
    return _logout(PLATFORM)
