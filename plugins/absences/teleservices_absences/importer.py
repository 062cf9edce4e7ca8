"""The « absences » data import: the establishment's complete current list of vie-scolaire events.

Every row is checked first; one error anywhere and nothing is written (the host rolls back too).
Events whose ``identifiant`` is no longer in the file are removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

import teleservices.sdk as sdk
from teleservices_absences.models import (
    ABSENCE,
    IDENTIFIER_LENGTH,
    KINDS,
    REASON_LENGTH,
    AbsenceEvent,
)

COLUMNS = (
    "identifiant",
    "eleve",
    "type",
    "debut",
    "fin",
    "motif",
    "justifiee",
    "traitee",
    "motif_legitime",
)
REQUIRED = ("identifiant", "eleve", "type", "debut")
DATE_FORMATS = (
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
)
TRUE = frozenset({"oui", "1", "vrai", "true"})
FALSE = frozenset({"non", "0", "faux", "false", ""})
FIELDS = (
    "student_id",
    "kind",
    "start_at",
    "end_at",
    "reason",
    "justified",
    "processed",
    "legitimate_reason",
)


@dataclass(frozen=True)
class EventValues:
    """One checked row, ready to be written."""

    identifiant: str
    student_id: int
    kind: str
    start_at: datetime
    end_at: datetime | None
    reason: str
    justified: bool
    processed: bool
    legitimate_reason: bool


def parse_datetime(text: str) -> datetime | None:
    """« 14/02/2027 08:30 » or « 2027-02-14 08:30 » (seconds and a « T » allowed), else None."""
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    return None


def parse_boolean(text: str) -> bool | None:
    """oui/non, 1/0, vrai/faux (empty is non); None if unreadable."""
    value = text.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    return None


def check_row(row: sdk.ImportRow, students: dict[str, int]) -> tuple[EventValues | None, list[str]]:
    """The row's values, or the reasons it is refused (« ligne N : … »)."""
    values = row.values
    problems: list[str] = []
    identifiant = values.get("identifiant", "")
    if not identifiant:
        problems.append("identifiant vide")
    elif len(identifiant) > IDENTIFIER_LENGTH:
        problems.append(f"identifiant trop long ({IDENTIFIER_LENGTH} caractères au plus)")
    eleve = values.get("eleve", "")
    student_id = students.get(eleve)
    if not eleve:
        problems.append("eleve vide")
    elif student_id is None:
        problems.append(f"élève inconnu dans l'établissement : « {eleve} »")
    kind = values.get("type", "").lower()
    if kind not in KINDS:
        problems.append(f"type « {values.get('type', '')} » inconnu (absence ou retard)")
    start_at = parse_datetime(values.get("debut", ""))
    if start_at is None:
        problems.append(
            f"debut « {values.get('debut', '')} » illisible (JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM)"
        )
    end_text = values.get("fin", "")
    end_at = parse_datetime(end_text) if end_text else None
    if end_text and end_at is None:
        problems.append(f"fin « {end_text} » illisible (JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM)")
    elif not end_text and kind == ABSENCE:
        problems.append("fin vide (obligatoire pour une absence)")
    elif start_at is not None and end_at is not None and end_at < start_at:
        problems.append("fin antérieure au début")
    reason = values.get("motif", "")
    if len(reason) > REASON_LENGTH:
        problems.append(f"motif trop long ({REASON_LENGTH} caractères au plus)")
    flags: dict[str, bool] = {}
    for column in ("justifiee", "traitee", "motif_legitime"):
        flag = parse_boolean(values.get(column, ""))
        if flag is None:
            problems.append(f"{column} « {values.get(column, '')} » : oui ou non attendu")
        else:
            flags[column] = flag
    if problems:
        return None, [f"{row.where} : {problem}" for problem in problems]
    assert student_id is not None and start_at is not None
    return (
        EventValues(
            identifiant=identifiant,
            student_id=student_id,
            kind=kind,
            start_at=start_at,
            end_at=end_at,
            reason=reason,
            justified=flags["justifiee"],
            processed=flags["traitee"],
            legitimate_reason=flags["motif_legitime"],
        ),
        [],
    )


def check_rows(
    rows: Sequence[sdk.ImportRow], students: dict[str, int]
) -> tuple[list[EventValues], list[str]]:
    """Every row checked: the events, and every error (duplicates included)."""
    if not rows:
        return [], [
            "Le fichier ne contient aucun événement : il doit donner la liste complète des "
            "événements de l'établissement (un fichier vide les supprimerait tous)."
        ]
    events: list[EventValues] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    for row in rows:
        event, problems = check_row(row, students)
        errors.extend(problems)
        identifiant = row.values.get("identifiant", "")
        if identifiant in seen:
            errors.append(
                f"{row.where} : identifiant « {identifiant} » en double (déjà en {seen[identifiant]})"
            )
        elif identifiant:
            seen[identifiant] = row.where
        if event is not None:
            events.append(event)
    return events, errors


def run(establishment: sdk.Establishment, rows: Sequence[sdk.ImportRow]) -> sdk.ImportReport:
    """Replace the establishment's events by the file's: create, update, remove."""
    events, errors = check_rows(rows, sdk.enrolled_students(establishment))
    if errors:
        return sdk.ImportReport(errors=tuple(errors))
    existing = {
        event.identifiant: event
        for event in sdk.db.session.scalars(
            select(AbsenceEvent).where(AbsenceEvent.establishment_id == establishment.id)
        )
    }
    created = updated = 0
    for values in events:
        event = existing.pop(values.identifiant, None)
        if event is None:
            event = AbsenceEvent(
                academy_id=establishment.academy_id,
                establishment_id=establishment.id,
                identifiant=values.identifiant,
            )
            sdk.db.session.add(event)
            created += 1
        elif _differs(event, values):
            updated += 1
        for name in FIELDS:
            setattr(event, name, getattr(values, name))
    for event in existing.values():
        sdk.db.session.delete(event)
    sdk.db.session.flush()
    return sdk.ImportReport(created=created, updated=updated, removed=len(existing))


def _differs(event: AbsenceEvent, values: EventValues) -> bool:
    return any(getattr(event, name) != getattr(values, name) for name in FIELDS)


IMPORTER = sdk.Importer(
    code="absences",
    description="Événements de vie scolaire (absences et retards)",
    columns=COLUMNS,
    required=REQUIRED,
    run=run,
    student_column="eleve",
)
