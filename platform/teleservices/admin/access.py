"""Who may see what in the staff area (ADM-1): one decorator, ``require_staff``.

Scopes: a platform administrator sees every academy; an academy administrator every establishment
of their academy; a head or a delegate only their establishment. A page outside one's scope answers
404 (the establishment "does not exist" for them), a page above one's role 403; both are written to
the audit log. Visitors who are not logged in as staff are sent to the staff login page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any, TypeVar, cast

from flask import abort, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from teleservices.admin import audit
from teleservices.admin.models import PLATFORM_ROLE, PlatformAdmin, StaffMember, StaffRole
from teleservices.extensions import db
from teleservices.tenancy.models import Establishment

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = frozenset({PLATFORM_ROLE, *(r.value for r in StaffRole)})
ADMINISTRATORS = frozenset({PLATFORM_ROLE, StaffRole.ACADEMY_ADMIN.value})
DELEGATORS = frozenset({*ADMINISTRATORS, StaffRole.HEAD.value})


def current_staff() -> StaffMember | PlatformAdmin | None:
    """The logged-in staff member or platform administrator, if any."""
    if not current_user or not current_user.is_authenticated:
        return None
    user = current_user._get_current_object()
    return user if isinstance(user, StaffMember | PlatformAdmin) else None


def can_manage(user: StaffMember | PlatformAdmin, establishment: Establishment) -> bool:
    """Whether the establishment is within the user's scope."""
    if isinstance(user, PlatformAdmin):
        return True
    if user.academy_id != establishment.academy_id:
        return False
    if user.role is StaffRole.ACADEMY_ADMIN:
        return True
    return user.establishment_id == establishment.id


def manageable_establishments(user: StaffMember | PlatformAdmin) -> list[Establishment]:
    """The establishments of the current academy the user may manage, by name."""
    statement = select(Establishment).order_by(Establishment.name, Establishment.uai)
    if isinstance(user, StaffMember) and user.role is not StaffRole.ACADEMY_ADMIN:
        statement = statement.where(Establishment.id == user.establishment_id)
    return list(db.session.execute(statement).scalars())


def deny(user: StaffMember | PlatformAdmin, status: int, target: Establishment | None) -> None:
    """Audit an attempt outside the user's scope or role, then answer ``status``."""
    academy = g.get("academy")
    if academy is not None:
        audit.record(
            "access.denied",
            audit.Actor.of(user),
            academy_id=academy.id,
            establishment=target if status == 403 else None,
            target=f"{request.method} {request.path}"[:500],
        )
        db.session.commit()
    abort(status)


def _login_url() -> str:
    endpoint = "admin.login" if g.get("academy") is not None else "platform_admin.login"
    return url_for(endpoint, next=request.full_path.rstrip("?"))


def require_staff(
    roles: Collection[str] = ALL_ROLES, establishment_from: str | None = None
) -> Callable[[F], F]:
    """Restrict a view to logged-in staff of ``roles``; resolve the establishment in scope.

    With ``establishment_from="uai"`` the view's ``uai`` argument is replaced by
    ``establishment``, loaded in the current academy and checked against the user's scope.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_staff()
            if user is None:
                return redirect(_login_url())
            g.staff = user
            establishment = None
            if establishment_from is not None:
                uai = str(kwargs.pop(establishment_from, "")).upper()
                establishment = db.session.execute(
                    select(Establishment).filter_by(uai=uai)
                ).scalar_one_or_none()
                if establishment is None or not can_manage(user, establishment):
                    deny(user, 404, None)
                kwargs["establishment"] = establishment
                g.admin_establishment = establishment
            if user.role_code not in roles:
                deny(user, 403, establishment)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def safe_next(target: str | None) -> str | None:
    """A local path to go back to after login, or None for anything else."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
