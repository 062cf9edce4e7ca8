"""Hook implementations of the « Absences » téléservice."""

from __future__ import annotations

from flask import url_for

import teleservices.sdk as sdk
from teleservices_absences.forms import DEFAULTS, AbsencesSettingsForm
from teleservices_absences.views import bp

CODE = "absences"


@sdk.hookimpl
def teleservices_declare() -> sdk.Teleservice:
    return sdk.Teleservice(
        code=CODE,
        label="Absences",
        description="Consulter les absences et les retards de l'élève (vie scolaire).",
        audiences=frozenset({sdk.Audience.REPRESENTATIVES, sdk.Audience.STUDENTS}),
        default_open=True,
        requires_module="vie_scolaire",
        stats_category="Vie scolaire",
        mobile=True,
    )


@sdk.hookimpl
def teleservices_settings_form() -> sdk.SettingsForm:
    return sdk.SettingsForm(code=CODE, form_class=AbsencesSettingsForm, defaults=DEFAULTS)


@sdk.hookimpl
def teleservices_portal_pages() -> sdk.PortalPages:
    return sdk.PortalPages(code=CODE, blueprint=bp)


@sdk.hookimpl
def teleservices_home_entry(context: sdk.HomeContext) -> sdk.HomeEntry:
    return sdk.HomeEntry(
        code=CODE,
        label="Absences",
        description="Consulter les absences et les retards.",
        url=url_for("services.absences.index", child=context.student_id),
    )
