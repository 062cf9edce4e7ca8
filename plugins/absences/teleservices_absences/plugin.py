"""Hook implementations of the « Absences » téléservice."""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import gettext as _

import teleservices.sdk as sdk
from teleservices_absences import models  # noqa: F401 - the table, for the metadata
from teleservices_absences.demo import demo_rows
from teleservices_absences.forms import DEFAULTS, AbsencesSettingsForm
from teleservices_absences.importer import IMPORTER
from teleservices_absences.views import absences_this_week, bp, shown_kinds, week_summary

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
    summary = ""
    if context.student_id is not None and "absence" in shown_kinds(context.settings):
        count = absences_this_week(context.student_id, context.establishment.id, sdk.today())
        summary = week_summary(count)
    return sdk.HomeEntry(
        code=CODE,
        label=_("Absences"),
        description=_("Consulter les absences et les retards."),
        url=url_for("services.absences.index", child=context.student_id),
        summary=summary,
    )


@sdk.hookimpl
def teleservices_importers() -> list[sdk.Importer]:
    return [IMPORTER]


@sdk.hookimpl
def teleservices_migrations_dir() -> Path:
    return Path(__file__).parent / "migrations"


@sdk.hookimpl
def teleservices_demo_rows(establishment: sdk.Establishment) -> dict[str, list[dict[str, str]]]:
    return demo_rows(establishment)
