"""The four kinds of notification letter (NOT-1) and which one an account gets.

A used account (state « Utilisé ») keeps its password: it gets a *continuité* letter, which
reminds the identifier and never shows a password. Every other account gets a *nouveau compte*
letter with its provisional password.
"""

from __future__ import annotations

import enum

from teleservices.accounts.models import Account, AccountKind, AccountState


class LetterKind(enum.StrEnum):
    """A letter kind: audience × new account or continuity of access."""

    REPRESENTATIVE_NEW = "representative_new"
    REPRESENTATIVE_CONTINUITY = "representative_continuity"
    STUDENT_NEW = "student_new"
    STUDENT_CONTINUITY = "student_continuity"

    @property
    def label(self) -> str:
        return {
            "representative_new": "Représentant légal — nouveau compte ou compte non activé",
            "representative_continuity": "Représentant légal — continuité d'accès",
            "student_new": "Élève — nouveau compte ou compte non activé",
            "student_continuity": "Élève — continuité d'accès",
        }[self.value]

    @property
    def for_student(self) -> bool:
        return self in (LetterKind.STUDENT_NEW, LetterKind.STUDENT_CONTINUITY)

    @property
    def shows_password(self) -> bool:
        """Whether the letter gives a provisional password (new-account letters only)."""
        return self in (LetterKind.REPRESENTATIVE_NEW, LetterKind.STUDENT_NEW)


def kind_for(account: Account) -> LetterKind:
    """The letter an account gets: continuity when it is used, a new-account letter otherwise."""
    used = account.state is AccountState.UTILISE
    if account.kind is AccountKind.STUDENT:
        return LetterKind.STUDENT_CONTINUITY if used else LetterKind.STUDENT_NEW
    return LetterKind.REPRESENTATIVE_CONTINUITY if used else LetterKind.REPRESENTATIVE_NEW
