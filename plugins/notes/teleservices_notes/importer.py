"""Import of an establishment's grades: one CSV line (or JSON object) per student and contrôle.

Columns: ``controle`` (the contrôle's identifier in the grading software), ``periode`` (T1–T3 or
S1–S2, one system per file), ``matiere``, ``libelle``, ``date`` (of the contrôle), ``coefficient``
(default 1), ``bareme`` (default 20), ``saisie`` (entry date, default the contrôle's date),
``publication`` (the teacher's publication date, default the entry date), ``classe`` (division or
group), ``eleve`` (ELEVE_ID of SIECLE) and ``note`` (``12,5`` or a code: ABS, DISP, NN, NR).

The file is the establishment's complete list: contrôles missing from it are removed. Every line is
checked before anything is written; the host keeps nothing if one line is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, insert, select

import teleservices.sdk as sdk
from teleservices_notes.models import GRADE_CODES, Assessment, Grade

COLUMNS = (
    "controle",
    "periode",
    "matiere",
    "libelle",
    "date",
    "coefficient",
    "bareme",
    "saisie",
    "publication",
    "classe",
    "eleve",
    "note",
)
REQUIRED = ("controle", "periode", "matiere", "libelle", "date", "eleve", "note")
PERIOD_SYSTEMS = ({"T1", "T2", "T3"}, {"S1", "S2"})
ASSESSMENT_FIELDS = (
    "period",
    "subject",
    "label",
    "held_on",
    "coefficient",
    "scale",
    "entered_on",
    "publication_on",
    "class_code",
)


class RowError(ValueError):
    """A value of a line is wrong; the message says which and why."""


def parse_date(text: str, column: str) -> date:
    """``JJ/MM/AAAA`` or ``AAAA-MM-JJ``."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise RowError(f"« {column} » : date invalide « {text} » (JJ/MM/AAAA attendu)")


