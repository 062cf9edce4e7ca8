"""Portal pages of « Bourses »."""

from __future__ import annotations

from flask import render_template

import teleservices.sdk as sdk

bp = sdk.portal_blueprint("bourses", __name__)

CAMPAIGNS_BY_TYPE = {
    "college": ("college",),
    "lycee": ("lycee",),
    "lp": ("lycee",),
    "erea": ("college", "lycee"),
}


def campaigns(establishment_type: str) -> tuple[str, ...]:
    """The bourse campaigns an establishment runs: ``college``, ``lycee`` or both."""
    return CAMPAIGNS_BY_TYPE.get(establishment_type, ("college", "lycee"))


@bp.get("/")
def index() -> str:
    """The bourse request pages of the establishment's campaigns."""
    establishment = sdk.current_establishment()
    return render_template(
        "bourses/index.html",
        establishment=establishment,
        settings=sdk.current_settings(),
        campaigns=campaigns(establishment.type.value),
    )
