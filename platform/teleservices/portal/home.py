"""What the portal's home shows for the current child (POR-1), and the short-lived cache of the
per-establishment data it is built from.

The home needs, besides the children, data staff change rarely: the establishment's stored
téléservice choices and settings, its Paramétrage, the academy's offer rules (national switches and
experiments) and its academic services. They are read as plain frozen values (never ORM rows) and
kept per application and per process for ``CACHE_SECONDS``, keyed by academy and establishment,
with the generations (``freshness``) of the platform, the academy and the establishment they were
read under: any committed write there, in any process, voids them at once. A transaction holding
uncommitted writes reads through. Without Redis (or when it cannot be reached) nothing is cached:
several gunicorn workers would have no way to tell each other of a change. Then each open
téléservice's home-page entry comes from its plugin; the whole page may then be kept too
(``page_cache``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g

from teleservices import freshness, opening
from teleservices.accounts.models import Account
from teleservices.admin import establishment_settings, offer
from teleservices.admin.establishment_settings import PortalSettings, StoredSettings
from teleservices.admin.offer import AcademicLink, OfferRules
from teleservices.declarations import HomeContext, HomeEntry
from teleservices.mounting import registry, viewer_audience
from teleservices.portal.children import ChildView
from teleservices.tenancy.context import current_academy_id
from teleservices.tenancy.models import Establishment

CACHE_SECONDS = 5.0
EXTENSION = "portal_snapshots"
T = TypeVar("T")


@dataclass(frozen=True)
class EstablishmentSnapshot:
    """An establishment's stored téléservice choices and Paramétrage."""

    states: Mapping[str, opening.StoredState]
    settings: StoredSettings | None


@dataclass(frozen=True)
class AcademySnapshot:
    """The academy's offer rules (with the national switches) and academic services."""

    rules: OfferRules
    academic: tuple[AcademicLink, ...]


class SnapshotCache:
    """Frozen values by key, each valid for ``CACHE_SECONDS`` and the generations of the platform,
    its academy and (for an establishment's values) its establishment."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, int, int], tuple[float, list[int], Any]] = {}

    def get(self, key: tuple[str, int, int], load: Callable[[], T]) -> T:
        generation = _request_generations(key)
        if generation is None or freshness.has_pending():
            return load()  # no Redis to share changes, or changed in this transaction
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[1] == generation and entry[0] > now:
            return entry[2]
        value = load()
        self._entries[key] = (now + CACHE_SECONDS, generation, value)
        return value


def _request_generations(key: tuple[str, int, int]) -> list[int] | None:
    """The generations a cached value depends on (read once per request)."""
    kind, academy_id, establishment_id = key
    scopes = [freshness.ALL, freshness.academy_scope(academy_id)]
    if kind == "establishment":
        scopes.append(freshness.establishment_scope(establishment_id))
    return freshness.generations(scopes)


def _cache() -> SnapshotCache:
    return current_app.extensions[EXTENSION]


def establishment_snapshot(establishment: Establishment) -> EstablishmentSnapshot:
    """The establishment's choices and Paramétrage (two queries when not cached)."""
    key = ("establishment", current_academy_id(), establishment.id)
    return _cache().get(
        key,
        lambda: EstablishmentSnapshot(
            opening.stored_states(establishment),
            establishment_settings.stored_settings(establishment),
        ),
    )


def academy_snapshot() -> AcademySnapshot:
    """The current academy's offer rules and academic services (two queries when not cached)."""
    academy_id = current_academy_id()
    return _cache().get(
        ("academy", academy_id, 0),
        lambda: AcademySnapshot(offer.offer_rules(academy_id), offer.academic_links()),
    )


def settings_for(establishment: Establishment) -> PortalSettings:
    """The establishment's Paramétrage as the portal applies it."""
    return establishment_settings.portal_settings(
        establishment, establishment_snapshot(establishment).settings
    )


@dataclass(frozen=True)
class Home:
    settings: PortalSettings | None
    entries: list[HomeEntry]
    academic: tuple[AcademicLink, ...]


def entries_for(
    account: Account, view: ChildView, snapshot: EstablishmentSnapshot, rules: OfferRules
) -> list[HomeEntry]:
    """The home-page entries of the téléservices open for this child and this kind of account."""
    reg = registry()
    states = opening.evaluate(reg, view.establishment, g.academy, snapshot.states, rules)
    settings = opening.settings_from(reg, snapshot.states)
    audience = viewer_audience(account.is_representative)
    entries = []
    for teleservice in reg.ordered():
        code = teleservice.code
        if not states[code].is_open or audience not in teleservice.audiences:
            continue
        context = HomeContext(view.establishment, settings[code], view.child.id, view.child)
        try:
            entry = reg.call_one(code, "teleservices_home_entry", context=context)
        except Exception:  # a broken plugin must not take the home page down
            current_app.logger.exception("home entry of %s failed", code)
            continue
        if isinstance(entry, HomeEntry):
            entries.append(entry)
    return entries


def home(account: Account, view: ChildView | None) -> Home:
    academy = academy_snapshot()
    if view is None:
        return Home(None, [], academy.academic)
    snapshot = establishment_snapshot(view.establishment)
    return Home(
        establishment_settings.portal_settings(view.establishment, snapshot.settings),
        entries_for(account, view, snapshot, academy.rules),
        academy.academic,
    )


def init_app(app: Flask) -> None:
    """Give the application its cache."""
    app.extensions[EXTENSION] = SnapshotCache()
