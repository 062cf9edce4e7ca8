"""Hook implementations of the « Emploi du temps » téléservice."""

from __future__ import annotations

from flask import url_for

import teleservices.sdk as sdk
from teleservices_emploi_du_temps.forms import DEFAULTS, EmploiDuTempsSettingsForm
from teleservices_emploi_du_temps.views import bp

CODE = "emploi_du_temps"


@sdk.hookimpl
def teleservices_declare() -> sdk.Teleservice:
    return sdk.Teleservice(
        code=CODE,
        label="Emploi du temps",
        description="Consulter l'emploi du temps de l'élève.",
        audiences=frozenset({sdk.Audience.REPRESENTATIVES, sdk.Audience.STUDENTS}),
        default_open=True,
        requires_module="edt",
        stats_category="Emploi du temps",
        mobile=True,
    )


@sdk.hookimpl
def teleservices_settings_form() -> sdk.SettingsForm:
    return sdk.SettingsForm(
        code=CODE,
        form_class=EmploiDuTempsSettingsForm,
        defaults=DEFAULTS,
        editable_when_closed=False,
    )


@sdk.hookimpl
def teleservices_portal_pages() -> sdk.PortalPages:
    return sdk.PortalPages(code=CODE, blueprint=bp)


@sdk.hookimpl
def teleservices_home_entry(context: sdk.HomeContext) -> sdk.HomeEntry:
    return sdk.HomeEntry(
        code=CODE,
        label="Emploi du temps",
        description="Consulter l'emploi du temps de la semaine.",
        url=url_for("services.emploi_du_temps.index", child=context.student_id),
    )
