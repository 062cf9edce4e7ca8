"""Every hook a téléservice plugin may implement, with its arguments and return types.

Hooks are named ``teleservices_*``; each returns a frozen dataclass from ``declarations``. A plugin
must implement ``teleservices_declare``; the others are optional. ``docs/plugins.md`` documents every
hook (a test fails when one is missing there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from pathlib import Path

    from teleservices.declarations import (
        HomeContext,
        HomeEntry,
        Importer,
        JobDeclaration,
        PortalPages,
        SettingsForm,
        Teleservice,
    )
    from teleservices.tenancy.models import Establishment

PROJECT = "teleservices"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def teleservices_declare() -> Teleservice:
    """Declare the téléservice: code, label, audiences, mandatory rule, default state, needs.

    Called once at start-up. A plugin that raises here is reported and not served.
    """
    raise NotImplementedError


@hookspec
def teleservices_settings_form() -> SettingsForm | None:
    """Return the configuration screen: a WTForms form class and the defaults of its fields.

    Settings are stored per establishment and kept when the téléservice is closed.
    """


@hookspec
def teleservices_portal_pages() -> PortalPages | None:
    """Return the blueprint of the téléservice's portal pages.

    The host registers it once at start-up under ``/<academy>/services/<child>/<code>/`` and answers
    404 for every page while the téléservice is closed for that establishment.
    """


@hookspec
def teleservices_home_entry(context: HomeContext) -> HomeEntry | None:
    """Return the portal home-page entry for one establishment (and student), or None.

    Only called for plugins open in ``context.establishment``.
    """


@hookspec
def teleservices_importers() -> list[Importer]:
    """Return the data importers of the téléservice (grades, events, invoices, timetables…)."""
    raise NotImplementedError


@hookspec
def teleservices_jobs() -> list[JobDeclaration]:
    """Return the background jobs the téléservice offers (run through ``sdk.enqueue``)."""
    raise NotImplementedError


@hookspec
def teleservices_demo_rows(establishment: Establishment) -> dict[str, list[dict[str, str]]] | None:
    """Return demonstration data for ``teleservices demo``: rows per importer code, as a CSV file's
    lines would give them; the host imports them through the importer (all or nothing)."""


@hookspec
def teleservices_migrations_dir() -> Path | None:
    """Return the folder of the plugin's Alembic migrations (a branch of its own), if any."""
