"""Hook implementations of the « Notes » téléservice: declaration, configuration, portal page,
home-page entry with the count of new grades, the grades importer and the plugin's migrations."""

from __future__ import annotations

from pathlib import Path

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

import teleservices.sdk as sdk
from teleservices_notes.demo import demo_rows
from teleservices_notes.forms import DEFAULTS, NotesSettingsForm
from teleservices_notes.grades import new_grades
from teleservices_notes.importer import IMPORTER
from teleservices_notes.publication import Publication
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
    summary = ""
    if context.student is not None:
        publication = Publication.for_student(
            context.settings, context.student.mef, context.student.division
        )
        count = new_grades(context.student, publication, sdk.today())
        summary = (
            ngettext(
                "%(num)d nouvelle note depuis 7 jours",
                "%(num)d nouvelles notes depuis 7 jours",
                count,
            )
            if count
            else _("Aucune nouvelle note depuis 7 jours")
        )
    return sdk.HomeEntry(
        code=CODE,
        label=_("Notes"),
        description=_("Consulter les notes et les moyennes."),
        url=url_for("services.notes.index", child=context.student_id),
        summary=summary,
    )


@sdk.hookimpl
def teleservices_importers() -> list[sdk.Importer]:
    return [IMPORTER]


@sdk.hookimpl
def teleservices_demo_rows(establishment: sdk.Establishment) -> dict[str, list[dict[str, str]]]:
    return demo_rows(establishment)


@sdk.hookimpl
def teleservices_migrations_dir() -> Path:
    return Path(__file__).parent / "migrations"
