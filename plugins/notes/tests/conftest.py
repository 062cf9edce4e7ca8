"""Fixtures of the « Notes » tests: classmates, CSV files and imports through the real command."""

from __future__ import annotations

import sys

import pytest
import time_machine
from sqlalchemy import func, select
from teleservices_notes.models import Assessment, Grade

from teleservices import opening
from teleservices.accounts.testing import make_family
from teleservices.extensions import db
from teleservices.school.models import Mef, Student
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

COLLEGE = "0251711Z"
HEADER = (
    "controle;periode;matiere;libelle;date;coefficient;bareme;saisie;publication;classe;eleve;note"
)


def eleve_id(app, academy, student_id):
    with app.app_context(), tenant(academy.id):
        return db.session.get(Student, student_id).eleve_id


def classmates(app, academy, count, uai=COLLEGE):
    """ELEVE_IDs of ``count`` other students of the same division."""
    names = ["BERNARD", "PETIT", "ROUX", "MOREAU"]
    ids = []
    for index in range(count):
        family = make_family(app, academy, uai=uai, last_name=names[index], first_name="Léa")
        ids.append(eleve_id(app, academy, family.student_id))
    return ids


def set_mef(app, academy, student_id, code="4EME", uai=COLLEGE):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).filter_by(uai=uai))
        mef = Mef(establishment_id=establishment.id, code=code, label=code)
        db.session.add(mef)
        db.session.flush()
        db.session.get(Student, student_id).mef_id = mef.id
        db.session.commit()


def save_settings(app, academy, values, uai=COLLEGE):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).filter_by(uai=uai))
        opening.save_settings(establishment, "notes", values)
        db.session.commit()


def write_csv(tmp_path, lines, header=HEADER, name="notes.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run_import(app, academy, path, uai=COLLEGE):
    return app.test_cli_runner().invoke(
        args=["import", "notes", "--academy", academy.code, "--uai", uai, str(path)]
    )


def counts(app, academy):
    with app.app_context(), tenant(academy.id):
        return (
            db.session.scalar(select(func.count(Assessment.id))),
            db.session.scalar(select(func.count(Grade.id))),
        )


@pytest.fixture
def nd():
    """These helpers (the tests run in importlib mode, where a sibling module cannot be imported)."""
    return sys.modules[__name__]


@pytest.fixture
def clock(request):
    """Travel to the test's ``@pytest.mark.now("…")`` before anything logs in (a session cookie
    signed in the future would be refused)."""
    marker = request.node.get_closest_marker("now")
    if marker is None:
        yield
        return
    with time_machine.travel(marker.args[0], tick=False):
        yield
