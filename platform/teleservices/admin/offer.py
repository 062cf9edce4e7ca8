"""The offer of téléservices above the establishments (TEN-1, TEN-4, §1.1, §1.2.4).

``NationalAvailability`` is the platform administrator's switch per téléservice code (not
tenant-owned): a code switched off is closed in every academy. ``ExperimentalTeleservice`` is an
academy's experiment: the téléservice is offered only to the listed establishments and closed
everywhere else. ``AcademicService`` is a link (label + http(s) URL) the academy shows on the
portals of all its establishments. ``opening`` applies the first two rules; ``offer_rules`` loads
both with one query. The portal reads the academic services as plain ``AcademicLink`` values
(``academic_links``), which its per-academy cache may keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    String,
    UniqueConstraint,
    cast,
    false,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.extensions import db
from teleservices.tenancy.models import TenantMixin

NATIONALLY_DISABLED_REASON = "Téléservice désactivé au niveau national"
EXPERIMENTAL_REASON = "Téléservice expérimental non proposé à cet établissement"


class NationalAvailability(db.Model):  # type: ignore[name-defined]
    """Whether a téléservice is offered nationally (a missing row means it is)."""

    __tablename__ = "national_availability"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class ExperimentalTeleservice(TenantMixin, db.Model):  # type: ignore[name-defined]
    """A téléservice the academy offers only to some of its establishments (§1.2.4)."""

    __tablename__ = "experimental_teleservices"
    __table_args__ = (UniqueConstraint("academy_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    establishment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class AcademicService(TenantMixin, db.Model):  # type: ignore[name-defined]
    """An academic service: a link shown on the portals of the academy's establishments (§1.1)."""

    __tablename__ = "academic_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


@dataclass(frozen=True)
class OfferRules:
    """The codes switched off nationally and the academy's experiments (code → establishment ids)."""

    nationally_disabled: frozenset[str] = frozenset()
    experiments: dict[str, frozenset[int]] = field(default_factory=dict)

    def excludes(self, code: str, establishment_id: int) -> str:
        """Why the téléservice is not offered to the establishment, or ``""`` when it is."""
        if code in self.nationally_disabled:
            return NATIONALLY_DISABLED_REASON
        listed = self.experiments.get(code)
        if listed is not None and establishment_id not in listed:
            return EXPERIMENTAL_REASON
        return ""


def offer_rules(academy_id: int) -> OfferRules:
    """Both rules of the academy in one query (a UNION of the two tables)."""
    statement = union_all(
        select(
            NationalAvailability.code,
            literal("national").label("kind"),
            cast(null(), JSON).label("ids"),
        ).where(NationalAvailability.enabled == false()),
        select(
            ExperimentalTeleservice.code,
            literal("experimental").label("kind"),
            ExperimentalTeleservice.establishment_ids,
        ).where(ExperimentalTeleservice.academy_id == academy_id),
    )
    disabled: set[str] = set()
    experiments: dict[str, frozenset[int]] = {}
    for code, kind, ids in db.session.execute(statement):
        if kind == "national":
            disabled.add(code)
        else:
            experiments[code] = frozenset(int(i) for i in ids or [])
    return OfferRules(frozenset(disabled), experiments)


def nationally_disabled() -> set[str]:
    """The codes the platform administrator switched off."""
    return set(
        db.session.execute(
            select(NationalAvailability.code).where(NationalAvailability.enabled == false())
        ).scalars()
    )


def experiments() -> dict[str, ExperimentalTeleservice]:
    """The current academy's experimental téléservices, by code."""
    rows = db.session.execute(
        select(ExperimentalTeleservice).order_by(ExperimentalTeleservice.code)
    ).scalars()
    return {row.code: row for row in rows}


def academic_services() -> list[AcademicService]:
    """The current academy's academic services, in creation order (what the portals show)."""
    return list(
        db.session.execute(
            select(AcademicService).order_by(AcademicService.created_at, AcademicService.id)
        ).scalars()
    )


@dataclass(frozen=True)
class AcademicLink:
    """An academic service as the portal shows it (read-only, detached from the ORM)."""

    label: str
    url: str


def academic_links() -> tuple[AcademicLink, ...]:
    """The current academy's academic services as portal links, in creation order (one query)."""
    rows = db.session.execute(
        select(AcademicService.label, AcademicService.url).order_by(
            AcademicService.created_at, AcademicService.id
        )
    )
    return tuple(AcademicLink(label, url) for label, url in rows)
