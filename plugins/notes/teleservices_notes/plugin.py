"""Hook implementations of the « Notes » téléservice."""

from __future__ import annotations

from flask import url_for

import teleservices.sdk as sdk
from teleservices_notes.forms import DEFAULTS, NotesSettingsForm
from teleservices_notes.views import bp

CODE = "notes"


@sdk.hookimpl
def teleservices_declare() -> sdk.Teleservice:
    return sdk.Teleservice(
        code=CODE,
        label="Notes",
        description="Consulter les notes et les moyennes de l'élève.",
        audiences=frozenset({sdk.Audience.REPRESENTATIVES, sdk.Audience.STUDENTS}),
        default_open=True,
        requires_module="notes",
        stats_category="Notes",
        mobile=True,
    )


@sdk.hookimpl
def teleservices_settings_form() -> sdk.SettingsForm:
    return sdk.SettingsForm(code=CODE, form_class=NotesSettingsForm, defaults=DEFAULTS)


@sdk.hookimpl
def teleservices_portal_pages() -> sdk.PortalPages:
    return sdk.PortalPages(code=CODE, blueprint=bp)


@sdk.hookimpl
def teleservices_home_entry(context: sdk.HomeContext) -> sdk.HomeEntry:
    return sdk.HomeEntry(
        code=CODE,
        label="Notes",
        description="Consulter les notes et les moyennes.",
        url=url_for("services.notes.index", child=context.student_id),
    )
