"""Staff accounts: ``StaffMember`` (academy administrator, head, delegate) and ``PlatformAdmin``.

Both kinds log in with an argon2id password and, for administrators, a TOTP second factor whose
secret is kept Fernet-encrypted. ``get_id()`` carries a session nonce rotated at logout, so that
every cookie issued before is revoked (see ``teleservices.auth``). A staff member belongs to one
academy; a head or a delegate also to one establishment. Platform administrators belong to no
academy.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from teleservices import auth
from teleservices.extensions import db
from teleservices.tenancy.models import TenantMixin


class StaffRole(enum.StrEnum):
    """The roles of academy staff (ADM-1); the platform administrator is a separate model."""

    ACADEMY_ADMIN = "academy_admin"
    HEAD = "head"
    DELEGATE = "delegate"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self.value]


PLATFORM_ROLE = "platform"
ROLE_LABELS = {
    "academy_admin": "Administrateur académique",
    "head": "Chef d'établissement",
    "delegate": "Délégué du chef d'établissement",
    PLATFORM_ROLE: "Administrateur de la plateforme",
}


def _new_nonce() -> str:
    return secrets.token_urlsafe(16)


class StaffAuthMixin:
    """Login fields and Flask-Login behaviour shared by staff members and platform admins."""

    kind: str = ""

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_nonce: Mapped[str] = mapped_column(String(64), default=_new_nonce)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        if not self.session_nonce:
            self.session_nonce = _new_nonce()
        return auth.session_id(self.kind, self.id, self.session_nonce)

    @property
    def role_code(self) -> str:
        raise NotImplementedError

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role_code]

    @property
    def requires_totp(self) -> bool:
        """Whether this user must use a second factor (administrators)."""
        raise NotImplementedError

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret_encrypted)


class StaffMember(StaffAuthMixin, TenantMixin, db.Model):  # type: ignore[name-defined]
    """A staff member of one academy: academy administrator, head or delegate (ADM-1)."""

    __tablename__ = "staff_members"
    __table_args__ = (UniqueConstraint("academy_id", "login"),)
    kind = "staff"

    role: Mapped[StaffRole] = mapped_column(Enum(StaffRole, native_enum=False, length=20))
    establishment_id: Mapped[int | None] = mapped_column(
        ForeignKey("establishments.id", ondelete="CASCADE"), nullable=True, index=True
    )
    delegated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_members.id", ondelete="SET NULL"), nullable=True
    )

    @property
    def role_code(self) -> str:
        return self.role.value

    @property
    def requires_totp(self) -> bool:
        return self.role is StaffRole.ACADEMY_ADMIN

    def __repr__(self) -> str:
        return f"<StaffMember {self.login} {self.role.value}>"


class PlatformAdmin(StaffAuthMixin, db.Model):  # type: ignore[name-defined]
    """A platform administrator (national level, TEN-4): no academy, sees every academy."""

    __tablename__ = "platform_admins"
    __table_args__ = (UniqueConstraint("login"),)
    kind = "platform"

    @property
    def role_code(self) -> str:
        return PLATFORM_ROLE

    @property
    def requires_totp(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"<PlatformAdmin {self.login}>"


StaffUser = StaffMember | PlatformAdmin
