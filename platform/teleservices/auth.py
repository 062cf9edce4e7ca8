"""Flask-Login wiring shared by family accounts and staff: one session, several kinds of user.

A user's ``get_id()`` is ``"<kind>:<id>:<session_nonce>"`` (``account:12:Xy…``). Each kind registers
a loader with ``register_loader``; loaders run inside the request's tenant scope, so a session opened
in one academy never authenticates in another (the scoped query finds nothing there). The nonce is
stored on the user row and rotated at logout and password change (``rotate_nonce``), which revokes
every cookie issued before, although sessions are signed cookies.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, session
from flask_login import LoginManager, login_user

login_manager = LoginManager()
login_manager.session_protection = "strong"
login_manager.login_message = "Veuillez vous connecter pour accéder à cette page."
login_manager.login_message_category = "info"

_loaders: dict[str, Callable[[int], Any]] = {}


def register_loader(kind: str, loader: Callable[[int], Any]) -> None:
    """Declare how to load a user of ``kind`` from its integer id (in the current tenant)."""
    _loaders[kind] = loader


@login_manager.user_loader
def _load_user(user_id: str) -> Any:
    kind, _, rest = user_id.partition(":")
    raw, _, nonce = rest.partition(":")
    loader = _loaders.get(kind)
    if loader is None or not raw.isdigit() or not nonce:
        return None
    try:
        user = loader(int(raw))
    except RuntimeError:
        return None
    if user is None or not hmac.compare_digest(str(user.session_nonce or ""), nonce):
        return None
    return user


def session_id(kind: str, user_id: int, nonce: str) -> str:
    """The value a user model's ``get_id()`` returns."""
    return f"{kind}:{user_id}:{nonce}"


def rotate_nonce(user: Any) -> None:
    """Invalidate every session of ``user`` (logout, password change); the caller commits."""
    user.session_nonce = secrets.token_urlsafe(16)


def start_session(user: Any) -> None:
    """Log ``user`` in on a fresh session (the session id is renewed: no fixation)."""
    session.clear()
    login_user(user)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
