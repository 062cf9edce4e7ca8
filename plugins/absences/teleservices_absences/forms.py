"""Configuration screen of « Absences »: which vie-scolaire events families see."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField


class AbsencesSettingsForm(FlaskForm):
    show_absences = BooleanField("Afficher les absences aux familles")
    show_lateness = BooleanField("Afficher les retards aux familles")


DEFAULTS: dict[str, Any] = {"show_absences": True, "show_lateness": True}
