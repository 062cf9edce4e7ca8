"""Demonstration grades for ``teleservices demo``: for every division, three contrôles in five
subjects over the last weeks, on school days (one subject on another scale, a few codes), the
latest one entered on the last school day (today on a weekday: not published yet « au fil de
l'eau »)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import teleservices.sdk as sdk

SUBJECTS = (
    ("MATHEMATIQUES", 20, "2"),
    ("FRANCAIS", 20, "2"),
    ("HISTOIRE-GEOGRAPHIE", 20, "1"),
    ("ANGLAIS LV1", 20, "1"),
    ("SCIENCES VIE & TERRE", 16, "1"),
)
DAYS_AGO = (38, 17, 4, 0)
LABELS = ("Interrogation", "Devoir surveillé", "Exercices", "Contrôle")
CODES = ("ABS", "DISP", "NR")


def _school_day(day: date) -> date:
    """The day itself, or the Friday before when it falls on a week-end."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _period(day: date) -> str:
    return "T1" if day.month in (9, 10, 11) else "T2" if day.month in (12, 1, 2) else "T3"


def _grade(eleve: str, key: str, scale: int) -> str:
    draw = int(hashlib.sha256(f"{eleve}/{key}".encode()).hexdigest()[:8], 16)
    if draw % 31 == 0:
        return CODES[draw % len(CODES)]
    on_twenty = 7 + (draw % 27) / 2  # 7 to 20 by halves
    return f"{on_twenty * scale / 20:.1f}".replace(".", ",")


def demo_rows(establishment: sdk.Establishment) -> dict[str, list[dict[str, str]]]:
    today = sdk.today()
    rows = []
    for division, pupils in sdk.students_by_division(establishment).items():
        for number, (subject, scale, coefficient) in enumerate(SUBJECTS):
            for index, days in enumerate(DAYS_AGO):
                held = _school_day(today - timedelta(days=days + (number if days else 0)))
                key = f"{division}-{number}-{index}"
                for eleve in pupils:
                    rows.append(
                        {
                            "controle": key,
                            "periode": _period(held),
                            "matiere": subject,
                            "libelle": f"{LABELS[index]} {index + 1}",
                            "date": held.isoformat(),
                            "coefficient": coefficient,
                            "bareme": str(scale),
                            "saisie": held.isoformat(),
                            "classe": division,
                            "eleve": eleve,
                            "note": _grade(eleve, key, scale),
                        }
                    )
    return {"notes": rows}
