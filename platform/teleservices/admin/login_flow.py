"""The staff login sequence, shared by academy staff and platform administrators.

1. identifier and password (the same message whether the identifier or the password is wrong);
2. for administrators, the TOTP step: enrolment (QR code, then a first code) when no secret is
   set yet, else a code at each login. Between the steps the session only holds a "pending" marker
   bound to the user's session nonce, valid five minutes; the user is logged in (fresh session id)
   only once every step is passed. Failed staff logins are written to the audit log.
"""

from __future__ import annotations

import functools
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, redirect, request, session, url_for
from flask_login import logout_user
from werkzeug.wrappers import Response

from teleservices import auth
from teleservices.admin import accounts, audit, totp
from teleservices.admin.access import safe_next
from teleservices.admin.models import PlatformAdmin, StaffMember
from teleservices.extensions import db, limiter
from teleservices.security import secrets_box
from teleservices.security.passwords import hash_password, needs_rehash, verify_password

PENDING_KEY = "admin_pending"
ENROL_KEY = "admin_totp_enrolment"
PENDING_SECONDS = 300
DEFAULT_RATE_LIMIT = "10 per minute"

User = StaffMember | PlatformAdmin


@dataclass(frozen=True)
class Realm:
    """Where a kind of staff user logs in: its blueprint and how to find its users."""

    kind: str
    blueprint: str
    find: Callable[[str], User | None]
    load: Callable[[int], User | None]

    def url(self, view: str, **values: Any) -> str:
        return url_for(f"{self.blueprint}.{view}", **values)


STAFF = Realm("staff", "admin", accounts.find_staff, accounts.load_staff)
PLATFORM = Realm(
    "platform", "platform_admin", accounts.find_platform_admin, accounts.load_platform_admin
)


# --- rate limits -----------------------------------------------------------------------------


def _rate_limit() -> str:
    return str(current_app.config.get("ADMIN_LOGIN_RATE_LIMIT") or DEFAULT_RATE_LIMIT)


def _per_login_key() -> str:
    return f"{request.path}|{accounts.normalise_login(request.form.get('login', ''))}"


def _per_pending_key() -> str:
    data = session.get(PENDING_KEY) or {}
    return f"{request.path}|{data.get('kind', '')}:{data.get('id', '')}"


def login_rate_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """10 POSTs a minute per IP address and per identifier (configurable)."""
    limited = limiter.limit(_rate_limit, methods=["POST"])(view)
    return limiter.limit(_rate_limit, key_func=_per_login_key, methods=["POST"])(limited)


def code_rate_limits(view: Callable[..., Any]) -> Callable[..., Any]:
    """10 code attempts a minute per IP address and per pending login (configurable)."""
    limited = limiter.limit(_rate_limit, methods=["POST"])(view)
    return limiter.limit(_rate_limit, key_func=_per_pending_key, methods=["POST"])(limited)


# --- password step ---------------------------------------------------------------------------


@functools.cache
def _dummy_hash() -> str:
    return hash_password("un mot de passe factice 0")


def authenticate(realm: Realm, login: str, password: str) -> User | None:
    """The active user with this login and password, else None (in constant-ish time)."""
    user = realm.find(login) if login.strip() else None
    if user is None or not user.active:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def record_failure(realm: Realm, login: str, academy_id: int | None) -> None:
    """Audit a failed staff login (platform logins have no academy: server log only)."""
    if realm is STAFF and academy_id is not None:
        audit.record(
            "staff.login_failed",
            audit.Actor("anonymous", None, f"Identifiant saisi : {login.strip()[:80]}"),
            academy_id=academy_id,
            target=f"Connexion à l'administration ({request.remote_addr or '?'})",
        )
        db.session.commit()


def begin(realm: Realm, user: User, next_url: str | None) -> Response:
    """After the password: ask the second factor when needed, else log in."""
    if user.requires_totp or user.has_totp:
        session[PENDING_KEY] = {
            "kind": realm.kind,
            "id": user.id,
            "nonce": user.get_id(),
            "until": time.time() + PENDING_SECONDS,
            "next": safe_next(next_url),
        }
        db.session.commit()
        return redirect(realm.url("login_code" if user.has_totp else "enrol"))
    return finish(realm, user, safe_next(next_url))


def pending_user(realm: Realm) -> User | None:
    """The user who passed the password step in this session, if still valid."""
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or data.get("kind") != realm.kind:
        return None
    if float(data.get("until", 0)) < time.time():
        return None
    user = realm.load(int(data.get("id", 0)))
    if user is None or not hmac.compare_digest(user.get_id(), str(data.get("nonce", ""))):
        return None
    return user


def pending_next() -> str | None:
    data = session.get(PENDING_KEY) or {}
    return safe_next(data.get("next"))


def finish(realm: Realm, user: User, next_url: str | None) -> Response:
    """Log the user in on a fresh session and go to ``next_url`` or the admin home."""
    user.last_login_at = datetime.now(UTC)
    auth.start_session(user)
    if isinstance(user, StaffMember):
        audit.record("staff.login", audit.Actor.of(user), academy_id=user.academy_id)
    db.session.commit()
    return redirect(next_url or realm.url("home"))


def logout(user: User) -> None:
    """End every session of the user (the nonce changes) and this one."""
    auth.rotate_nonce(user)
    db.session.commit()
    logout_user()
    session.clear()


# --- second factor ---------------------------------------------------------------------------


def check_code(user: User, code: str) -> bool:
    """Accept a TOTP code of the user's enrolled secret, once (the step is stored)."""
    secret = secrets_box.decrypt(user.totp_secret_encrypted or "")
    if not secret:
        return False
    step = totp.accept(secret, code, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


def enrolment_secret(user: User) -> str:
    """The secret being enrolled in this session (kept encrypted in the session cookie)."""
    data = session.get(ENROL_KEY)
    if isinstance(data, dict) and data.get("for") == user.get_id():
        secret = secrets_box.decrypt(str(data.get("secret", "")))
        if secret:
            return secret
    secret = totp.new_secret()
    session[ENROL_KEY] = {"for": user.get_id(), "secret": secrets_box.encrypt(secret)}
    return secret


def confirm_enrolment(user: User, secret: str, code: str) -> bool:
    """Store the secret once a first code proves the authenticator app has it."""
    step = totp.accept(secret, code, None)
    if step is None:
        return False
    user.totp_secret_encrypted = secrets_box.encrypt(secret)
    user.totp_last_step = step
    if isinstance(user, StaffMember):
        audit.record("staff.totp_enrolled", audit.Actor.of(user), academy_id=user.academy_id)
    return True
