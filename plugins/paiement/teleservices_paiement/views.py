"""Portal pages of « Paiement des factures »."""

from __future__ import annotations

from decimal import Decimal

from flask import render_template

import teleservices.sdk as sdk

bp = sdk.portal_blueprint("paiement", __name__)

THOUSANDS_SEPARATOR = "\u202f"


def euros(amount: object) -> str:
    """An amount the French way: ``1 234,50 €`` (settings may hold a Decimal, a number or text)."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    units, cents = f"{value:,.2f}".split(".")
    return f"{units.replace(',', THOUSANDS_SEPARATOR)},{cents} €"


@bp.get("/")
def index() -> str:
    """The family's invoices, payable online from the minimum amount."""
    settings = sdk.current_settings()
    return render_template(
        "paiement/index.html",
        establishment=sdk.current_establishment(),
        settings=settings,
        minimum=euros(settings["minimum_amount"]),
    )
