"""Hook implementations of the « Fiche de renseignements » téléservice."""

from __future__ import annotations

from flask import url_for

import teleservices.sdk as sdk
from teleservices_fiche.forms import DEFAULTS, FicheSettingsForm
from teleservices_fiche.views import bp

CODE = "fiche"


@sdk.hookimpl
def teleservices_declare() -> sdk.Teleservice:
    return sdk.Teleservice(
        code=CODE,
        label="Fiche de renseignements",
        description="Vérifier et mettre à jour les renseignements de l'élève et de ses responsables.",
        audiences=frozenset({sdk.Audience.REPRESENTATIVES}),
        mandatory=sdk.ALWAYS,
        default_open=True,
        stats_category="Fiche de renseignements",
        mobile=True,
    )


@sdk.hookimpl
def teleservices_settings_form() -> sdk.SettingsForm:
    return sdk.SettingsForm(code=CODE, form_class=FicheSettingsForm, defaults=DEFAULTS)


@sdk.hookimpl
def teleservices_portal_pages() -> sdk.PortalPages:
    return sdk.PortalPages(code=CODE, blueprint=bp)


@sdk.hookimpl
def teleservices_home_entry(context: sdk.HomeContext) -> sdk.HomeEntry:
    return sdk.HomeEntry(
        code=CODE,
        label="Fiche de renseignements",
        description="Vérifier et mettre à jour les renseignements.",
        url=url_for("services.fiche.index", child=context.student_id),
    )
