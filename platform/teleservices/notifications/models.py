"""``LetterTemplate``: an establishment's own text for one letter kind (NOT-2).

At most one row per establishment and kind. ``header_html`` or ``body_html`` left ``None`` means
the default text of that part (``defaults``), so resetting a part clears it and an establishment
that never edited a letter has no row. Stored texts are already sanitised (``sanitizer.clean``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Enum, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.extensions import db
from teleservices.notifications.kinds import LetterKind
from teleservices.tenancy.models import EstablishmentMixin


class LetterTemplate(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """The header and body an establishment wrote for one letter kind."""

    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("establishment_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[LetterKind] = mapped_column(
        Enum(
            LetterKind,
            native_enum=False,
            length=40,
            values_callable=lambda members: [m.value for m in members],
        )
    )
    header_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    body_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    updated_by: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<LetterTemplate {self.establishment_id} {self.kind}>"


class MassNotification(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """A mass notification of an establishment's accounts (NOT-3, NOT-4), run as a job.

    ``account_ids`` is the selection in order; ``done_ids`` grows in the same commit as each
    account's notification (and its e-mail in the outbox), so a re-run after a crash skips what
    was done and sends no e-mail twice. The letters' PDF is written at the end from the stored
    state, kept until ``expires_at`` and then deleted by the sweep.
    """

    __tablename__ = "mass_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[str] = mapped_column(String(20))
    mode: Mapped[str] = mapped_column(String(20))
    reset_passwords: Mapped[bool] = mapped_column(default=False)
    account_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    done_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    skipped: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    emailed: Mapped[int] = mapped_column(default=0)
    letters: Mapped[int] = mapped_column(default=0)
    job_id: Mapped[str] = mapped_column(String(36), default="")
    pdf_path: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
