"""Accesses to the téléservices, counted per establishment, statistics category, day and kind of
account (PLG-1's ``stats_category``). The gate of the plugins' pages counts every page shown to a
family, except while staff simulate an account (nothing is written then)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.extensions import db
from teleservices.tenancy.models import Establishment, EstablishmentMixin


class ServiceAccess(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """How many pages of one statistics category one kind of account viewed on one day."""

    __tablename__ = "service_accesses"
    __table_args__ = (UniqueConstraint("establishment_id", "category", "day", "audience"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer, default=0)


def count_access(establishment: Establishment, category: str, audience: str, day: date) -> None:
    """Add one access (an atomic upsert: concurrent requests never lose a count)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ServiceAccess).values(
        academy_id=establishment.academy_id,
        establishment_id=establishment.id,
        category=category,
        day=day,
        audience=audience,
        count=1,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["establishment_id", "category", "day", "audience"],
        set_={"count": ServiceAccess.count + 1},
    )
    db.session.execute(statement)
