"""``Account`` (a login of the academy), ``AccountChild`` (a student it gives access to) and
``AccountToken`` (a single-use link sent by e-mail: confirmation, password reset).

A student account has one child row: its student. A representative account has one child row per
(representative, student) pair it was created or merged for (ACC-1, ACC-9): a merge moves child
rows from one account to another, a compte joint holds the pairs of both representatives.
The same pair never appears twice, and a student has at most one student account.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from teleservices import auth, freshness
from teleservices.extensions import db
from teleservices.school.models import Representative, Student
from teleservices.tenancy.models import TenantMixin


class AccountKind(enum.StrEnum):
    """Who logs in with the account."""

    STUDENT = "student"
    REPRESENTATIVE = "representative"

    @property
    def label(self) -> str:
        return {"student": "Élève", "representative": "Représentant légal"}[self.value]


class AccountState(enum.StrEnum):
    """The life cycle of an account (ACC-3); ``ferme`` is a closed (merged or replaced) account."""

    NON_NOTIFIE = "non_notifie"
    NOTIFIE = "notifie"
    EN_COURS_ACTIVATION = "en_cours_activation"
    UTILISE = "utilise"
    FERME = "ferme"

    @property
    def label(self) -> str:
        return {
            "non_notifie": "Non notifié",
            "notifie": "Notifié",
            "en_cours_activation": "En cours d'activation",
            "utilise": "Utilisé",
            "ferme": "Fermé",
        }[self.value]


class NotificationMode(enum.StrEnum):
    """How an account was last notified (NOT-3)."""

    LETTER = "letter"
    EMAIL = "email"
    EMAIL_AND_LETTER = "email_and_letter"

    @property
    def label(self) -> str:
        return {
            "letter": "Courrier",
            "email": "Courriel",
            "email_and_letter": "Courriel et courrier",
        }[self.value]


# The ``kind`` part of an account's Flask-Login id (``account:<id>:<nonce>``).
SESSION_KIND = "account"


def _enum_column(enum_class: type[enum.Enum]) -> Enum:
    return Enum(
        enum_class,
        native_enum=False,
        length=30,
        values_callable=lambda members: [m.value for m in members],
    )


class Account(TenantMixin, db.Model):  # type: ignore[name-defined]
    """A login of the academy: identifier ``prenom.nom[N]`` unique in the academy (ACC-2).

    ``identifier_base`` is the identifier without its trailing digits: every identifier a new
    homonym could collide with shares it, so allocation loads them in one query.
    ``provisional_password_encrypted`` holds the Fernet-encrypted provisional password only as
    long as a letter may need printing; ``password_hash`` is the argon2id hash of the password.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("academy_id", "identifier"),
        Index("ix_accounts_academy_id_identifier_base", "academy_id", "identifier_base"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(100))
    identifier_base: Mapped[str] = mapped_column(String(100))
    kind: Mapped[AccountKind] = mapped_column(_enum_column(AccountKind))
    state: Mapped[AccountState] = mapped_column(
        _enum_column(AccountState), default=AccountState.NON_NOTIFIE
    )
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    provisional_password_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    email: Mapped[str] = mapped_column(String(320), default="")
    email_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    notification_mode: Mapped[NotificationMode | None] = mapped_column(
        _enum_column(NotificationMode), nullable=True
    )
    first_connection_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    session_nonce: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    children: Mapped[list[AccountChild]] = relationship(
        back_populates="account", order_by="AccountChild.id"
    )

    # Flask-Login's user protocol: only a used account opens a session (``auth.py``).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.state is AccountState.UTILISE

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        if not self.session_nonce:
            auth.rotate_nonce(self)
        return auth.session_id(SESSION_KIND, self.id, str(self.session_nonce))

    @property
    def is_representative(self) -> bool:
        return self.kind is AccountKind.REPRESENTATIVE

    def __repr__(self) -> str:
        return f"<Account {self.identifier} {self.kind} {self.state}>"


class AccountChild(TenantMixin, db.Model):  # type: ignore[name-defined]
    """A student an account gives access to, and for a representative account through whom."""

    __tablename__ = "account_children"
    __table_args__ = (
        UniqueConstraint("student_id", "representative_id"),
        Index(
            "uq_account_children_student_account",
            "student_id",
            unique=True,
            sqlite_where=text("representative_id IS NULL"),
            postgresql_where=text("representative_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("representatives.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    account: Mapped[Account] = relationship(back_populates="children")
    student: Mapped[Student] = relationship()
    representative: Mapped[Representative | None] = relationship()

    def __repr__(self) -> str:
        return f"<AccountChild account={self.account_id} student={self.student_id}>"


class TokenPurpose(enum.StrEnum):
    """What a single-use link of an e-mail is for."""

    EMAIL_CONFIRMATION = "email_confirmation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a password


class AccountToken(TenantMixin, db.Model):  # type: ignore[name-defined]
    """A single-use link sent by e-mail: only the SHA-256 of its random token is stored.

    An e-mail confirmation carries the address it confirms (the account's address may have been
    corrected since); a password reset carries the request reference number shown to the user
    and used as the e-mail's subject (ACC-7). ``used_at`` is set when the link is used.
    """

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(_enum_column(TokenPurpose))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320), default="")
    reference: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    account: Mapped[Account] = relationship()

    def __repr__(self) -> str:
        return f"<AccountToken {self.purpose} account={self.account_id}>"


# An account's rows written by the ORM void only that account's cached pages (freshness.py).
freshness.owned_by_account(Account, "id")
freshness.owned_by_account(AccountChild, "account_id")
freshness.owned_by_account(AccountToken, "account_id")
