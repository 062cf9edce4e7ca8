"""Account identifiers (ACC-2): the ``prenom.nom`` normalisation rule and homonym numbering.

The rule, applied exactly: first given name (``PRENOM`` only) + "." + usage name if present, else
family name; lowercase; accents stripped (é→e, ç→c, ï→i…), œ→oe, æ→ae; apostrophes and spaces
removed; hyphens kept; only ``[a-z0-9.-]`` kept. Jean-Noël D'ALMEIDA, usage name MARTIN →
``jean-noel.martin``; Zoé DUVAL-ÉTIENNE → ``zoe.duval-etienne``; Chloé LE GOFF → ``chloe.legoff``.
A part that would start or end with a separator loses it, and an empty part becomes ``inconnu``.

Identifiers are unique in the academy across students and representatives: the first holder of a
stem gets it bare, the next ones the smallest free number (``jean.dupont1``, ``jean.dupont2``…).
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable, Sequence

from sqlalchemy import select

from teleservices.accounts.models import Account
from teleservices.extensions import db

_ALLOWED = frozenset(string.ascii_lowercase + string.digits + ".-")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})
EMPTY_PART = "inconnu"
MAX_STEM_LENGTH = 90
_QUERY_CHUNK = 5000


def normalise_part(value: str) -> str:
    """One side of an identifier: lowercase ASCII letters, digits, dots and hyphens only."""
    decomposed = unicodedata.normalize("NFKD", value.lower().translate(_LIGATURES))
    return "".join(c for c in decomposed if c in _ALLOWED).strip(".-")


def identifier_stem(first_name: str, last_name: str, usage_name: str = "") -> str:
    """``prenom.nom`` before homonym numbering (usage name wins over the family name)."""
    first = normalise_part(first_name) or EMPTY_PART
    name = normalise_part(usage_name) or normalise_part(last_name) or EMPTY_PART
    return f"{first}.{name}"[:MAX_STEM_LENGTH]


def identifier_base(identifier: str) -> str:
    """The identifier without trailing digits: shared by every possible homonym of a stem."""
    return identifier.rstrip(string.digits)


class IdentifierAllocator:
    """Hands out free identifiers for stems, given the identifiers already taken."""

    def __init__(self, taken: Iterable[str]) -> None:
        self._taken = set(taken)
        self._next: dict[str, int] = {}

    def allocate(self, stem: str) -> str:
        number = self._next.get(stem, 0)
        candidate = stem if number == 0 else f"{stem}{number}"
        while candidate in self._taken:
            number += 1
            candidate = f"{stem}{number}"
        self._taken.add(candidate)
        self._next[stem] = number + 1
        return candidate


def allocate_identifiers(stems: Sequence[str]) -> list[str]:
    """Free identifiers of the current academy for ``stems``, in order (one query per 5,000
    distinct stems: every taken identifier sharing a stem's base is loaded at once)."""
    bases = sorted({identifier_base(stem) for stem in stems})
    taken: list[str] = []
    for start in range(0, len(bases), _QUERY_CHUNK):
        chunk = bases[start : start + _QUERY_CHUNK]
        taken += db.session.scalars(
            select(Account.identifier).where(Account.identifier_base.in_(chunk))
        )
    allocator = IdentifierAllocator(taken)
    return [allocator.allocate(stem) for stem in stems]
