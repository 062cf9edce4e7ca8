"""The vie-scolaire events of « Absences »: one row per absence or lateness of a student, as the
establishment's vie-scolaire software exported it (``identifiant`` is that software's key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import teleservices.sdk as sdk

ABSENCE = "absence"
LATENESS = "retard"
KINDS = (ABSENCE, LATENESS)
IDENTIFIER_LENGTH = 64
REASON_LENGTH = 300


class AbsenceEvent(sdk.EstablishmentMixin, sdk.db.Model):  # type: ignore[name-defined]
    """An absence or a lateness; start and end are naive local (Europe/Paris) date-times."""

    __tablename__ = "absences_events"
    __table_args__ = (
        UniqueConstraint("establishment_id", "identifiant"),
        Index("ix_absences_events_student_id_start_at", "student_id", "start_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("students.id", ondelete="CASCADE"))
    identifiant: Mapped[str] = mapped_column(String(IDENTIFIER_LENGTH))
    kind: Mapped[str] = mapped_column(String(10))
    start_at: Mapped[datetime] = mapped_column(DateTime())
    end_at: Mapped[datetime | None] = mapped_column(DateTime(), nullable=True)
    reason: Mapped[str] = mapped_column(String(REASON_LENGTH), default="")
    justified: Mapped[bool] = mapped_column(Boolean, default=False)
    processed: Mapped[bool] = mapped_column(Boolean, default=False)
    legitimate_reason: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def is_absence(self) -> bool:
        return self.kind == ABSENCE
