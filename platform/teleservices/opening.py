"""Open/closed state and settings of each téléservice per establishment (PLG-3, PLG-4, ADM-2).

Rules, in order: a téléservice switched off nationally (platform administrator) is closed and greyed
everywhere; an academy's experimental téléservice is closed and greyed in every establishment not on
its list; a téléservice whose SIECLE module the establishment does not use is closed and greyed; a
mandatory one (national rule or the academy's list) is open and greyed; otherwise the
establishment's choice, or the plugin's default. The first two rules come from
``admin.offer.offer_rules`` (one query for both). Settings are kept when a téléservice is closed
and take effect immediately.

``stored_states`` reads an establishment's choices once as plain ``StoredState`` values, from which
both the states (``evaluate``) and the settings (``settings_from``) are derived; the portal keeps
them in its per-establishment cache (``portal.snapshot``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.admin.offer import OfferRules, offer_rules
from teleservices.declarations import Teleservice
from teleservices.extensions import db
from teleservices.plugins import Registry
from teleservices.tenancy.models import Academy, Establishment, EstablishmentMixin

MODULE_LABELS = {
    "notes": "Notes",
    "evaluation": "Évaluation",
    "vie_scolaire": "Vie scolaire",
    "edt": "Emploi du temps",
    "bourses": "Bourses",
    "facturation": "Facturation",
}


class TeleserviceState(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """An establishment's choice for one téléservice: open or closed, and its settings."""

    __tablename__ = "teleservice_states"
    __table_args__ = (UniqueConstraint("establishment_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    is_open: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ServiceLockedError(ValueError):
    """The téléservice's state is imposed (mandatory, or its SIECLE module is missing)."""


@dataclass(frozen=True)
class StoredState:
    """An establishment's stored choice for one téléservice, detached from the ORM (read-only)."""

    is_open: bool | None
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class ServiceStatus:
    """The effective state of a téléservice in an establishment, with why it is locked."""

    is_open: bool
    locked: bool
    reason: str = ""


def status(
    teleservice: Teleservice,
    establishment: Establishment,
    academy: Academy,
    state: TeleserviceState | StoredState | None,
    rules: OfferRules | None = None,
) -> ServiceStatus:
    """Apply the opening rules to one téléservice in one establishment.

    ``rules`` (national switches and experiments) are loaded when not given.
    """
    if rules is None:
        rules = offer_rules(establishment.academy_id)
    excluded = rules.excludes(teleservice.code, establishment.id)
    if excluded:
        return ServiceStatus(False, True, excluded)
    module = teleservice.requires_module
    if module and not establishment.uses_module(module):
        label = MODULE_LABELS.get(module, module)
        return ServiceStatus(False, True, f"Nécessite le module SIECLE « {label} »")
    if teleservice.mandatory.applies_to(establishment.type.value):
        return ServiceStatus(True, True, "Obligatoire au niveau national")
    if teleservice.code in (academy.mandatory_teleservices or []):
        return ServiceStatus(True, True, "Rendu obligatoire par l'académie")
    if state is not None and state.is_open is not None:
        return ServiceStatus(state.is_open, False)
    return ServiceStatus(teleservice.default_open, False)


def stored_states(establishment: Establishment) -> dict[str, StoredState]:
    """The establishment's stored choices by code, as read-only values (one query)."""
    rows = db.session.execute(
        select(TeleserviceState.code, TeleserviceState.is_open, TeleserviceState.settings).where(
            TeleserviceState.establishment_id == establishment.id
        )
    )
    return {
        code: StoredState(is_open, MappingProxyType(dict(settings or {})))
        for code, is_open, settings in rows
    }


def evaluate(
    registry: Registry,
    establishment: Establishment,
    academy: Academy,
    states: Mapping[str, StoredState],
    rules: OfferRules,
) -> dict[str, ServiceStatus]:
    """The effective state of every loaded téléservice from already loaded choices and rules."""
    return {
        code: status(ts, establishment, academy, states.get(code), rules)
        for code, ts in registry.teleservices.items()
    }


def statuses(
    registry: Registry, establishment: Establishment, academy: Academy
) -> dict[str, ServiceStatus]:
    """The effective state of every loaded téléservice in the establishment (two queries)."""
    rules = offer_rules(establishment.academy_id)
    return evaluate(registry, establishment, academy, stored_states(establishment), rules)


def _state_row(establishment: Establishment, code: str) -> TeleserviceState:
    row = db.session.execute(
        select(TeleserviceState).filter_by(establishment_id=establishment.id, code=code)
    ).scalar_one_or_none()
    if row is None:
        row = TeleserviceState(
            academy_id=establishment.academy_id,
            establishment_id=establishment.id,
            code=code,
            settings={},
        )
        db.session.add(row)
    return row


def set_open(
    registry: Registry, establishment: Establishment, academy: Academy, code: str, is_open: bool
) -> None:
    """Open or close a téléservice; refused when its state is imposed."""
    teleservice = registry.teleservices[code]
    row = _state_row(establishment, code)
    current = status(teleservice, establishment, academy, row)
    if current.locked and current.is_open != is_open:
        raise ServiceLockedError(current.reason)
    row.is_open = is_open
    db.session.flush()


def get_settings(registry: Registry, establishment: Establishment, code: str) -> dict[str, Any]:
    """The téléservice's settings in the establishment: stored values over the form defaults."""
    form = registry.settings_forms.get(code)
    values = dict(form.defaults) if form else {}
    row = db.session.execute(
        select(TeleserviceState).filter_by(establishment_id=establishment.id, code=code)
    ).scalar_one_or_none()
    if row is not None:
        values.update(row.settings or {})
    return values


def save_settings(establishment: Establishment, code: str, values: dict[str, Any]) -> None:
    """Store the téléservice's settings (effective at once, kept while closed)."""
    row = _state_row(establishment, code)
    row.settings = {**(row.settings or {}), **{k: _json_value(v) for k, v in values.items()}}
    db.session.flush()


def _json_value(value: Any) -> Any:
    """Settings are stored as JSON: decimals and dates become strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def settings_from(
    registry: Registry, states: Mapping[str, StoredState]
) -> dict[str, dict[str, Any]]:
    """Every téléservice's settings from already loaded choices: stored values over the form
    defaults (fresh dictionaries, the caller may change them)."""
    result: dict[str, dict[str, Any]] = {}
    for code in registry.teleservices:
        form = registry.settings_forms.get(code)
        values = dict(form.defaults) if form else {}
        state = states.get(code)
        if state is not None:
            values.update({key: copy.deepcopy(value) for key, value in state.settings.items()})
        result[code] = values
    return result
