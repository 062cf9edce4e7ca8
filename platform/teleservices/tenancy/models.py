"""Academy (the tenant), Establishment, and the mixins that make a row tenant-owned."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from teleservices.extensions import db


class EstablishmentType(enum.StrEnum):
    """The kinds of establishment (TEN-2)."""

    COLLEGE = "college"
    LYCEE = "lycee"
    LP = "lp"
    EREA = "erea"

    @property
    def label(self) -> str:
        return {
            "college": "Collège",
            "lycee": "Lycée",
            "lp": "Lycée professionnel",
            "erea": "EREA",
        }[self.value]


class SiecleModule(enum.StrEnum):
    """SIECLE modules an establishment may use; some téléservices need one (§2.1)."""

    NOTES = "notes"
    EVALUATION = "evaluation"
    VIE_SCOLAIRE = "vie_scolaire"
    EDT = "edt"
    BOURSES = "bourses"
    FACTURATION = "facturation"


class Academy(db.Model):  # type: ignore[name-defined]
    """An académie: the tenant. Declared in ``tenants/<code>.toml``, synchronised into the database."""

    __tablename__ = "academies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    host_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    mail_sender: Mapped[str] = mapped_column(String(200), default="")
    branding: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mandatory_teleservices: Mapped[list[str]] = mapped_column(JSON, default=list)
    ent_links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    def __repr__(self) -> str:
        return f"<Academy {self.code}>"


class TenantMixin:
    """A row owned by one academy. The session filter scopes every query on it (TEN-3)."""

    __tenant_owned__ = True

    @declared_attr
    def academy_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("academies.id", ondelete="CASCADE"), index=True)


class EstablishmentMixin(TenantMixin):
    """A row owned by one establishment of one academy."""

    @declared_attr
    def establishment_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("establishments.id", ondelete="CASCADE"), index=True)


class Establishment(TenantMixin, db.Model):  # type: ignore[name-defined]
    """An établissement (EPLE) of an academy, identified by its UAI (TEN-2)."""

    __tablename__ = "establishments"

    id: Mapped[int] = mapped_column(primary_key=True)
    uai: Mapped[str] = mapped_column(String(8), unique=True)
    type: Mapped[EstablishmentType] = mapped_column(
        db.Enum(EstablishmentType, native_enum=False, length=20)
    )
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    head_name: Mapped[str] = mapped_column(String(200), default="")
    siecle_modules: Mapped[list[str]] = mapped_column(JSON, default=list)

    def uses_module(self, module: str) -> bool:
        return module in (self.siecle_modules or [])

    def __repr__(self) -> str:
        return f"<Establishment {self.uai}>"
