"""When a grade becomes visible to families (§2.2 of the staff guide).

« Au fil de l'eau »: the day after the teacher entered it. « À échéance »: on the first publication
date set for the student's MEF and division that is on or after the teacher's publication date
(a contrôle published by the teacher on 13/12 is not shown at a 12/12 échéance, but at the next one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

FIL_DE_L_EAU = "fil_de_l_eau"
ECHEANCE = "echeance"


def class_key(mef: str, division: str) -> str:
    """The key of a MEF and division in the settings (``3EME|3A``)."""
    return f"{mef}|{division}"


@dataclass(frozen=True)
class Publication:
    """The publication rule in force for one student."""

    mode: str
    deadlines: tuple[date, ...] = ()

    @classmethod
    def for_student(cls, settings: Mapping[str, Any], mef: str, division: str) -> Publication:
        """The rule of the establishment's settings for a student of ``mef`` and ``division``."""
        mode = settings.get("publication_mode") or FIL_DE_L_EAU
        if mode != ECHEANCE:
            return cls(FIL_DE_L_EAU)
        wanted = class_key(mef, division)
        return cls(ECHEANCE, tuple(sorted(_deadlines(settings.get("publication_dates"), wanted))))

    def visible_from(self, entered_on: date, publication_on: date) -> date | None:
        """The first day the grade is shown, or None if no échéance covers it yet."""
        if self.mode == FIL_DE_L_EAU:
            return entered_on + timedelta(days=1)
        return next((d for d in self.deadlines if d >= publication_on), None)

    def recent_windows(self, today: date, days: int) -> list[tuple[date | None, date]]:
        """The ranges ``(low, high]`` of entry dates (« au fil de l'eau ») or of teacher's
        publication dates (« à échéance ») whose grades were first shown in the last ``days``
        days (``None``: no lower bound)."""
        first = today - timedelta(days=days - 1)
        if self.mode == FIL_DE_L_EAU:
            return [(first - timedelta(days=2), today - timedelta(days=1))]
        windows: list[tuple[date | None, date]] = []
        previous: date | None = None
        for deadline in self.deadlines:
            if first <= deadline <= today:
                windows.append((previous, deadline))
            previous = deadline
        return windows

    def is_visible(self, entered_on: date, publication_on: date, today: date) -> bool:
        first_day = self.visible_from(entered_on, publication_on)
        return first_day is not None and first_day <= today


def _deadlines(rows: Any, wanted: str) -> Iterable[date]:
    for row in rows if isinstance(rows, list) else []:
        if not isinstance(row, dict) or row.get("classe") != wanted:
            continue
        try:
            yield date.fromisoformat(str(row.get("date")))
        except ValueError:
            continue
