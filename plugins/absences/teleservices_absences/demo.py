"""Demonstration events for ``teleservices demo``: about one student in three has, over the last
weeks, a justified half-day absence, a late arrival and, this week, an absence still being
processed; dates are school days relative to today."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

import teleservices.sdk as sdk


def _school_day(day: date) -> date:
    """The day itself, or the Friday before when it falls on a week-end."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _draw(eleve: str) -> int:
    return int(hashlib.sha256(eleve.encode()).hexdigest()[:8], 16)


def _event(
    key: str, eleve: str, kind: str, day: date, hours: tuple[time, time], **state: str
) -> dict[str, str]:
    start, end = (datetime.combine(day, h).strftime("%d/%m/%Y %H:%M") for h in hours)
    return {
        "identifiant": key,
        "eleve": eleve,
        "type": kind,
        "debut": start,
        "fin": end,
        "motif": state.get("motif", ""),
        "justifiee": state.get("justifiee", "non"),
        "traitee": state.get("traitee", "oui"),
        "motif_legitime": state.get("motif_legitime", "non"),
    }


def demo_rows(establishment: sdk.Establishment) -> dict[str, list[dict[str, str]]]:
    today = sdk.today()
    rows = []
    for pupils in sdk.students_by_division(establishment).values():
        for eleve in pupils:
            draw = _draw(eleve)
            if draw % 3:
                continue
            ill = _school_day(today - timedelta(days=9 + draw % 12))
            rows.append(
                _event(
                    f"{eleve}-a",
                    eleve,
                    "absence",
                    ill,
                    (time(8), time(17)),
                    motif="Maladie",
                    justifiee="oui",
                    motif_legitime="oui",
                )
            )
            late = _school_day(today - timedelta(days=2 + draw % 20))
            rows.append(
                _event(
                    f"{eleve}-r", eleve, "retard", late, (time(8), time(8, 20)), motif="Transport"
                )
            )
            if draw % 2:
                recent = _school_day(today)
                rows.append(
                    _event(
                        f"{eleve}-b",
                        eleve,
                        "absence",
                        recent,
                        (time(13, 30), time(17)),
                        traitee="non",
                    )
                )
    return {"absences": rows}
