"""Régimes (``CODE_REGIME``) grouped as mass-notification filters show them (NOT-3).

The grouping reads the first digit (FORMATS.md): 0–1 externe; 2 and 6 demi-pensionnaire (in or
out of the establishment); 3, 4 and 5 interne (including demi-interne 38, week-end 39, externé 4
and hébergé 5).
"""

from __future__ import annotations

import enum


class Regime(enum.StrEnum):
    """The three régime groups of the administration screens."""

    EXTERNE = "externe"
    DEMI_PENSIONNAIRE = "demi_pensionnaire"
    INTERNE = "interne"

    @property
    def label(self) -> str:
        return {
            "externe": "Externe",
            "demi_pensionnaire": "Demi-pensionnaire",
            "interne": "Interne",
        }[self.value]


_BY_FIRST_DIGIT = {
    "0": Regime.EXTERNE,
    "1": Regime.EXTERNE,
    "2": Regime.DEMI_PENSIONNAIRE,
    "6": Regime.DEMI_PENSIONNAIRE,
    "3": Regime.INTERNE,
    "4": Regime.INTERNE,
    "5": Regime.INTERNE,
}


def regime_of(code: str) -> Regime | None:
    """The group of a ``CODE_REGIME`` (``None`` when empty or unknown)."""
    return _BY_FIRST_DIGIT.get(code.strip()[:1])
