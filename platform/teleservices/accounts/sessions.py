"""Family sessions: the logged-in account, and the "pending" steps before an account is usable.

A password opens a session (Flask-Login, fresh session: ``auth.start_session``) only for a used
account. A Notifié account goes to « Première connexion » and a representative whose address is
not confirmed yet to « Compte en attente de validation »: between the password and those screens the
session holds only a pending marker bound to the account's session nonce, valid 30 minutes, so a
password change or a logout elsewhere voids it. The chosen language survives the session renewal.
"""

from __future__ import annotations

import enum
import hmac
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import session
from flask_login import current_user, logout_user

from teleservices import auth
from teleservices.accounts.authentication import load_account
from teleservices.accounts.lifecycle import as_utc, record_login
from teleservices.accounts.models import Account, AccountState

PENDING_KEY = "account_pending"
PREVIOUS_LOGIN_KEY = "account_previous_login"
PENDING_SECONDS = 1800
_KEPT_KEYS = ("lang",)


class Step(enum.StrEnum):
    """The screen a pending marker leads to, and the state the account must be in."""

    FIRST_CONNECTION = "premiere_connexion"
    CONFIRMATION = "confirmation"

    @property
    def state(self) -> AccountState:
        if self is Step.FIRST_CONNECTION:
            return AccountState.NOTIFIE
        return AccountState.EN_COURS_ACTIVATION


# Set by the staff simulation (``admin/simulation.py``): the used account a staff member is
# viewing the portal as, read-only, or None.
_simulated: Callable[[Any], Account | None] | None = None


def register_simulation(resolver: Callable[[Any], Account | None]) -> None:
    """Let staff sessions view the portal as a family (ADM-5 simulation)."""
    global _simulated
    _simulated = resolver


def current_account() -> Account | None:
    """The used family account of this request: the logged-in family or student, or the account
    a staff member simulates (read-only); None otherwise."""
    if not current_user or not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    if isinstance(user, Account):
        return user if user.is_active else None
    return _simulated(user) if _simulated is not None else None


def _renew() -> None:
    kept = {key: session[key] for key in _KEPT_KEYS if key in session}
    session.clear()
    session.update(kept)


def begin_pending(account: Account, step: Step) -> None:
    """Start a fresh session that only remembers the account is at ``step`` (caller commits)."""
    _renew()
    session[PENDING_KEY] = {
        "id": account.id,
        "nonce": account.get_id(),
        "step": step.value,
        "until": time.time() + PENDING_SECONDS,
    }


def pending_account(step: Step) -> Account | None:
    """The account this session is taking through ``step``, if the marker is still valid."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or data.get("step") != step.value:
        return None
    if float(data.get("until", 0)) < time.time():
        return None
    account = load_account(int(data.get("id", 0)))
    if account is None or account.state is not step.state:
        return None
    if not hmac.compare_digest(account.get_id(), str(data.get("nonce", ""))):
        return None
    return account


def end_pending() -> None:
    session.pop(PENDING_KEY, None)


def open_session(account: Account) -> None:
    """Log a used account in on a fresh session; remember its previous login for the portal."""
    previous = record_login(account)
    kept = {key: session[key] for key in _KEPT_KEYS if key in session}
    auth.start_session(account)
    session.update(kept)
    session[PREVIOUS_LOGIN_KEY] = as_utc(previous).isoformat() if previous else None


def previous_login() -> datetime | None:
    """The login before this session's ("Dernière connexion le …"), None for the first one."""
    value = session.get(PREVIOUS_LOGIN_KEY)
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def close_session(account: Account) -> None:
    """Log out: every session of the account ends (new nonce), this one is emptied (caller
    commits)."""
    auth.rotate_nonce(account)
    logout_user()
    _renew()


def reopen_session(account: Account) -> None:
    """Keep this browser logged in after a password change revoked every session (new session id,
    same language and "Dernière connexion")."""
    kept = {key: session[key] for key in (*_KEPT_KEYS, PREVIOUS_LOGIN_KEY) if key in session}
    auth.start_session(account)
    session.update(kept)
