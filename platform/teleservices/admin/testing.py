"""Test helpers for the staff area (used by the host's tests and by later admin features).

``make_staff`` creates accounts directly; ``StaffSession`` drives a Flask test client through the
real login screens (password, then TOTP codes computed with pyotp), keeps the CSRF token of the
last page and posts forms with it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from teleservices.admin import accounts
from teleservices.admin.models import StaffRole
from teleservices.extensions import db
from teleservices.tenancy.context import all_academies, tenant
from teleservices.tenancy.models import Academy, Establishment

PASSWORD = "mot-de-passe-2024"  # noqa: S105 - test fixture password
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_SECRET = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')


def establishment_by_uai(app: Flask, uai: str) -> Establishment:
    with app.app_context(), all_academies():
        establishment = db.session.execute(db.select(Establishment).filter_by(uai=uai)).scalar_one()
        db.session.expunge(establishment)
        return establishment


def make_staff(
    app: Flask,
    academy: Academy,
    login: str,
    role: StaffRole,
    uai: str | None = None,
    totp_secret: str | None = None,
    password: str = PASSWORD,
    display_name: str = "",
) -> int:
    """Create a staff member (with an enrolled TOTP secret if given); return its id."""
    from teleservices.security import secrets_box

    with app.app_context(), tenant(academy.id):
        establishment = (
            db.session.execute(db.select(Establishment).filter_by(uai=uai)).scalar_one()
            if uai
            else None
        )
        member = accounts.create_staff(
            academy.id,
            login,
            password,
            role,
            display_name=display_name or login.replace(".", " ").title(),
            establishment=establishment,
        )
        if totp_secret:
            member.totp_secret_encrypted = secrets_box.encrypt(totp_secret)
        db.session.commit()
        return member.id


def make_platform_admin(
    app: Flask, login: str, totp_secret: str | None = None, password: str = PASSWORD
) -> int:
    from teleservices.security import secrets_box

    with app.app_context():
        admin = accounts.create_platform_admin(login, password, login.title())
        if totp_secret:
            admin.totp_secret_encrypted = secrets_box.encrypt(totp_secret)
        db.session.commit()
        return admin.id


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def secret_from(html: str) -> str:
    match = _SECRET.search(html)
    assert match, "no TOTP secret in the page"
    return match.group(1).replace(" ", "")


@dataclass
class StaffSession:
    """A test client logged in (or logging in) to the staff area of one academy."""

    client: FlaskClient
    prefix: str
    token: str = ""
    _used_steps: set[int] = field(default_factory=set)

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        match = _CSRF.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        payload = {"csrf_token": self.token, **(data or {})}
        response = self.client.post(path, data=payload, **kwargs)
        match = _CSRF.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)
        return response

    def fresh_code(self, secret: str) -> str:
        """A valid code whose time step was not used yet by this session (no replay)."""
        totp = pyotp.TOTP(secret)
        now = time.time()
        for offset in (0, 1):
            step = totp.timecode(now) + offset
            if step not in self._used_steps:
                self._used_steps.add(step)
                return totp.at(now, counter_offset=offset)
        raise AssertionError("no unused TOTP step left")

    def login(self, login: str, password: str = PASSWORD, totp_secret: str | None = None) -> Any:
        """Log in through the screens; return the last response (followed redirects)."""
        self.get(f"{self.prefix}/connexion")
        response = self.post(
            f"{self.prefix}/connexion",
            {"login": login, "password": password},
            follow_redirects=True,
        )
        if totp_secret is not None and "/connexion/code" in response.request.path:
            response = self.post(
                f"{self.prefix}/connexion/code",
                {"code": self.fresh_code(totp_secret)},
                follow_redirects=True,
            )
        return response


def staff_session(app: Flask, academy_code: str | None) -> StaffSession:
    """A new client for ``/<academy_code>/admin`` (or ``/admin`` for platform admins)."""
    prefix = f"/{academy_code}/admin" if academy_code else "/admin"
    return StaffSession(app.test_client(), prefix)


__all__ = [
    "PASSWORD",
    "StaffSession",
    "csrf_from",
    "establishment_by_uai",
    "make_platform_admin",
    "make_staff",
    "secret_from",
    "staff_session",
]
