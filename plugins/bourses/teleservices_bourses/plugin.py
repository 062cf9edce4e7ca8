"""Hook implementations of the « Bourses » téléservice."""

from __future__ import annotations

from flask import url_for

import teleservices.sdk as sdk
from teleservices_bourses.forms import DEFAULTS, BoursesSettingsForm
from teleservices_bourses.views import bp

CODE = "bourses"


@sdk.hookimpl
def teleservices_declare() -> sdk.Teleservice:
    return sdk.Teleservice(
        code=CODE,
        label="Bourses",
        description="Demander une bourse de collège ou une bourse de lycée.",
        audiences=frozenset({sdk.Audience.REPRESENTATIVES}),
        mandatory=sdk.Mandatory(establishment_types=frozenset({"lycee", "lp"})),
        default_open=True,
        stats_category="Bourses",
        mobile=True,
    )


@sdk.hookimpl
def teleservices_settings_form() -> sdk.SettingsForm:
    return sdk.SettingsForm(code=CODE, form_class=BoursesSettingsForm, defaults=DEFAULTS)


@sdk.hookimpl
def teleservices_portal_pages() -> sdk.PortalPages:
    return sdk.PortalPages(code=CODE, blueprint=bp)


@sdk.hookimpl
def teleservices_home_entry(context: sdk.HomeContext) -> sdk.HomeEntry:
    return sdk.HomeEntry(
        code=CODE,
        label="Bourses",
        description="Faire une demande de bourse.",
        url=url_for("services.bourses.index", child=context.student_id),
    )
