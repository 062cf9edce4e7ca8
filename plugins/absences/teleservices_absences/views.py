"""Portal pages of « Absences »: the half-days per week of a month and the month's events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import render_template, request
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

import teleservices.sdk as sdk
from teleservices_absences.forms import DEFAULTS
from teleservices_absences.models import ABSENCE, LATENESS, AbsenceEvent
from teleservices_absences.weeks import (
    next_month,
    parse_month,
    school_year_months,
    week_counts,
    weeks_of_month,
)

bp = sdk.portal_blueprint("absences", __name__)
KIND_LABELS = {ABSENCE: _l("Absence"), LATENESS: _l("Retard")}
KIND_PLURALS = {ABSENCE: _l("Absences"), LATENESS: _l("Retards")}


def shown_kinds(settings: Mapping[str, Any]) -> list[str]:
    """The kinds of vie-scolaire events shown to families (``absence``, ``retard``)."""
    kinds = []
    if settings.get("show_absences", DEFAULTS["show_absences"]):
        kinds.append(ABSENCE)
    if settings.get("show_lateness", DEFAULTS["show_lateness"]):
        kinds.append(LATENESS)
    return kinds


def day_text(day: date) -> str:
    """« lun. 21/02/2011 » (« Mon 21/02/2011 » in English)."""
    return format_date(day, "EEE dd/MM/yyyy")


def month_label(month: date) -> str:
    """« février 2027 » (« February 2027 » in English)."""
    return format_date(month, "LLLL yyyy")


@dataclass(frozen=True)
class EventLine:
    """One line of the month's events, as shown."""

    day: str
    kind: str
    hours: str
    reason: str
    justified: bool
    legitimate_reason: bool
    pending: bool


def event_line(event: AbsenceEvent) -> EventLine:
    start, end = event.start_at, event.end_at
    if end is None or end == start:
        hours = _("à %(time)s", time=f"{start:%H:%M}")
    elif end.date() == start.date():
        hours = _("de %(start)s à %(end)s", start=f"{start:%H:%M}", end=f"{end:%H:%M}")
    else:
        hours = _(
            "du %(start)s au %(end)s",
            start=f"{start:%d/%m/%Y %H:%M}",
            end=f"{end:%d/%m/%Y %H:%M}",
        )
    return EventLine(
        day=day_text(start.date()),
        kind=str(KIND_LABELS.get(event.kind, event.kind)),
        hours=hours,
        reason=event.reason,
        justified=event.justified,
        legitimate_reason=event.legitimate_reason,
        pending=event.is_absence and not event.processed,
    )


def load_events(
    student_id: int, establishment_id: int, kinds: Sequence[str], low: datetime, high: datetime
) -> list[AbsenceEvent]:
    """The student's events of these kinds overlapping [low, high), in order."""
    if not kinds:
        return []
    return list(
        sdk.db.session.scalars(
            select(AbsenceEvent)
            .where(
                AbsenceEvent.student_id == student_id,
                AbsenceEvent.establishment_id == establishment_id,
                AbsenceEvent.kind.in_(kinds),
                AbsenceEvent.start_at < high,
                func.coalesce(AbsenceEvent.end_at, AbsenceEvent.start_at) >= low,
            )
            .order_by(AbsenceEvent.start_at, AbsenceEvent.id)
        )
    )


@bp.get("/")
def index() -> str:
    """The student's absences and lateness (« Vie scolaire : absences et retards »)."""
    settings = sdk.current_settings()
    establishment = sdk.current_establishment()
    student = sdk.current_student()
    kinds = shown_kinds(settings)
    now = sdk.today()
    month = parse_month(request.args.get("mois"), now)
    weeks = weeks_of_month(month)
    month_start = datetime.combine(month, time())
    month_end = datetime.combine(next_month(month), time())
    low = min(datetime.combine(weeks[0].monday, time()), month_start)
    high = max(datetime.combine(weeks[-1].saturday + timedelta(days=1), time()), month_end)
    events = load_events(student.id, establishment.id, kinds, low, high)
    counts = week_counts(
        weeks, [(e.start_at, e.end_at) for e in events if e.is_absence and e.processed]
    )
    month_events = [
        event_line(e)
        for e in events
        if e.start_at < month_end and (e.end_at or e.start_at) >= month_start
    ]
    return render_template(
        "absences/index.html",
        establishment=establishment,
        kinds=[str(KIND_PLURALS[kind]) for kind in kinds],
        show_absences=ABSENCE in kinds,
        months=[(m.strftime("%Y-%m"), month_label(m)) for m in school_year_months(now)],
        month=month.strftime("%Y-%m"),
        month_label=month_label(month),
        weeks=[(week, counts[week]) for week in weeks],
        events=month_events,
    )


def absences_this_week(student_id: int, establishment_id: int, now: date) -> int:
    """The student's absences starting in the current ISO week (one query)."""
    monday = datetime.combine(now - timedelta(days=now.weekday()), time())
    count = sdk.db.session.scalar(
        select(func.count(AbsenceEvent.id)).where(
            AbsenceEvent.student_id == student_id,
            AbsenceEvent.establishment_id == establishment_id,
            AbsenceEvent.kind == ABSENCE,
            AbsenceEvent.start_at >= monday,
            AbsenceEvent.start_at < monday + timedelta(days=7),
        )
    )
    return int(count or 0)


def week_summary(count: int) -> str:
    """« Aucune absence cette semaine », « 1 absence cette semaine », « 2 absences … »."""
    if count == 0:
        return _("Aucune absence cette semaine")
    return ngettext("%(num)d absence cette semaine", "%(num)d absences cette semaine", count)
