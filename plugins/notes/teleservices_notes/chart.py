"""The per-subject trend chart: a small server-rendered SVG of the student's grades on /20 across
the school year, with its text alternative (every point said in words)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from teleservices_notes.averages import Mark, french

WIDTH, HEIGHT, PAD = 320, 120, 24


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Trend:
    """One subject's chart: its points, the polyline and the sentence read by screen readers."""

    subject: str
    points: tuple[Point, ...]
    description: str

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> int:
        return HEIGHT

    def y_of(self, grade: int) -> float:
        return _y(float(grade))


def _y(on_twenty: float) -> float:
    return HEIGHT - PAD / 2 - (on_twenty / 20) * (HEIGHT - PAD)


def trend(subject: str, marks: Sequence[Mark]) -> Trend | None:
    """The chart of one subject's marks (by date), or None when fewer than two have a value."""
    valued = sorted((m for m in marks if m.on_twenty is not None), key=lambda m: m.held_on)
    if len(valued) < 2:
        return None
    step = (WIDTH - 2 * PAD) / (len(valued) - 1)
    points = []
    words = []
    for index, mark in enumerate(valued):
        on_twenty = mark.on_twenty
        assert on_twenty is not None
        label = _(
            "%(grade)s/20 le %(day)s", grade=french(on_twenty), day=f"{mark.held_on:%d/%m/%Y}"
        )
        points.append(Point(PAD + index * step, _y(float(on_twenty)), label))
        words.append(label)
    description = _(
        "Évolution des notes en %(subject)s (sur 20) : %(points)s.",
        subject=subject,
        points=", ".join(words),
    )
    return Trend(subject, tuple(points), description)
