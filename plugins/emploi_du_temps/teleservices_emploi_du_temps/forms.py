"""Configuration screen of « Emploi du temps » (ADM-3): how many weeks families see."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

MIN_WEEKS = 1
MAX_WEEKS = 10


class EmploiDuTempsSettingsForm(FlaskForm):
    weeks = IntegerField(
        "Nombre de semaines affichées (dont la semaine en cours)",
        validators=[
            InputRequired(message="Le nombre de semaines est obligatoire."),
            NumberRange(
                min=MIN_WEEKS,
                max=MAX_WEEKS,
                message=f"Entre {MIN_WEEKS} et {MAX_WEEKS} semaines.",
            ),
        ],
    )


DEFAULTS: dict[str, Any] = {"weeks": 2}
