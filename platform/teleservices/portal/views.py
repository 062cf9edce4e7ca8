"""The portal pages: the home (« Bienvenue … », served as ``accounts.home`` at ``/accueil``),
contact, useful links, help, legal notice and data protection. Every page of a logged-in family
shows the current child and, with several children, the selector."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from teleservices.accounts import sessions
from teleservices.accounts.blueprint import bp as accounts_bp
from teleservices.accounts.forms import ActionForm
from teleservices.accounts.models import Account
from teleservices.portal import children as portal_children
from teleservices.portal import page_cache
from teleservices.portal.home import home as home_data
from teleservices.portal.home import settings_for

bp = Blueprint("portal", __name__, url_prefix="/<academy>")


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _login_first() -> Response:
    flash(_("Veuillez vous identifier pour accéder à vos services."), "info")
    return redirect(url_for("accounts.login"))


def _family_context(account: Account) -> dict[str, Any]:
    family = portal_children.family(account)
    return {
        "account": account,
        "children": family.children,
        "current": portal_children.current(family.children),
        "greeting": family.greeting,
        "logout_form": ActionForm(),
    }


def service_page_context() -> dict[str, Any]:
    """The layout data of a plugin page: the viewer, their children, the child of the page."""
    account = sessions.current_account()
    student = g.get("student")
    if account is None or student is None:
        return {}
    views = portal_children.family(account).children
    current = next((view for view in views if view.child.id == student.id), None)
    return {"account": account, "children": views, "current": current}


@accounts_bp.get("/accueil")
def home() -> str | Response:
    """« Bienvenue M. … »: the children, the current child's establishment and services."""
    account = sessions.current_account()
    if account is None:
        return _login_first()
    page_cache.prepare(account)
    context = _family_context(account)
    html = render_template(
        "portal/home.html",
        previous_login=sessions.previous_login(),
        home=home_data(account, context["current"]),
        **context,
    )
    establishments = {view.establishment.id for view in context["children"]}
    return page_cache.keep(html, account.get_id(), establishments)


def _establishment_page(template: str) -> str | Response:
    """A page about the current child's establishment, with its portal settings."""
    account = sessions.current_account()
    if account is None:
        return _login_first()
    context = _family_context(account)
    current = context["current"]
    settings = settings_for(current.establishment) if current else None
    return render_template(template, settings=settings, **context)


@bp.get("/contact")
def contact() -> str | Response:
    """« Contacter l'établissement »: name, address, phone, and the e-mail when active."""
    return _establishment_page("portal/contact.html")


@bp.get("/liens-utiles")
def useful_links() -> str | Response:
    """« Liens utiles » of the current child's establishment."""
    return _establishment_page("portal/useful_links.html")


def _public(template: str) -> str:
    account = sessions.current_account()
    context = _family_context(account) if account is not None else {}
    return render_template(template, **context)


@bp.get("/aide")
def help_page() -> str:
    return _public("portal/help.html")


@bp.get("/mentions-legales")
def legal_notice() -> str:
    return _public("portal/legal.html")


@bp.get("/donnees-personnelles")
def data_protection() -> str:
    return _public("portal/data_protection.html")
