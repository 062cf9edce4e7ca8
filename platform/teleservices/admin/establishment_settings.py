"""``EstablishmentSettings``: an establishment's activation and Paramétrage (ADM-2, ADM-4).

One row per establishment holds when the téléservices were activated, the welcome message
(sanitised HTML), the courier type and ENT link, the contact link and the useful links.
The family portal reads them through ``get_establishment_settings``, which applies the rules
(the ENT link only in "Mixte"/"ENT seul", the contact e-mail only when active). The row is read as a
plain ``StoredSettings`` value (the portal's per-establishment cache keeps it, never the ORM row).
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import JSON, Boolean, DateTime, Enum, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.admin import sanitizer
from teleservices.extensions import db
from teleservices.tenancy.models import Establishment, EstablishmentMixin


class CourierType(enum.StrEnum):
    """Which address the notification letters give, and whether the portal links the ENT (§2.8)."""

    TELESERVICES = "teleservices"
    MIXTE = "mixte"
    ENT_SEUL = "ent_seul"

    @property
    def label(self) -> str:
        return {
            "teleservices": "Téléservices",
            "mixte": "Mixte ENT / Téléservices",
            "ent_seul": "ENT seul",
        }[self.value]

    @property
    def uses_ent(self) -> bool:
        return self is not CourierType.TELESERVICES


class EstablishmentSettings(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """The establishment's activation date and its Paramétrage screens' values."""

    __tablename__ = "establishment_settings"
    __table_args__ = (UniqueConstraint("establishment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    welcome_message: Mapped[str] = mapped_column(Text, default="")
    courier_type: Mapped[CourierType] = mapped_column(
        Enum(CourierType, native_enum=False, length=20), default=CourierType.TELESERVICES
    )
    ent_url: Mapped[str] = mapped_column(String(500), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_active: Mapped[bool] = mapped_column(Boolean, default=False)
    useful_links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    @property
    def is_activated(self) -> bool:
        return self.activated_at is not None

    def snapshot(self) -> dict[str, Any]:
        """The values the audit log records before and after a change."""
        return {
            "welcome_message": self.welcome_message or "",
            "courier_type": (self.courier_type or CourierType.TELESERVICES).value,
            "ent_url": self.ent_url or "",
            "contact_email": self.contact_email or "",
            "contact_active": bool(self.contact_active),
            "useful_links": [dict(link) for link in self.useful_links or []],
        }


@dataclass(frozen=True)
class UsefulLink:
    """A « Liens utiles » entry of the portal."""

    label: str
    url: str


@dataclass(frozen=True)
class PortalSettings:
    """What the family portal shows for an establishment (read-only view of its settings)."""

    activated: bool
    welcome_message_html: Markup
    courier_type: CourierType
    ent_url: str
    show_ent_link: bool
    contact_email: str
    useful_links: tuple[UsefulLink, ...]


def find_settings(establishment: Establishment) -> EstablishmentSettings | None:
    """The establishment's settings row, if any (in the current tenant)."""
    return db.session.execute(
        select(EstablishmentSettings).filter_by(establishment_id=establishment.id)
    ).scalar_one_or_none()


def settings_row(establishment: Establishment) -> EstablishmentSettings:
    """The establishment's settings row, created with the defaults when missing."""
    row = find_settings(establishment)
    if row is None:
        row = EstablishmentSettings(
            academy_id=establishment.academy_id,
            establishment_id=establishment.id,
            welcome_message="",
            courier_type=CourierType.TELESERVICES,
            ent_url="",
            contact_email="",
            contact_active=False,
            useful_links=[],
        )
        db.session.add(row)
    return row


def new_link_id() -> str:
    """A short stable id for a useful link (used by its removal URL)."""
    return secrets.token_hex(4)


@dataclass(frozen=True)
class StoredSettings:
    """The row's values the portal needs, detached from the ORM, the welcome message sanitised."""

    activated: bool
    welcome_message_html: Markup
    courier_type: CourierType
    ent_url: str
    contact_email: str
    contact_active: bool
    useful_links: tuple[UsefulLink, ...]


def stored_settings(establishment: Establishment) -> StoredSettings | None:
    """The establishment's settings as read-only values, None when never set (one query)."""
    row = find_settings(establishment)
    if row is None:
        return None
    return StoredSettings(
        activated=row.is_activated,
        welcome_message_html=sanitizer.render(row.welcome_message or ""),
        courier_type=row.courier_type or CourierType.TELESERVICES,
        ent_url=row.ent_url or "",
        contact_email=row.contact_email or "",
        contact_active=bool(row.contact_active),
        useful_links=tuple(
            UsefulLink(label=link["label"], url=link["url"]) for link in row.useful_links or []
        ),
    )


def portal_settings(establishment: Establishment, stored: StoredSettings | None) -> PortalSettings:
    """Apply the portal's rules to stored settings (defaults when never set)."""
    if stored is None:
        return PortalSettings(
            activated=False,
            welcome_message_html=Markup(""),
            courier_type=CourierType.TELESERVICES,
            ent_url="",
            show_ent_link=False,
            contact_email="",
            useful_links=(),
        )
    courier = stored.courier_type
    ent_url = stored.ent_url if courier.uses_ent else ""
    contact = stored.contact_email if stored.contact_active else ""
    return PortalSettings(
        activated=stored.activated,
        welcome_message_html=stored.welcome_message_html,
        courier_type=courier,
        ent_url=ent_url,
        show_ent_link=courier is CourierType.MIXTE and bool(ent_url),
        contact_email=contact if contact in (establishment.emails or []) else "",
        useful_links=stored.useful_links,
    )


def get_establishment_settings(establishment: Establishment) -> PortalSettings:
    """The establishment's settings as the portal must apply them (defaults when never set)."""
    return portal_settings(establishment, stored_settings(establishment))
