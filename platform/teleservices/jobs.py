"""Background jobs: the ``Job`` record, ``enqueue`` on RQ (or inline), and progress reports.

With ``REDIS_URL`` set, ``enqueue`` puts the job on the ``teleservices`` RQ queue and a worker
(``teleservices worker``) runs it; without it (embedded mode) the job runs inline at once. Either way
the same ``Job`` row is written and the same function (``run_job``) executes the body: inside an
application context and the tenant of the academy the job was enqueued for (DESIGN.md, request flow
point 4).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.extensions import db
from teleservices.tenancy.models import TenantMixin


class JobStatus(enum.StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": "En attente",
            "running": "En cours",
            "finished": "Terminé",
            "failed": "En échec",
        }[self.value]


class Job(TenantMixin, db.Model):  # type: ignore[name-defined]
    """One run of a background job of an academy (optionally of one establishment)."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    establishment_id: Mapped[int | None] = mapped_column(
        ForeignKey("establishments.id", ondelete="CASCADE"), index=True, nullable=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[JobStatus] = mapped_column(
        db.Enum(
            JobStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=JobStatus.QUEUED,
    )
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def __repr__(self) -> str:
        return f"<Job {self.name} {self.status}>"
