"""Wiring of the family accounts into the application: the ``accounts`` blueprint and its views,
the Flask-Login loader of ``account:<id>:<nonce>`` sessions, and the sweep step (ACC-5)."""

from __future__ import annotations

from flask import Flask

from teleservices import auth, sweep
from teleservices.accounts.authentication import load_account
from teleservices.accounts.models import SESSION_KIND


def init_app(app: Flask) -> None:
    from teleservices.accounts import (  # noqa: F401 - the views attach to the blueprint
        views_activation,
        views_login,
        views_manage,
        views_merge,
        views_recovery,
    )
    from teleservices.accounts.blueprint import bp
    from teleservices.accounts.expiry import sweep_accounts

    auth.register_loader(SESSION_KIND, load_account)
    sweep.register("comptes", sweep_accounts)
    app.register_blueprint(bp)
