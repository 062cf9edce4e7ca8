"""What the portal's home shows for the current child (POR-1), and the short-lived cache of the
per-establishment data it is built from.

The home needs, besides the children, data staff change rarely: the establishment's stored
téléservice choices and settings, its Paramétrage, the academy's offer rules (national switches and
experiments) and its academic services. They are read as plain frozen values (never ORM rows) and
kept per application and per process for ``CACHE_SECONDS``, keyed by academy and establishment.

The cache needs Redis (production): any ORM write to one of the tables the values come from
(``CACHED_MODELS``) increments, when its transaction ends, a generation shared in Redis that every
process reads once per request, so a change shows at once in every worker; the process's own
generation is bumped too. A session holding such uncommitted writes reads through. Without Redis,
or when it cannot be reached, nothing is cached: several gunicorn workers would have no way to
tell each other. Academies and establishments themselves are read fresh at each request (tenant
resolution and the children query), so the rules depending on them are always current. Then each
open téléservice's home-page entry comes from its plugin.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_app_context
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from teleservices import opening
from teleservices.accounts.models import Account
from teleservices.admin import establishment_settings, offer
from teleservices.admin.establishment_settings import PortalSettings, StoredSettings
from teleservices.admin.offer import AcademicLink, OfferRules
from teleservices.declarations import HomeContext, HomeEntry
from teleservices.extensions import db
from teleservices.jobs import redis_connection
from teleservices.mounting import registry, viewer_audience
from teleservices.portal.children import ChildView
from teleservices.tenancy.context import current_academy_id
from teleservices.tenancy.models import Establishment

CACHE_SECONDS = 5.0
CACHED_MODELS: tuple[type, ...] = (
    opening.TeleserviceState,
    establishment_settings.EstablishmentSettings,
    offer.NationalAvailability,
    offer.ExperimentalTeleservice,
    offer.AcademicService,
)
EXTENSION = "portal_snapshots"
GENERATION_KEY = "portal_generation_key"
_STALE = "portal_snapshots_stale"
T = TypeVar("T")

# Bumped by every commit or rollback that wrote a cached table: entries of older generations are
# ignored. The generation shared in Redis (``generation_key``) is bumped too, for other processes.
_generation = 0


def generation_key(app: Flask) -> str:
    """The Redis key of the shared generation: one per database (the processes that share data)."""
    key: str = app.extensions[GENERATION_KEY]
    return key


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
    """Frozen values by key, each valid for ``CACHE_SECONDS`` and the current generation."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, int, int], tuple[float, tuple[int, int], Any]] = {}

    def get(self, key: tuple[str, int, int], load: Callable[[], T]) -> T:
        shared = _shared_generation()
        if db.session.info.get(_STALE) or shared is None:
            return load()  # changed in this transaction, or no Redis to share changes: keep nothing
        now = time.monotonic()
        generation = (_generation, shared)
        entry = self._entries.get(key)
        if entry is not None and entry[1] == generation and entry[0] > now:
            return entry[2]
        value = load()
        self._entries[key] = (now + CACHE_SECONDS, generation, value)
        return value


def _shared_generation() -> int | None:
    """The generation shared through Redis (read once per request), or None when there is no
    Redis to share it through (the cache is then bypassed)."""
    if not current_app.config.get("REDIS_URL"):
        return None
    if "portal_generation" not in g:
        try:
            g.portal_generation = int(redis_connection().get(generation_key(current_app)) or 0)
        except RedisError:
            current_app.logger.warning("Redis injoignable : cache de l'accueil ignoré")
            g.portal_generation = None
    shared: int | None = g.portal_generation
    return shared


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


def _is_cached(obj: object) -> bool:
    return isinstance(obj, CACHED_MODELS)


def _after_flush(session: Session, _context: Any) -> None:
    if any(_is_cached(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_STALE] = True


def _on_execute(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        issubclass(mapper.class_, CACHED_MODELS) for mapper in state.all_mappers
    ):
        state.session.info[_STALE] = True


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    global _generation
    if transaction.parent is None and session.info.pop(_STALE, False):
        _generation += 1
        if has_app_context() and current_app.config.get("REDIS_URL"):
            try:
                redis_connection().incr(generation_key(current_app))
            except RedisError:
                current_app.logger.warning(
                    "Redis injoignable : génération de l'accueil non publiée"
                )


def init_app(app: Flask) -> None:
    """Give the application its cache and watch the writes to the cached tables (once)."""
    app.extensions[EXTENSION] = SnapshotCache()
    database = str(app.config["SQLALCHEMY_DATABASE_URI"]).encode()
    app.extensions[GENERATION_KEY] = (
        f"teleservices:portal:generation:{hashlib.sha256(database).hexdigest()[:16]}"
    )
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "after_transaction_end", _transaction_ended)
