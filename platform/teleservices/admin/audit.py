"""The audit log (ADM-6): who did what, when, on what, with the values before and after.

``record`` is called by every staff change (opening, configuration, Paramétrage, delegation) and
by security events (failed logins, attempts outside one's scope). Entries belong to the academy,
and to an establishment when the action concerns one; the caller commits with its change.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import has_request_context, request
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, Select, String, select
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.extensions import db
from teleservices.tenancy.models import Establishment, TenantMixin

log = logging.getLogger(__name__)
PARIS = ZoneInfo("Europe/Paris")

ACTION_LABELS = {
    "teleservices.activated": "Activation des téléservices",
    "teleservice.opened": "Ouverture d'un téléservice",
    "teleservice.closed": "Fermeture d'un téléservice",
    "teleservice.configured": "Configuration d'un téléservice",
    "data.imported": "Import de données d'un téléservice",
    "api_token.issued": "Création d'un jeton d'API",
    "api_token.revoked": "Révocation du jeton d'API",
    "settings.welcome_message": "Message d'accueil",
    "settings.ent": "ENT et courrier de notification",
    "settings.contact": "Lien de contact établissement",
    "settings.useful_link_added": "Ajout d'un lien utile",
    "settings.useful_link_removed": "Suppression d'un lien utile",
    "delegation.granted": "Délégation accordée",
    "delegation.withdrawn": "Délégation retirée",
    "staff.created": "Création d'un compte personnel",
    "staff.login": "Connexion",
    "staff.login_failed": "Échec de connexion",
    "staff.totp_enrolled": "Activation de la double authentification",
    "staff.totp_reset": "Réinitialisation de la double authentification",
    "access.denied": "Accès refusé hors périmètre",
    "academy.establishment_created": "Création d'un établissement",
    "academy.establishment_updated": "Modification d'un établissement",
    "academy.mandatory_teleservices": "Téléservices obligatoires de l'académie",
    "academy.experiment_added": "Déclaration d'un téléservice expérimental",
    "academy.experiment_updated": "Établissements d'un téléservice expérimental",
    "academy.experiment_ended": "Fin d'un téléservice expérimental",
    "academy.academic_service_added": "Ajout d'un service académique",
    "academy.academic_service_removed": "Suppression d'un service académique",
    "academy.ent_link_added": "Ajout d'un lien ENT prédéfini",
    "academy.ent_link_removed": "Suppression d'un lien ENT prédéfini",
    "platform.academy_created": "Création d'une académie",
    "platform.academy_updated": "Modification d'une académie",
    "platform.national_availability": "Disponibilité nationale d'un téléservice",
    "school.siecle_import": "Import des données SIECLE",
    "school.siecle_import_rejected": "Import SIECLE refusé",
    "account.activation_resent": "Courriel d'activation renvoyé",
    "account.renotified": "Renotification et réinitialisation du mot de passe",
    "account.new_account": "Création d'un nouveau compte",
    "account.refused": "Désactivation d'un compte (refus de la famille)",
    "account.emailed": "Courriel à une famille",
    "simulation.started": "Simulation démarrée",
    "simulation.ended": "Simulation terminée",
    "notification.mass": "Notification en masse",
    "notification.bulk_email": "Courriel à plusieurs responsables",
}


@dataclass(frozen=True)
class Actor:
    """Who acted: a staff member, a platform admin, an anonymous visitor or the command line."""

    kind: str
    id: int | None
    display: str

    @classmethod
    def of(cls, user: Any) -> Actor:
        """The actor for a logged-in staff member or platform administrator."""
        return cls(user.kind, user.id, f"{user.display_name} ({user.login})")


COMMAND_LINE = Actor("cli", None, "Ligne de commande")


class AuditEntry(TenantMixin, db.Model):  # type: ignore[name-defined]
    """One audited action of the academy (and of one establishment when it applies)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int | None] = mapped_column(
        ForeignKey("establishments.id", ondelete="CASCADE"), nullable=True, index=True
    )
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor_display: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    ip_address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=lambda: datetime.now(UTC), index=True
    )

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def created_at_local(self) -> datetime:
        """``created_at`` in Paris time."""
        return local_time(self.created_at)


def record(
    action: str,
    actor: Actor,
    *,
    academy_id: int | None = None,
    establishment: Establishment | None = None,
    target: str = "",
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Add an audit entry to the session (the caller commits it with the change it describes)."""
    ip = (request.remote_addr or "") if has_request_context() else ""
    entry = AuditEntry(
        establishment_id=establishment.id if establishment is not None else None,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_display=actor.display[:300],
        action=action,
        target=target[:500],
        before=before,
        after=after,
        ip_address=ip[:64],
    )
    if establishment is not None:
        entry.academy_id = establishment.academy_id
    elif academy_id is not None:
        entry.academy_id = academy_id
    db.session.add(entry)
    log.info("audit %s by %s: %s", action, actor.display, target)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """The audit page's filters; empty values filter nothing."""

    action: str = ""
    actor: str = ""
    start: date | None = None
    end: date | None = None
    establishment_id: int | None = None


def query(filters: AuditFilter, establishment: Establishment | None = None) -> Select[Any]:
    """Entries of the current academy (or of one establishment), newest first, filtered."""
    statement = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if establishment is not None:
        statement = statement.where(AuditEntry.establishment_id == establishment.id)
    elif filters.establishment_id is not None:
        statement = statement.where(AuditEntry.establishment_id == filters.establishment_id)
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.actor:
        escaped = filters.actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(AuditEntry.actor_display.ilike(f"%{escaped}%", escape="\\"))
    if filters.start is not None:
        statement = statement.where(AuditEntry.created_at >= _paris_midnight(filters.start))
    if filters.end is not None:
        statement = statement.where(
            AuditEntry.created_at < _paris_midnight(filters.end + timedelta(days=1))
        )
    return statement


def _paris_midnight(day: date) -> datetime:
    """Midnight of ``day`` in Paris, as a UTC datetime (how timestamps are stored)."""
    return datetime.combine(day, time.min, tzinfo=PARIS).astimezone(UTC)


def local_time(value: datetime) -> datetime:
    """A stored timestamp (aware, or naive UTC on SQLite) in Paris time."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(PARIS)


def readable(value: Any) -> str:
    """A before/after value as compact JSON text (accents kept) for the audit pages."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
