"""UAI (national establishment identifier) validation: 7 digits and a check letter."""

from __future__ import annotations

import re

CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI_SHAPE = re.compile(r"^\d{7}[A-Z]$")


def check_letter(digits: str) -> str:
    """Return the check letter of the 7 digits of a UAI."""
    return CHECK_LETTERS[int(digits) % 23]


def is_valid_uai(value: str) -> bool:
    """Tell whether ``value`` is a UAI with a correct check letter (``0251711Z`` is)."""
    uai = value.strip().upper()
    return bool(_UAI_SHAPE.match(uai)) and uai[7] == check_letter(uai[:7])


def normalise_uai(value: str) -> str:
    """Return the UAI in canonical form or raise ``ValueError`` with a French message."""
    uai = value.strip().upper()
    if not _UAI_SHAPE.match(uai):
        raise ValueError(f"UAI « {value} » invalide : 7 chiffres suivis d'une lettre attendus.")
    expected = check_letter(uai[:7])
    if uai[7] != expected:
        raise ValueError(
            f"UAI « {value} » invalide : la lettre de contrôle devrait être « {expected} »."
        )
    return uai
