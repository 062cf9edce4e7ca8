"""Helpers of the « Absences » tests: import a CSV the way the host does, read the events back."""

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from teleservices_absences.models import AbsenceEvent

from teleservices.admin.audit import COMMAND_LINE
from teleservices.extensions import db
from teleservices.imports.reading import ImportRejected, read_csv
from teleservices.imports.service import run_import
from teleservices.school.models import Student
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment

COLLEGE = "0251711Z"
HEADER = "identifiant;eleve;type;debut;fin;motif;justifiee;traitee;motif_legitime"


@dataclass
class Absences:
    app: Any
    academy: Academy

    def establishment(self, uai: str = COLLEGE) -> Establishment:
        return db.session.execute(select(Establishment).filter_by(uai=uai)).scalar_one()

    def eleve_id(self, student_id: int) -> str:
        with self.app.app_context(), tenant(self.academy.id):
            return db.session.get(Student, student_id).eleve_id

    def run(self, data: str | bytes, uai: str = COLLEGE) -> tuple[Any, list[str]]:
        """(report, errors) of importing ``data`` (a CSV text) through the host's service."""
        raw = data.encode() if isinstance(data, str) else data
        with self.app.app_context(), tenant(self.academy.id):
            importer = self.app.extensions["teleservices_registry"].importers["absences"]
            try:
                rows = read_csv(importer, raw)
            except ImportRejected as exc:
                return None, list(exc.errors)
            report = run_import(importer, self.establishment(uai), rows, COMMAND_LINE)
            return report, list(report.errors)

    def csv(self, *lines: str) -> str:
        return "\n".join([HEADER, *lines]) + "\n"

    def load(self, *lines: str) -> Any:
        report, errors = self.run(self.csv(*lines))
        assert errors == []
        return report

    def events(self) -> list[tuple[Any, ...]]:
        with self.app.app_context(), tenant(self.academy.id):
            return [
                (
                    e.identifiant,
                    e.student_id,
                    e.kind,
                    e.start_at,
                    e.end_at,
                    e.reason,
                    e.justified,
                    e.processed,
                    e.legitimate_reason,
                )
                for e in db.session.scalars(select(AbsenceEvent).order_by(AbsenceEvent.identifiant))
            ]


@pytest.fixture
def absences(app, academy) -> Absences:
    return Absences(app, academy)
