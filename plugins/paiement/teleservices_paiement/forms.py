"""Configuration screen of « Paiement des factures » (ADM-3): PayFiP client, minimum, contact."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import DecimalField, EmailField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, NumberRange, Optional, Regexp


class EurosField(DecimalField):
    """An amount in euros, typed and shown with a decimal comma (« 2,50 »)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata([str(v).strip().replace(",", ".") for v in valuelist])

    def _value(self) -> str:
        return str(super()._value()).replace(".", ",")


class PaiementSettingsForm(FlaskForm):
    payfip_client = StringField(
        "Numéro de client PayFiP",
        description="Six chiffres, fournis par la DGFiP.",
        validators=[
            DataRequired(message="Le numéro de client PayFiP est obligatoire."),
            Regexp(r"^[0-9]{6}\Z", message="Le numéro de client PayFiP comporte six chiffres."),
        ],
    )
    minimum_amount = EurosField(
        "Montant minimum d'un paiement en ligne (en euros)",
        places=2,
        validators=[
            InputRequired(message="Le montant minimum est obligatoire."),
            NumberRange(min=1, message="Le montant minimum est d'au moins 1 €."),
        ],
    )
    contact_email = EmailField(
        "Adresse électronique de contact",
        validators=[Optional(), Email(message="Adresse électronique invalide.")],
    )


DEFAULTS: dict[str, Any] = {
    "payfip_client": "",
    "minimum_amount": Decimal("1.00"),
    "contact_email": "",
}
