"""The establishment's API token (one per establishment): issued once, stored only as a hash.

A token is ``tsv_`` and 32 random bytes; only its SHA-256 is kept and it is compared in constant
time (``security.secrets_box``, as for the link tokens). Issuing a new token replaces the old one;
revoking removes it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, String, UniqueConstraint, delete, func, select
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.extensions import db
from teleservices.security.secrets_box import new_token, same_digest, token_digest
from teleservices.tenancy.models import Establishment, EstablishmentMixin

PREFIX = "tsv_"


class ApiToken(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """The hash of an establishment's token for the data-import API."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("establishment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


def find(establishment: Establishment) -> ApiToken | None:
    """The establishment's token row, if one was issued."""
    return db.session.scalar(select(ApiToken).where(ApiToken.establishment_id == establishment.id))


def issue(establishment: Establishment, created_by: str) -> str:
    """A new token for the establishment (the previous one stops working); shown once."""
    token = PREFIX + new_token()[0]
    row = find(establishment)
    if row is None:
        row = ApiToken(
            academy_id=establishment.academy_id, establishment_id=establishment.id, token_hash=""
        )
        db.session.add(row)
    row.token_hash = token_digest(token)
    row.created_by = created_by
    row.created_at = datetime.now(UTC)
    row.last_used_at = None
    return token


def revoke(establishment: Establishment) -> bool:
    """Remove the establishment's token; True if there was one."""
    result = db.session.execute(
        delete(ApiToken).where(ApiToken.establishment_id == establishment.id)
    )
    return bool(getattr(result, "rowcount", 0))


def verify(establishment: Establishment, token: str) -> bool:
    """True if ``token`` is the establishment's current token (its last use is then recorded)."""
    row = find(establishment)
    if row is None or not token:
        return False
    if not same_digest(token, row.token_hash):
        return False
    row.last_used_at = datetime.now(UTC)
    return True
