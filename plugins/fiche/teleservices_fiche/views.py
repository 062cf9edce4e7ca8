"""Portal pages of « Fiche de renseignements »."""

from __future__ import annotations

from flask import render_template

import teleservices.sdk as sdk

bp = sdk.portal_blueprint("fiche", __name__)


@bp.get("/")
def index() -> str:
    """The student's and representatives' data, to check and update."""
    return render_template(
        "fiche/index.html",
        establishment=sdk.current_establishment(),
        settings=sdk.current_settings(),
    )
