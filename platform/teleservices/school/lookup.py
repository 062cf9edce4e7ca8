"""Read-only views of an establishment's school data that plugins get through the SDK."""

from __future__ import annotations

from sqlalchemy import select

from teleservices.extensions import db
from teleservices.school.models import Division, Mef, Student
from teleservices.tenancy.models import Establishment


def enrolled_students(establishment: Establishment) -> dict[str, int]:
    """ELEVE_ID (the key of the establishment's SIECLE base) → student id, students enrolled now."""
    rows = db.session.execute(
        select(Student.eleve_id, Student.id).where(
            Student.establishment_id == establishment.id, Student.left_at.is_(None)
        )
    ).all()
    return {eleve_id: student_id for eleve_id, student_id in rows}


def departed_students(establishment: Establishment) -> frozenset[str]:
    """ELEVE_IDs of the students who have left the establishment (an import skips their lines)."""
    rows = db.session.scalars(
        select(Student.eleve_id).where(
            Student.establishment_id == establishment.id, Student.left_at.is_not(None)
        )
    ).all()
    return frozenset(rows)


def mef_divisions(establishment: Establishment) -> list[tuple[str, str]]:
    """The (MEF code, division code) pairs of the establishment's enrolled students, sorted."""
    rows = db.session.execute(
        select(Mef.code, Division.code)
        .select_from(Student)
        .join(Mef, Mef.id == Student.mef_id)
        .join(Division, Division.id == Student.division_id)
        .where(Student.establishment_id == establishment.id, Student.left_at.is_(None))
        .distinct()
    ).all()
    return sorted((mef, division) for mef, division in rows)


def students_by_division(establishment: Establishment) -> dict[str, list[str]]:
    """Division code → the ELEVE_IDs of its enrolled students (sorted)."""
    rows = db.session.execute(
        select(Division.code, Student.eleve_id)
        .join(Student, Student.division_id == Division.id)
        .where(Student.establishment_id == establishment.id, Student.left_at.is_(None))
        .order_by(Division.code, Student.eleve_id)
    ).all()
    classes: dict[str, list[str]] = {}
    for division, eleve_id in rows:
        classes.setdefault(division, []).append(eleve_id)
    return classes
