"""Configuration screen of « Notes »: the publication mode (§2.2)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

PUBLICATION_MODES = [
    ("fil_de_l_eau", "Au fil de l'eau (une note est visible le lendemain de sa saisie)"),
    ("echeance", "À échéance (les notes sont visibles à partir des dates de publication)"),
]


class NotesSettingsForm(FlaskForm):
    publication_mode = RadioField(
        "Mode de publication", choices=PUBLICATION_MODES, validators=[InputRequired()]
    )


DEFAULTS = {"publication_mode": "fil_de_l_eau"}
