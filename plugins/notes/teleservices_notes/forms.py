"""Configuration screen of « Notes » (§2.2): the publication mode and, for « à échéance », the
publication dates per MEF and division (the « + » and « − » buttons add and remove a date)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, RadioField, SelectField
from wtforms.fields import DateField, FieldList, FormField
from wtforms.validators import InputRequired

import teleservices.sdk as sdk
from teleservices_notes.publication import ECHEANCE, FIL_DE_L_EAU, class_key

PUBLICATION_MODES = [
    (FIL_DE_L_EAU, "Au fil de l'eau (une note est visible le lendemain de sa saisie)"),
    (ECHEANCE, "À échéance (les notes sont visibles à partir des dates de publication)"),
]


class PublicationDateForm(Form):
    """One publication date of one MEF and division."""

    classe = SelectField("MEF et division", validators=[InputRequired()])
    date = DateField("Date de publication", validators=[InputRequired()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pairs = sdk.mef_divisions(sdk.current_establishment())
        self.classe.choices = [(class_key(m, d), f"{m} — {d}") for m, d in pairs]


class NotesSettingsForm(FlaskForm):
    publication_mode = RadioField(
        "Mode de publication", choices=PUBLICATION_MODES, validators=[InputRequired()]
    )
    publication_dates = FieldList(
        FormField(PublicationDateForm),
        label="Dates de publication (à échéance)",
        description=(
            "Une note est affichée à la première date de sa MEF et de sa division qui suit "
            "la date de publication fixée par l'enseignant."
        ),
    )


DEFAULTS: dict[str, Any] = {"publication_mode": FIL_DE_L_EAU, "publication_dates": []}
