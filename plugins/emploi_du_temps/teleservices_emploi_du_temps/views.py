"""Portal pages of « Emploi du temps »."""

from __future__ import annotations

from flask import render_template

import teleservices.sdk as sdk

bp = sdk.portal_blueprint("emploi_du_temps", __name__)


@bp.get("/")
def index() -> str:
    """The student's timetable for the configured number of weeks."""
    return render_template(
        "emploi_du_temps/index.html",
        establishment=sdk.current_establishment(),
        weeks=int(sdk.current_settings()["weeks"]),
    )
