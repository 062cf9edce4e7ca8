"""School data models: MEFs, divisions, groups, subjects, students, representatives and links.

Text fields copied from SIECLE default to ``""`` (an absent element), dates to ``None``. Codes are
stored as SIECLE spells them (``CODE_REGIME``, ``CODE_PARENTE``…); ``regimes.py`` groups régimes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from teleservices.extensions import db
from teleservices.school.regimes import Regime, regime_of
from teleservices.tenancy.models import EstablishmentMixin, TenantMixin

# CODE_PARENTE of an adult student responsible for themself: student AND representative accounts.
SELF_RESPONSIBLE = "70"


class Mef(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """A MEF (training level, e.g. 3EME) of an establishment's nomenclature."""

    __tablename__ = "mefs"
    __table_args__ = (UniqueConstraint("establishment_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(11))
    label: Mapped[str] = mapped_column(String(100), default="")
    long_label: Mapped[str] = mapped_column(String(200), default="")
    edition_label: Mapped[str] = mapped_column(String(200), default="")
    mefstat: Mapped[str] = mapped_column(String(11), default="")

    @property
    def mefstat4(self) -> str:
        """The 4-character statistical level (e.g. 2116 = 3EME), used by statistics (STA-3)."""
        return self.mefstat[:4]

    def __repr__(self) -> str:
        return f"<Mef {self.code} {self.label}>"


class Division(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """A division: a class of an establishment (e.g. 3A)."""

    __tablename__ = "divisions"
    __table_args__ = (UniqueConstraint("establishment_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<Division {self.code}>"


class Group(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """A teaching group of an establishment (e.g. 3LATIN)."""

    __tablename__ = "teaching_groups"
    __table_args__ = (UniqueConstraint("establishment_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<Group {self.code}>"


class Subject(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """A subject (matière) of an establishment's nomenclature, keyed by its 6-digit code."""

    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("establishment_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6))
    management_code: Mapped[str] = mapped_column(String(20), default="")
    short_label: Mapped[str] = mapped_column(String(100), default="")
    long_label: Mapped[str] = mapped_column(String(200), default="")
    edition_label: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<Subject {self.code} {self.short_label}>"


class StudentGroup(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """Membership of a student in a teaching group (tenant-owned like every school table)."""

    __tablename__ = "student_groups"

    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("teaching_groups.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Student(TenantMixin, db.Model):  # type: ignore[name-defined]
    """A student of the academy, enrolled in one establishment (moves keep the row, DAT-2).

    ``eleve_id`` is the key of the establishment's SIECLE database and changes with a move; the
    INE is what recognises the same student in another establishment. ``left_at`` is set when the
    student left the establishment (``DATE_SORTIE`` reached, or absent from a later export).
    """

    __tablename__ = "students"
    __table_args__ = (
        UniqueConstraint("establishment_id", "eleve_id"),
        Index("ix_students_academy_id_ine", "academy_id", "ine"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("establishments.id", ondelete="CASCADE"), index=True
    )
    eleve_id: Mapped[str] = mapped_column(String(20))
    elenoet: Mapped[str] = mapped_column(String(20), default="")
    ine: Mapped[str] = mapped_column(String(20), default="")
    last_name: Mapped[str] = mapped_column(String(100))
    usage_name: Mapped[str] = mapped_column(String(100), default="")
    first_name: Mapped[str] = mapped_column(String(100))
    first_name_2: Mapped[str] = mapped_column(String(100), default="")
    first_name_3: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    birth_country_code: Mapped[str] = mapped_column(String(3), default="")
    birth_department_code: Mapped[str] = mapped_column(String(3), default="")
    birth_commune_code: Mapped[str] = mapped_column(String(5), default="")
    birth_city: Mapped[str] = mapped_column(String(100), default="")
    sex: Mapped[str] = mapped_column(String(1), default="")
    regime_code: Mapped[str] = mapped_column(String(2), default="")
    mef_id: Mapped[int | None] = mapped_column(
        ForeignKey("mefs.id", ondelete="SET NULL"), nullable=True, index=True
    )
    division_id: Mapped[int | None] = mapped_column(
        ForeignKey("divisions.id", ondelete="SET NULL"), nullable=True, index=True
    )
    email: Mapped[str] = mapped_column(String(320), default="")
    phone_home: Mapped[str] = mapped_column(String(30), default="")
    phone_mobile: Mapped[str] = mapped_column(String(30), default="")
    phone_work: Mapped[str] = mapped_column(String(30), default="")
    accepts_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    entry_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    exit_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    left_at: Mapped[date | None] = mapped_column(Date, nullable=True)

    mef: Mapped[Mef | None] = relationship()
    division: Mapped[Division | None] = relationship()
    groups: Mapped[list[Group]] = relationship(
        secondary="student_groups", viewonly=True, order_by="Group.code"
    )
    representative_links: Mapped[list[StudentRepresentative]] = relationship(
        back_populates="student", viewonly=True
    )

    @property
    def name(self) -> str:
        """The name in use: the usage name when there is one, else the family name."""
        return self.usage_name or self.last_name

    @property
    def regime(self) -> Regime | None:
        return regime_of(self.regime_code)

    def __repr__(self) -> str:
        return f"<Student {self.eleve_id} {self.first_name} {self.name}>"


class Representative(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """A person of an establishment's SIECLE ``PERSONNES`` (a parent, guardian or contact)."""

    __tablename__ = "representatives"
    __table_args__ = (UniqueConstraint("establishment_id", "personne_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    personne_id: Mapped[str] = mapped_column(String(20))
    civility: Mapped[str] = mapped_column(String(10), default="")
    last_name: Mapped[str] = mapped_column(String(100))
    usage_name: Mapped[str] = mapped_column(String(100), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    profession_code: Mapped[str] = mapped_column(String(4), default="")
    phone_home: Mapped[str] = mapped_column(String(30), default="")
    phone_mobile: Mapped[str] = mapped_column(String(30), default="")
    phone_work: Mapped[str] = mapped_column(String(30), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    accepts_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    shares_address: Mapped[bool] = mapped_column(Boolean, default=False)
    address_line_1: Mapped[str] = mapped_column(String(100), default="")
    address_line_2: Mapped[str] = mapped_column(String(100), default="")
    address_line_3: Mapped[str] = mapped_column(String(100), default="")
    address_line_4: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(100), default="")

    student_links: Mapped[list[StudentRepresentative]] = relationship(
        back_populates="representative", viewonly=True
    )

    @property
    def name(self) -> str:
        """The name in use: the usage name when there is one, else the family name."""
        return self.usage_name or self.last_name

    def __repr__(self) -> str:
        return f"<Representative {self.personne_id} {self.first_name} {self.name}>"


class StudentRepresentative(EstablishmentMixin, db.Model):  # type: ignore[name-defined]
    """The link between a student and a person, as the establishment's export declares it.

    ``level`` is ``NIVEAU_RESPONSABILITE`` (1 legal representative, 2 person in charge,
    3 contact); old exports give ``RESP_LEGAL`` (1 or 2: legal, kept in ``legal_rank``; 0: contact).
    """

    __tablename__ = "student_representatives"
    __table_args__ = (UniqueConstraint("student_id", "representative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    representative_id: Mapped[int] = mapped_column(
        ForeignKey("representatives.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(default=1)
    legal_rank: Mapped[int | None] = mapped_column(nullable=True)
    relationship_code: Mapped[str] = mapped_column(String(2), default="")
    pays_school_fees: Mapped[bool] = mapped_column(Boolean, default=False)
    financially_responsible: Mapped[bool] = mapped_column(Boolean, default=False)
    payer: Mapped[bool] = mapped_column(Boolean, default=False)
    contact: Mapped[bool] = mapped_column(Boolean, default=False)

    student: Mapped[Student] = relationship(back_populates="representative_links")
    representative: Mapped[Representative] = relationship(back_populates="student_links")

    @hybrid_property
    def gives_account(self) -> bool:
        """Whether the person gets a representative account for this student (ACC-1): level-1
        representatives, and an adult student responsible for themself (``CODE_PARENTE`` 70)
        whatever the level written in the file."""
        return self.level == 1 or self.relationship_code == SELF_RESPONSIBLE

    @gives_account.inplace.expression
    @classmethod
    def _gives_account_expression(cls) -> ColumnElement[bool]:
        return or_(cls.level == 1, cls.relationship_code == SELF_RESPONSIBLE)
