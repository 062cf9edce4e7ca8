"""Averages of a student's grades: per subject with coefficients, grades on another scale brought
to /20, codes (absent, dispensé…) and zero coefficients left out; the overall average is the mean
of the subject averages. Pure functions, no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

TWENTY = Decimal(20)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Mark:
    """One visible grade of the student, as the averages see it."""

    subject: str
    held_on: date
    value: Decimal | None
    scale: int
    coefficient: Decimal

    @property
    def on_twenty(self) -> Decimal | None:
        if self.value is None:
            return None
        return self.value * TWENTY / Decimal(self.scale)


def rounded(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def subject_average(marks: Iterable[Mark]) -> Decimal | None:
    """The weighted average on /20 of one subject's marks, or None if none counts."""
    total = weight = Decimal(0)
    for mark in marks:
        on_twenty = mark.on_twenty
        if on_twenty is None or mark.coefficient == 0:
            continue
        total += on_twenty * mark.coefficient
        weight += mark.coefficient
    return rounded(total / weight) if weight else None


def subject_averages(marks: Sequence[Mark]) -> dict[str, Decimal | None]:
    """Each subject's average, subjects in alphabetical order."""
    by_subject: dict[str, list[Mark]] = {}
    for mark in marks:
        by_subject.setdefault(mark.subject, []).append(mark)
    return {s: subject_average(by_subject[s]) for s in sorted(by_subject, key=str.casefold)}


def overall_average(averages: dict[str, Decimal | None]) -> Decimal | None:
    """The mean of the subject averages that exist."""
    values = [v for v in averages.values() if v is not None]
    return rounded(sum(values, Decimal(0)) / len(values)) if values else None


def french(value: Decimal | None, places: int = 2) -> str:
    """``8,00`` — a decimal with the French comma (empty for None)."""
    if value is None:
        return ""
    return f"{value:.{places}f}".replace(".", ",")
