"""Staff account operations: the staff password rule, creation, look-up, delegation (ADM-1).

A head delegates the administration of the establishment's téléservices to named staff: a new
delegate account, or an existing delegate of the establishment whose delegation was withdrawn.
Withdrawing deactivates the delegate and ends their sessions at once.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from teleservices import auth
from teleservices.admin.models import PlatformAdmin, StaffMember, StaffRole
from teleservices.extensions import db
from teleservices.security.passwords import hash_password
from teleservices.tenancy.models import Establishment

MIN_LENGTH = 12
MAX_LENGTH = 128
POLICY_MESSAGE = (
    "Le mot de passe d'un personnel doit contenir de 12 à 128 caractères, "
    "dont au moins une lettre et un chiffre."
)
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}\Z")
LOGIN_MESSAGE = (
    "L'identifiant comporte de 2 à 80 caractères : lettres minuscules, chiffres, point, "
    "tiret ou tiret bas."
)


class StaffAccountError(ValueError):
    """A staff account cannot be created or changed as asked (the message is for the user)."""


def password_errors(password: str) -> list[str]:
    """The staff password rule (stronger than the families' one): 12+ characters, letters+digits."""
    if (
        MIN_LENGTH <= len(password) <= MAX_LENGTH
        and re.search(r"[^\W\d_]", password)
        and re.search(r"\d", password)
    ):
        return []
    return [POLICY_MESSAGE]


def normalise_login(login: str) -> str:
    return login.strip().lower()


def _check(login: str, password: str) -> str:
    login = normalise_login(login)
    if not LOGIN_PATTERN.match(login):
        raise StaffAccountError(LOGIN_MESSAGE)
    errors = password_errors(password)
    if errors:
        raise StaffAccountError(errors[0])
    return login


def find_staff(login: str) -> StaffMember | None:
    """The staff member of the current academy with this login."""
    return db.session.execute(
        select(StaffMember).where(func.lower(StaffMember.login) == normalise_login(login))
    ).scalar_one_or_none()


def load_staff(staff_id: int) -> StaffMember | None:
    """The active staff member ``staff_id`` of the current academy (Flask-Login loader)."""
    member = db.session.execute(select(StaffMember).filter_by(id=staff_id)).scalar_one_or_none()
    return member if member is not None and member.active else None


def find_platform_admin(login: str) -> PlatformAdmin | None:
    return db.session.execute(
        select(PlatformAdmin).where(func.lower(PlatformAdmin.login) == normalise_login(login))
    ).scalar_one_or_none()


def load_platform_admin(admin_id: int) -> PlatformAdmin | None:
    """The active platform administrator ``admin_id`` (Flask-Login loader)."""
    admin = db.session.execute(select(PlatformAdmin).filter_by(id=admin_id)).scalar_one_or_none()
    return admin if admin is not None and admin.active else None


def create_staff(
    academy_id: int,
    login: str,
    password: str,
    role: StaffRole,
    display_name: str = "",
    email: str = "",
    establishment: Establishment | None = None,
    delegated_by: StaffMember | None = None,
) -> StaffMember:
    """Add a staff member to the session (the current tenant must be ``academy_id``)."""
    login = _check(login, password)
    if role is StaffRole.ACADEMY_ADMIN and establishment is not None:
        raise StaffAccountError(
            "Un administrateur académique n'est rattaché à aucun établissement."
        )
    if role is not StaffRole.ACADEMY_ADMIN and establishment is None:
        raise StaffAccountError("Un chef d'établissement ou un délégué a un établissement (UAI).")
    if find_staff(login) is not None:
        raise StaffAccountError(f"L'identifiant « {login} » est déjà utilisé dans l'académie.")
    member = StaffMember(
        academy_id=academy_id,
        login=login,
        display_name=display_name.strip() or login,
        email=email.strip(),
        password_hash=hash_password(password),
        role=role,
        establishment_id=establishment.id if establishment is not None else None,
        delegated_by_id=delegated_by.id if delegated_by is not None else None,
        active=True,
    )
    db.session.add(member)
    db.session.flush()
    return member


def create_platform_admin(
    login: str, password: str, display_name: str = "", email: str = ""
) -> PlatformAdmin:
    """Add a platform administrator to the session."""
    login = _check(login, password)
    if find_platform_admin(login) is not None:
        raise StaffAccountError(f"L'identifiant « {login} » est déjà utilisé.")
    admin = PlatformAdmin(
        login=login,
        display_name=display_name.strip() or login,
        email=email.strip(),
        password_hash=hash_password(password),
        active=True,
    )
    db.session.add(admin)
    db.session.flush()
    return admin


def delegates_of(establishment: Establishment) -> list[StaffMember]:
    """The establishment's delegates, active or withdrawn, by name."""
    return list(
        db.session.execute(
            select(StaffMember)
            .filter_by(establishment_id=establishment.id, role=StaffRole.DELEGATE)
            .order_by(StaffMember.display_name, StaffMember.id)
        ).scalars()
    )


def delegate_of(establishment: Establishment, staff_id: int) -> StaffMember | None:
    """Delegate ``staff_id`` if it belongs to this establishment."""
    return db.session.execute(
        select(StaffMember).filter_by(
            id=staff_id, establishment_id=establishment.id, role=StaffRole.DELEGATE
        )
    ).scalar_one_or_none()


def grant(delegate: StaffMember, by: StaffMember | None) -> None:
    """(Re)grant the delegation: the delegate can log in again."""
    delegate.active = True
    delegate.delegated_by_id = by.id if by is not None else delegate.delegated_by_id


def withdraw(delegate: StaffMember) -> None:
    """Withdraw the delegation: the account is deactivated and its sessions end now."""
    delegate.active = False
    auth.rotate_nonce(delegate)


def reset_totp(user: StaffMember | PlatformAdmin) -> None:
    """Forget the second factor: the user enrols again at the next login."""
    user.totp_secret_encrypted = None
    user.totp_last_step = None
    auth.rotate_nonce(user)
