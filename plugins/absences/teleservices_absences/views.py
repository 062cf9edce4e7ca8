"""Portal pages of « Absences »."""

from __future__ import annotations

from typing import Any

from flask import render_template

import teleservices.sdk as sdk

bp = sdk.portal_blueprint("absences", __name__)


def shown_kinds(settings: dict[str, Any]) -> list[str]:
    """The kinds of vie-scolaire events shown to families, in display order."""
    kinds = []
    if settings.get("show_absences"):
        kinds.append("Absences")
    if settings.get("show_lateness"):
        kinds.append("Retards")
    return kinds


@bp.get("/")
def index() -> str:
    """The student's absences and lateness (« Vie scolaire : absences et retards »)."""
    settings = sdk.current_settings()
    return render_template(
        "absences/index.html",
        establishment=sdk.current_establishment(),
        kinds=shown_kinds(settings),
    )
