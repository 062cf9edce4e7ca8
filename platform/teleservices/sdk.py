"""The one public surface for téléservice plugins: import the host only through this module.

What a plugin needs: the hook marker, the declaration dataclasses, the database and tenant mixins,
a blueprint factory for portal pages, the current establishment, student and settings, today's
date, read-only lookups of the establishment's students and classes, and the jobs, mail and PDF
wrappers. Anything else of the host is private and may change.
"""

from __future__ import annotations

from datetime import date
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
    ImportRow,
    JobDeclaration,
    Mandatory,
    PortalChild,
    PortalPages,
    SettingsForm,
    Teleservice,
)
from teleservices.extensions import db
from teleservices.hookspecs import PROJECT
from teleservices.i18n import local_today
from teleservices.jobs import enqueue, report_progress
from teleservices.mail import send_mail
from teleservices.pdf import render_pdf
from teleservices.school.lookup import enrolled_students, mef_divisions, students_by_division
from teleservices.tenancy.models import Establishment, EstablishmentMixin, TenantMixin

hookimpl = pluggy.HookimplMarker(PROJECT)


def portal_blueprint(code: str, import_name: str) -> Blueprint:
    """A blueprint for a plugin's portal pages; templates go in ``templates/<code>/``."""
    return Blueprint(code, import_name, template_folder="templates")


def current_establishment() -> Establishment:
    """The establishment whose téléservice page (or configuration screen) is being served."""
    establishment: Establishment = g.establishment
    return establishment


def current_settings() -> dict[str, Any]:
    """The current téléservice's settings in the current establishment (defaults applied)."""
    settings: dict[str, Any] = g.service_settings
    return settings


def current_student() -> PortalChild:
    """The student whose page is being served (checked by the host: attached to the viewer's
    account, enrolled in the academy, the téléservice open in their establishment)."""
    student: PortalChild = g.student
    return student


def today() -> date:
    """Today's date in metropolitan France (publication dates, weeks, « new » items)."""
    return local_today()


def current_viewer_kind() -> Audience:
    """Whether a representative or the student themself is looking at the page."""
    audience: Audience = g.viewer_audience
    return audience


def is_read_only() -> bool:
    """True while staff simulate the family's access (ADM-5): a plugin must write nothing then,
    not even an access counter."""
    from teleservices.admin.simulation import is_simulating

    return is_simulating()


__all__ = [
    "ALWAYS",
    "NEVER",
    "Audience",
    "Establishment",
    "EstablishmentMixin",
    "HomeContext",
    "HomeEntry",
    "ImportReport",
    "ImportRow",
    "Importer",
    "JobDeclaration",
    "Mandatory",
    "PortalChild",
    "PortalPages",
    "SettingsForm",
    "Teleservice",
    "TenantMixin",
    "current_establishment",
    "current_settings",
    "current_student",
    "current_viewer_kind",
    "db",
    "enqueue",
    "enrolled_students",
    "hookimpl",
    "is_read_only",
    "mef_divisions",
    "portal_blueprint",
    "render_pdf",
    "report_progress",
    "send_mail",
    "students_by_division",
    "today",
]
