"""A student's visible grades with the class statistics of each contrôle (two queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select

import teleservices.sdk as sdk
from teleservices_notes.averages import Mark
from teleservices_notes.models import GRADE_CODES, Assessment, Grade
from teleservices_notes.publication import FIL_DE_L_EAU, Publication

PERIOD_ORDER = ("T1", "T2", "T3", "S1", "S2")


@dataclass(frozen=True)
class ClassStats:
    average: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None


@dataclass(frozen=True)
class Line:
    """One line of « Les notes : liste des notes »."""

    period: str
    subject: str
    label: str
    held_on: date
    value: Decimal | None
    code: str
    scale: int
    coefficient: Decimal
    stats: ClassStats

    @property
    def code_label(self) -> str:
        return str(GRADE_CODES.get(self.code, ""))

    @property
    def mark(self) -> Mark:
        return Mark(self.subject, self.held_on, self.value, self.scale, self.coefficient)


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def visible_lines(student: sdk.PortalChild, publication: Publication, today: date) -> list[Line]:
    """Every grade the student's establishment gave them that families may see today (a student
    who moved keeps the same id: the former establishment's grades stay there), by subject then
    date."""
    rows = sdk.db.session.execute(
        select(Assessment, Grade.value, Grade.code)
        .join(Grade, Grade.assessment_id == Assessment.id)
        .where(Grade.student_id == student.id, Grade.establishment_id == student.establishment_id)
    ).all()
    shown = [
        (assessment, value, code)
        for assessment, value, code in rows
        if publication.is_visible(assessment.entered_on, assessment.publication_on, today)
    ]
    stats = _class_stats([assessment.id for assessment, _, _ in shown])
    lines = [
        Line(
            a.period,
            a.subject,
            a.label,
            a.held_on,
            value,
            code,
            a.scale,
            a.coefficient,
            stats.get(a.id, ClassStats()),
        )
        for a, value, code in shown
    ]
    return sorted(lines, key=lambda line: (line.subject.casefold(), line.held_on, line.label))


def _class_stats(assessment_ids: list[int]) -> dict[int, ClassStats]:
    """Average, minimum and maximum of the valued grades of each (published) contrôle."""
    if not assessment_ids:
        return {}
    rows = sdk.db.session.execute(
        select(
            Grade.assessment_id, func.avg(Grade.value), func.min(Grade.value), func.max(Grade.value)
        )
        .where(Grade.assessment_id.in_(assessment_ids), Grade.value.is_not(None))
        .group_by(Grade.assessment_id)
    ).all()
    return {
        assessment_id: ClassStats(_decimal(avg), _decimal(low), _decimal(high))
        for assessment_id, avg, low, high in rows
    }


def periods_of(lines: list[Line]) -> list[str]:
    """The periods that have visible grades, in the school year's order."""
    present = {line.period for line in lines}
    return [p for p in PERIOD_ORDER if p in present]


def _between(column: Any, low: date | None, high: date) -> Any:
    return column <= high if low is None else and_(column > low, column <= high)


def new_grades(
    student: sdk.PortalChild, publication: Publication, today: date, days: int = 7
) -> int:
    """How many grades became visible during the last ``days`` days (the home summary): one
    ``COUNT`` over the entry or publication dates that lead to such a first day."""
    windows = publication.recent_windows(today, days)
    if not windows:
        return 0
    column = (
        Assessment.entered_on if publication.mode == FIL_DE_L_EAU else Assessment.publication_on
    )
    return int(
        sdk.db.session.scalar(
            select(func.count(Grade.id))
            .join(Assessment, Assessment.id == Grade.assessment_id)
            .where(
                Grade.student_id == student.id,
                Grade.establishment_id == student.establishment_id,
                or_(*(_between(column, low, high) for low, high in windows)),
            )
        )
        or 0
    )
