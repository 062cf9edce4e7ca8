"""Plugin manager: load the téléservice plugins from entry points, validate and register them.

The manager is built inside ``create_app`` (no module-level global). A plugin that fails to load,
declares itself wrongly or implements a misspelt hook is reported in ``Registry.failed`` and not
served; the platform starts anyway.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy

from teleservices import hookspecs
from teleservices.declarations import Importer, PortalPages, SettingsForm, Teleservice

ENTRY_POINT_GROUP = "teleservices.plugins"
log = logging.getLogger(__name__)


@dataclass
class Registry:
    """The plugins that loaded, by téléservice code, and those that failed with the reason."""

    manager: pluggy.PluginManager
    teleservices: dict[str, Teleservice] = field(default_factory=dict)
    settings_forms: dict[str, SettingsForm] = field(default_factory=dict)
    portal_pages: dict[str, PortalPages] = field(default_factory=dict)
    importers: dict[str, Importer] = field(default_factory=dict)
    plugin_objects: dict[str, object] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def get(self, code: str) -> Teleservice | None:
        return self.teleservices.get(code)

    def ordered(self) -> list[Teleservice]:
        return sorted(self.teleservices.values(), key=lambda t: t.label.casefold())

    def call_one(self, code: str, hook: str, **kwargs: Any) -> Any:
        """Call one hook of one plugin only (e.g. the home entry of an open téléservice)."""
        plugin = self.plugin_objects[code]
        impl = getattr(plugin, hook, None)
        return impl(**kwargs) if impl is not None else None

    def migration_dirs(self) -> list[Path]:
        return [Path(d) for d in self.manager.hook.teleservices_migrations_dir() if d]


def _new_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


def _load_candidates(extra: list[Any]) -> list[tuple[str, Any]]:
    candidates: list[tuple[str, Any]] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        candidates.append((ep.name, ep))
    for item in extra:
        name = item if isinstance(item, str) else getattr(item, "__name__", type(item).__name__)
        candidates.append((name, item))
    return candidates


def _resolve(candidate: Any) -> object:
    if isinstance(candidate, str):
        return importlib.import_module(candidate)
    if hasattr(candidate, "load") and hasattr(candidate, "group"):
        return candidate.load()
    return candidate


def _declare(manager: pluggy.PluginManager, name: str, plugin: object) -> Teleservice:
    """Register one plugin object, check its hooks and return its declaration."""
    manager.register(plugin, name=name)
    try:
        manager.check_pending()
        declare = getattr(plugin, "teleservices_declare", None)
        if declare is None:
            raise TypeError("the plugin does not implement teleservices_declare")
        declaration = declare()
        if not isinstance(declaration, Teleservice):
            raise TypeError("teleservices_declare must return a sdk.Teleservice")
        return declaration
    except BaseException:
        manager.unregister(plugin)
        raise


def build_registry(extra: list[Any] | None = None, disabled: set[str] | None = None) -> Registry:
    """Load every plugin (entry points, then ``extra`` modules or objects) into a new registry."""
    registry = Registry(manager=_new_manager())
    for name, candidate in _load_candidates(extra or []):
        if disabled and name in disabled:
            continue
        plugin: object | None = None
        try:
            plugin = _resolve(candidate)
            declaration = _declare(registry.manager, name, plugin)
            if declaration.code in registry.teleservices:
                raise ValueError(f"code {declaration.code!r} is already declared by another plugin")
            form = _optional(plugin, "teleservices_settings_form", SettingsForm, declaration.code)
            pages = _optional(plugin, "teleservices_portal_pages", PortalPages, declaration.code)
            importers = _importers(plugin, registry.importers)
        except Exception as exc:
            if plugin is not None and registry.manager.is_registered(plugin):
                registry.manager.unregister(plugin)
            registry.failed[name] = f"{type(exc).__name__}: {exc}"
            log.error("téléservice plugin %s not loaded: %s", name, exc)
            continue
        registry.teleservices[declaration.code] = declaration
        registry.plugin_objects[declaration.code] = plugin
        if form is not None:
            registry.settings_forms[declaration.code] = form
        if pages is not None:
            registry.portal_pages[declaration.code] = pages
        registry.importers.update((importer.code, importer) for importer in importers)
    return registry


def _optional(plugin: object, hook: str, expected: type, code: str) -> Any:
    impl = getattr(plugin, hook, None)
    if impl is None:
        return None
    value = impl()
    if value is None:
        return None
    if not isinstance(value, expected) or getattr(value, "code", None) != code:
        raise TypeError(f"{hook} must return a sdk.{expected.__name__} for code {code!r}")
    return value


def _importers(plugin: object, known: dict[str, Importer]) -> list[Importer]:
    """The plugin's data importers, checked: ``sdk.Importer`` objects with codes not yet taken."""
    impl = getattr(plugin, "teleservices_importers", None)
    importers = list(impl() or []) if impl is not None else []
    for importer in importers:
        if not isinstance(importer, Importer):
            raise TypeError("teleservices_importers must return a list of sdk.Importer")
        if not importer.code.isidentifier() or importer.code in known or importer.code == "siecle":
            raise ValueError(f"importer code {importer.code!r} is invalid or already taken")
    return importers
