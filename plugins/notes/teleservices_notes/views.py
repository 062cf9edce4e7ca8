"""Portal page of « Notes »: « Les notes : liste des notes » for one period, the student's
averages and the per-subject trend across the year."""

from __future__ import annotations

from flask import render_template, request

import teleservices.sdk as sdk
from teleservices_notes.averages import Mark, french, overall_average, subject_averages
from teleservices_notes.chart import trend
from teleservices_notes.grades import periods_of, visible_lines
from teleservices_notes.publication import ECHEANCE, Publication

bp = sdk.portal_blueprint("notes", __name__)


def publication_of(student: sdk.PortalChild) -> Publication:
    return Publication.for_student(sdk.current_settings(), student.mef, student.division)


@bp.get("/")
def index() -> str:
    """The grades of the chosen period (the latest one with grades by default)."""
    student = sdk.current_student()
    publication = publication_of(student)
    lines = visible_lines(student, publication, sdk.today())
    periods = periods_of(lines)
    asked = request.args.get("periode", "")
    period = asked if asked in periods else (periods[-1] if periods else "")
    shown = [line for line in lines if line.period == period]
    averages = subject_averages([line.mark for line in shown])
    by_subject: dict[str, list[Mark]] = {}
    for line in lines:
        by_subject.setdefault(line.subject, []).append(line.mark)
    trends = [t for s in sorted(by_subject, key=str.casefold) if (t := trend(s, by_subject[s]))]
    return render_template(
        "notes/index.html",
        student=student,
        periods=periods,
        period=period,
        lines=shown,
        averages=averages,
        overall=overall_average(averages),
        trends=trends,
        by_deadline=publication.mode == ECHEANCE,
        french=french,
    )