def parse_decimal(text: str, column: str) -> Decimal:
    """A decimal with a comma or a point (``12,5``)."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise RowError(f"« {column} » : nombre invalide « {text} »") from None
    if not value.is_finite():
        raise RowError(f"« {column} » : nombre invalide « {text} »")
    return value


@dataclass
class Parsed:
    """What the file holds: contrôles by identifier and grades by (contrôle, student)."""

    assessments: dict[str, dict[str, object]] = field(default_factory=dict)
    grades: dict[tuple[str, int], tuple[Decimal | None, str]] = field(default_factory=dict)
    periods: set[str] = field(default_factory=set)


def _assessment(values: dict[str, str]) -> dict[str, object]:
    period = values["periode"].upper()
    if not any(period in system for system in PERIOD_SYSTEMS):
        raise RowError(f"« periode » : « {values['periode']} » inconnue (T1, T2, T3, S1 ou S2)")
    held_on = parse_date(values["date"], "date")
    entered_on = parse_date(values["saisie"], "saisie") if values["saisie"] else held_on
    publication_on = (
        parse_date(values["publication"], "publication") if values["publication"] else entered_on
    )
    coefficient = parse_decimal(values["coefficient"] or "1", "coefficient")
    if not Decimal(0) <= coefficient <= Decimal(100):
        raise RowError("« coefficient » : entre 0 et 100 attendu")
    scale_text = values["bareme"] or "20"
    if not scale_text.isdigit() or not 1 <= int(scale_text) <= 100:
        raise RowError(f"« bareme » : entier entre 1 et 100 attendu, « {scale_text} » reçu")
    for column in ("matiere", "libelle"):
        if not values[column] or len(values[column]) > (100 if column == "matiere" else 200):
            raise RowError(f"« {column} » : vide ou trop long")
    return {
        "period": period,
        "subject": values["matiere"],
        "label": values["libelle"],
        "held_on": held_on,
        "coefficient": coefficient,
        "scale": int(scale_text),
        "entered_on": entered_on,
        "publication_on": publication_on,
        "class_code": values["classe"][:40],
    }


def _grade(text: str, scale: int) -> tuple[Decimal | None, str]:
    code = text.upper()
    if code in GRADE_CODES:
        return None, code
    value = parse_decimal(text, "note")
    if not Decimal(0) <= value <= scale:
        raise RowError(f"« note » : {text} hors du barème (0 à {scale})")
    return value.quantize(Decimal("0.01")), ""


def parse(rows: Sequence[sdk.ImportRow], students: dict[str, int]) -> tuple[Parsed, list[str]]:
    """Check every line; return what the file holds and the errors (``ligne N : raison``)."""
    parsed, errors = Parsed(), []
    for row in rows:
        values = dict(row.values)
        try:
            key = values["controle"]
            if not key or len(key) > 50:
                raise RowError("« controle » : identifiant vide ou trop long")
            assessment = _assessment(values)
            known = parsed.assessments.setdefault(key, assessment)
            if known != assessment:
                raise RowError(
                    f"le contrôle « {key} » est décrit autrement sur une ligne précédente"
                )
            student = students.get(values["eleve"])
            if student is None:
                raise RowError(
                    f"« eleve » : élève « {values['eleve']} » inconnu dans l'établissement"
                )
            if (key, student) in parsed.grades:
                raise RowError(
                    f"deux notes pour l'élève « {values['eleve']} » au contrôle « {key} »"
                )
            parsed.grades[(key, student)] = _grade(values["note"], int(str(assessment["scale"])))
            _check_period_system(parsed.periods, str(assessment["period"]))
        except RowError as exc:
            errors.append(f"{row.where} : {exc}")
    return parsed, errors


def _check_period_system(seen: set[str], period: str) -> None:
    """One file holds trimestres (T1–T3) or semestres (S1–S2), never both."""
    if seen and not any(seen | {period} <= system for system in PERIOD_SYSTEMS):
        raise RowError(
            f"« periode » : {period} alors que le fichier mélange trimestres (T1–T3) "
            "et semestres (S1–S2)"
        )
    seen.add(period)


def import_grades(
    establishment: sdk.Establishment, rows: Sequence[sdk.ImportRow]
) -> sdk.ImportReport:
    """Replace the establishment's contrôles and grades by the file's."""
    parsed, errors = parse(rows, sdk.enrolled_students(establishment))
    if errors:
        return sdk.ImportReport(errors=tuple(errors))
    session = sdk.db.session
    existing = {
        a.key: a
        for a in session.scalars(
            select(Assessment).where(Assessment.establishment_id == establishment.id)
        )
    }
    created = updated = 0
    for key, fields in parsed.assessments.items():
        assessment = existing.pop(key, None)
        if assessment is None:
            assessment = Assessment(
                academy_id=establishment.academy_id, establishment_id=establishment.id, key=key
            )
            session.add(assessment)
            created += 1
        elif any(getattr(assessment, name) != fields[name] for name in ASSESSMENT_FIELDS):
            updated += 1
        for name in ASSESSMENT_FIELDS:
            setattr(assessment, name, fields[name])
    for gone in existing.values():
        session.delete(gone)
    session.flush()
    ids = {
        key: assessment_id
        for key, assessment_id in session.execute(
            select(Assessment.key, Assessment.id).where(
                Assessment.establishment_id == establishment.id
            )
        )
    }
    session.execute(delete(Grade).where(Grade.establishment_id == establishment.id))
    if parsed.grades:
        session.execute(
            insert(Grade),
            [
                {
                    "academy_id": establishment.academy_id,
                    "establishment_id": establishment.id,
                    "assessment_id": ids[key],
                    "student_id": student,
                    "value": value,
                    "code": code,
                }
                for (key, student), (value, code) in parsed.grades.items()
            ],
        )
    return sdk.ImportReport(
        created=created,
        updated=updated,
        removed=len(existing),
        warnings=(f"{len(parsed.grades)} note(s) pour {len(parsed.assessments)} contrôle(s).",),
    )


IMPORTER = sdk.Importer(
    code="notes",
    description="Notes des contrôles",
    columns=COLUMNS,
    required=REQUIRED,
    run=import_grades,
    student_column="eleve",
)
