"""Hook implementations of the « Paiement des factures » téléservice."""

from __future__ import annotations

from flask import url_for

import teleservices.sdk as sdk
from teleservices_paiement.forms import DEFAULTS, PaiementSettingsForm
from teleservices_paiement.views import bp

CODE = "paiement"


@sdk.hookimpl
def teleservices_declare() -> sdk.Teleservice:
    return sdk.Teleservice(
        code=CODE,
        label="Paiement des factures",
        description="Payer en ligne les factures de l'établissement (cantine, internat, sorties).",
        audiences=frozenset({sdk.Audience.REPRESENTATIVES}),
        default_open=False,
        stats_category="Paiement",
        mobile=True,
    )


@sdk.hookimpl
def teleservices_settings_form() -> sdk.SettingsForm:
    return sdk.SettingsForm(code=CODE, form_class=PaiementSettingsForm, defaults=DEFAULTS)


@sdk.hookimpl
def teleservices_portal_pages() -> sdk.PortalPages:
    return sdk.PortalPages(code=CODE, blueprint=bp)


@sdk.hookimpl
def teleservices_home_entry(context: sdk.HomeContext) -> sdk.HomeEntry:
    return sdk.HomeEntry(
        code=CODE,
        label="Paiement des factures",
        description="Consulter et payer les factures en ligne.",
        url=url_for("services.paiement.index", child=context.student_id),
    )
