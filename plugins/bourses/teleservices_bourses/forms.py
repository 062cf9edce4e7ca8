"""Configuration screen of « Bourses » (ADM-3): the contact e-mails of the two campaigns."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import Email, Optional

INVALID_EMAIL = "Adresse électronique invalide."


class BoursesSettingsForm(FlaskForm):
    college_contact_email = EmailField(
        "Adresse électronique de contact de la bourse de collège",
        validators=[Optional(), Email(message=INVALID_EMAIL)],
    )
    lycee_contact_email = EmailField(
        "Adresse électronique de contact de la bourse de lycée (facultative)",
        description="Renseignée, elle ajoute un onglet « Nous contacter » à la bourse de lycée.",
        validators=[Optional(), Email(message=INVALID_EMAIL)],
    )


DEFAULTS: dict[str, Any] = {"college_contact_email": "", "lycee_contact_email": ""}
