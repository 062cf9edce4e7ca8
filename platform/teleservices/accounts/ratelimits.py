"""Rate limits of the family screens (Flask-Limiter, the shared ``limiter``: Redis storage when
``REDIS_URL`` or ``RATELIMIT_STORAGE_URI`` is configured, memory otherwise).

- login: failed attempts per identifier and per IP address (a class logging in from one school
  address must not be blocked by its successful logins, so only failures count);
- first connection: wrong birth dates per account and per IP address;
- recovery (identifiant / mot de passe oublié): every request per address or identifier typed,
  and per IP address (each may send an e-mail);
- re-sending or correcting the confirmation address: every request per account;
- single-use links: every visit per IP address.

Each limit is configurable (``TELESERVICES_ACCOUNT_*_RATE_LIMIT``, Flask-Limiter syntax such as
``"5 per minute;30 per hour"``). A breach answers 429 with the French page of ``views_errors``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, request, session
from flask.wrappers import Response
from flask_login import current_user

from teleservices.accounts.authentication import normalise_identifier
from teleservices.accounts.sessions import PENDING_KEY
from teleservices.extensions import limiter

DEFAULTS = {
    "ACCOUNT_LOGIN_RATE_LIMIT": "5 per minute;30 per hour",
    "ACCOUNT_LOGIN_IP_RATE_LIMIT": "30 per minute;300 per hour",
    "ACCOUNT_BIRTH_DATE_RATE_LIMIT": "5 per 15 minutes;20 per day",
    "ACCOUNT_RECOVERY_RATE_LIMIT": "5 per hour",
    "ACCOUNT_RECOVERY_IP_RATE_LIMIT": "30 per hour",
    "ACCOUNT_MAIL_RATE_LIMIT": "5 per hour",
    "ACCOUNT_LINK_RATE_LIMIT": "30 per minute",
}
_FAILED = "account_attempt_failed"

View = Callable[..., Any]


def count_failure() -> None:
    """Count this request against the failure-only limits (wrong password, wrong birth date)."""
    g.setdefault(_FAILED, True)


def _failed(_response: Response) -> bool:
    return bool(g.get(_FAILED))


def _setting(name: str) -> Callable[[], str]:
    def limit() -> str:
        return str(current_app.config.get(name) or DEFAULTS[name])

    return limit


def _typed(field: str) -> Callable[[], str]:
    def key() -> str:
        return f"{request.path}|{normalise_identifier(request.form.get(field, ''))}"

    return key


def _pending_account() -> str:
    data = session.get(PENDING_KEY)
    account_id = data.get("id", "") if isinstance(data, dict) else ""
    return f"{request.path}|{account_id}"


def _apply(view: View, *limits: Any) -> View:
    for limit in limits:
        view = limit(view)
    return view


def _failure_limits(view: View, limit: str, key_func: Callable[[], str]) -> View:
    """Failed attempts per IP address and per ``key_func`` (only failures count)."""
    return _apply(
        view,
        limiter.limit(
            _setting("ACCOUNT_LOGIN_IP_RATE_LIMIT"), methods=["POST"], deduct_when=_failed
        ),
        limiter.limit(_setting(limit), key_func=key_func, methods=["POST"], deduct_when=_failed),
    )


def login_limits(view: View) -> View:
    return _failure_limits(view, "ACCOUNT_LOGIN_RATE_LIMIT", _typed("identifier"))


def birth_date_limits(view: View) -> View:
    return _failure_limits(view, "ACCOUNT_BIRTH_DATE_RATE_LIMIT", _pending_account)


def recovery_limits(field: str) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        return _apply(
            view,
            limiter.limit(_setting("ACCOUNT_RECOVERY_IP_RATE_LIMIT"), methods=["POST"]),
            limiter.limit(
                _setting("ACCOUNT_RECOVERY_RATE_LIMIT"), key_func=_typed(field), methods=["POST"]
            ),
        )

    return decorate


def mail_limits(view: View) -> View:
    return limiter.limit(
        _setting("ACCOUNT_MAIL_RATE_LIMIT"), key_func=_pending_account, methods=["POST"]
    )(view)


def link_limits(view: View) -> View:
    return limiter.limit(_setting("ACCOUNT_LINK_RATE_LIMIT"))(view)


def _logged_in_account() -> str:
    user_id = current_user.get_id() if current_user and current_user.is_authenticated else ""
    return f"{request.path}|{str(user_id).rpartition(':')[0]}"


def password_check_limits(view: View) -> View:
    """Wrong current passwords (« Gérer son compte ») and wrong credentials of another account
    (« Regrouper des comptes »), per logged-in account and per IP address."""
    return _failure_limits(view, "ACCOUNT_LOGIN_RATE_LIMIT", _logged_in_account)
