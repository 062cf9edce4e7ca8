"""What the portal's home shows for the current child (POR-1), assembled in a handful of queries
whatever the number of children or téléservices: the children, the establishment's settings, the
states and settings of the téléservices, the academic services; then each open téléservice's
home-page entry from its plugin."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g

from teleservices import opening
from teleservices.accounts.models import Account
from teleservices.admin.establishment_settings import PortalSettings, get_establishment_settings
from teleservices.admin.offer import AcademicService, academic_services
from teleservices.declarations import HomeContext, HomeEntry
from teleservices.mounting import registry, viewer_audience
from teleservices.portal.children import ChildView


@dataclass(frozen=True)
class Home:
    settings: PortalSettings | None
    entries: list[HomeEntry]
    academic: list[AcademicService]


def entries_for(account: Account, view: ChildView) -> list[HomeEntry]:
    """The home-page entries of the téléservices open for this child and this kind of account."""
    reg = registry()
    states = opening.statuses(reg, view.establishment, g.academy)
    settings = opening.all_settings(reg, view.establishment)
    audience = viewer_audience(account.is_representative)
    entries = []
    for teleservice in reg.ordered():
        code = teleservice.code
        if not states[code].is_open or audience not in teleservice.audiences:
            continue
        context = HomeContext(view.establishment, settings[code], view.child.id, view.child)
        try:
            entry = reg.call_one(code, "teleservices_home_entry", context=context)
        except Exception:  # a broken plugin must not take the home page down
            current_app.logger.exception("home entry of %s failed", code)
            continue
        if isinstance(entry, HomeEntry):
            entries.append(entry)
    return entries


def home(account: Account, view: ChildView | None) -> Home:
    if view is None:
        return Home(None, [], academic_services())
    return Home(
        get_establishment_settings(view.establishment),
        entries_for(account, view),
        academic_services(),
    )
