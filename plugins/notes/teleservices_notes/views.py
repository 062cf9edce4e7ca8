"""Portal pages of « Notes »."""

from __future__ import annotations

from flask import render_template

import teleservices.sdk as sdk

bp = sdk.portal_blueprint("notes", __name__)


@bp.get("/")
def index() -> str:
    """The list of grades (« Les notes : liste des notes »)."""
    return render_template(
        "notes/index.html",
        establishment=sdk.current_establishment(),
        settings=sdk.current_settings(),
    )
