"""The one public surface for téléservice plugins: import the host only through this module.

What a plugin needs: the hook marker, the declaration dataclasses, the database and tenant mixins,
a blueprint factory for portal pages, the current establishment and settings, and the jobs, mail
and PDF wrappers. Anything else of the host is private and may change.
"""

from __future__ import annotations

from typing import Any

import pluggy
from flask import Blueprint, g

from teleservices.declarations import (
    ALWAYS,
    NEVER,
    Audience,
    HomeContext,
    HomeEntry,
    Importer,
    ImportReport,
    JobDeclaration,
    Mandatory,
    PortalPages,
    SettingsForm,
    Teleservice,
)
from teleservices.extensions import db
from teleservices.hookspecs import PROJECT
from teleservices.jobs import enqueue, report_progress
from teleservices.mail import send_mail
from teleservices.pdf import render_pdf
from teleservices.tenancy.models import Establishment, EstablishmentMixin, TenantMixin

hookimpl = pluggy.HookimplMarker(PROJECT)


def portal_blueprint(code: str, import_name: str) -> Blueprint:
    """A blueprint for a plugin's portal pages; templates go in ``templates/<code>/``."""
    return Blueprint(code, import_name, template_folder="templates")


def current_establishment() -> Establishment:
    """The establishment whose téléservice page is being served."""
    establishment: Establishment = g.establishment
    return establishment


def current_settings() -> dict[str, Any]:
    """The current téléservice's settings in the current establishment (defaults applied)."""
    settings: dict[str, Any] = g.service_settings
    return settings


__all__ = [
    "ALWAYS",
    "NEVER",
    "Audience",
    "Establishment",
    "EstablishmentMixin",
    "HomeContext",
    "HomeEntry",
    "ImportReport",
    "Importer",
    "JobDeclaration",
    "Mandatory",
    "PortalPages",
    "SettingsForm",
    "Teleservice",
    "TenantMixin",
    "current_establishment",
    "current_settings",
    "db",
    "enqueue",
    "hookimpl",
    "portal_blueprint",
    "render_pdf",
    "report_progress",
    "send_mail",
]
