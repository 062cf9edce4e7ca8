"""The tables of « Notes »: assessments (contrôles) and the grades of each student.

Both are owned by one establishment (``sdk.EstablishmentMixin``): the host scopes every query to
the current academy and, on PostgreSQL, adds the row-level security policy.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import teleservices.sdk as sdk

# Codes a teacher enters instead of a value: never counted in averages or class statistics.
GRADE_CODES = {
    "ABS": _l("Absent"),
    "DISP": _l("Dispensé"),
    "NN": _l("Non noté"),
    "NR": _l("Non rendu"),
}


class Assessment(sdk.EstablishmentMixin, sdk.db.Model):  # type: ignore[name-defined]
    """A contrôle: subject, label, date, coefficient, scale, entry and publication dates."""

    __tablename__ = "notes_assessments"
    __table_args__ = (UniqueConstraint("establishment_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50))
    period: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    coefficient: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    scale: Mapped[int] = mapped_column(default=20)
    entered_on: Mapped[date] = mapped_column(Date)
    publication_on: Mapped[date] = mapped_column(Date)
    class_code: Mapped[str] = mapped_column(String(40), default="")


class Grade(sdk.EstablishmentMixin, sdk.db.Model):  # type: ignore[name-defined]
    """One student's grade in an assessment: a value on its scale, or a code (``GRADE_CODES``)."""

    __tablename__ = "notes_grades"
    __table_args__ = (UniqueConstraint("assessment_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("notes_assessments.id", ondelete="CASCADE")
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), nullable=True)
    code: Mapped[str] = mapped_column(String(4), default="")
