"""Pure date computations of « Absences »: the school year's months, the weeks of a month and the
half-days an event covers. No database, no request: unit-tested on their own.

A week is an ISO week seen from Monday to Saturday (schools are closed on Sundays); a half-day is a
morning (before 12:00) or an afternoon (from 12:00). Date-times are naive local (Paris) times.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

NOON = time(12, 0)
MORNING = "matin"
AFTERNOON = "après-midi"

HalfDay = tuple[date, str]


@dataclass(frozen=True)
class Week:
    """An ISO week, from its Monday to its Saturday."""

    number: int
    monday: date

    @property
    def saturday(self) -> date:
        return self.monday + timedelta(days=5)


def next_month(month: date) -> date:
    """The first day of the month after ``month``'s."""
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def school_year_months(today: date) -> list[date]:
    """The first days of the months of the school year (September → August) containing today."""
    start_year = today.year if today.month >= 9 else today.year - 1
    months = [date(start_year, 9, 1)]
    while len(months) < 12:
        months.append(next_month(months[-1]))
    return months


def parse_month(value: str | None, today: date) -> date:
    """The month asked for as ``AAAA-MM`` if it is one of the school year's, else today's month."""
    current = today.replace(day=1)
    if not value or len(value) != 7 or value[4] != "-":
        return current
    try:
        asked = date(int(value[:4]), int(value[5:]), 1)
    except ValueError:
        return current
    return asked if asked in school_year_months(today) else current


def weeks_of_month(month: date) -> list[Week]:
    """The ISO weeks whose Monday–Saturday overlaps the month of ``month``, in order."""
    first = month.replace(day=1)
    last = next_month(first) - timedelta(days=1)
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        if monday + timedelta(days=5) >= first:
            weeks.append(Week(monday.isocalendar()[1], monday))
        monday += timedelta(days=7)
    return weeks


def half_days(
    start: datetime, end: datetime | None, window: tuple[date, date] | None = None
) -> set[HalfDay]:
    """The half-days (Monday to Saturday) an event from ``start`` to ``end`` covers.

    The event covers a half-day when it overlaps it; an event with no duration (or no end) covers
    the half-day it starts in. ``window`` (first and last day, inclusive) limits the days looked at.
    """
    end = end if end is not None and end > start else start
    first, last = start.date(), end.date()
    if window is not None:
        first, last = max(first, window[0]), min(last, window[1])
    covered: set[HalfDay] = set()
    day = first
    while day <= last:
        if day.weekday() < 6:
            midnight = datetime.combine(day, time(0, 0))
            noon = datetime.combine(day, NOON)
            next_midnight = midnight + timedelta(days=1)
            if _overlaps(start, end, midnight, noon):
                covered.add((day, MORNING))
            if _overlaps(start, end, noon, next_midnight):
                covered.add((day, AFTERNOON))
        day += timedelta(days=1)
    return covered


def _overlaps(start: datetime, end: datetime, low: datetime, high: datetime) -> bool:
    if start == end:
        return low <= start < high
    return start < high and end > low


def week_counts(
    weeks: Iterable[Week], events: Iterable[tuple[datetime, datetime | None]]
) -> dict[Week, int]:
    """For each week, the number of its half-days covered by at least one of the events."""
    weeks = list(weeks)
    events = list(events)
    counts: dict[Week, int] = {}
    for week in weeks:
        covered: set[HalfDay] = set()
        for start, end in events:
            covered |= half_days(start, end, (week.monday, week.saturday))
        counts[week] = len(covered)
    return counts
