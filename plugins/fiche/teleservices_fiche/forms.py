"""Configuration screen of « Fiche de renseignements »: the establishment's contact e-mail."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import Email, Optional


class FicheSettingsForm(FlaskForm):
    contact_email = EmailField(
        "Adresse électronique de contact",
        validators=[Optional(), Email(message="Adresse électronique invalide.")],
    )


DEFAULTS: dict[str, Any] = {"contact_email": ""}
