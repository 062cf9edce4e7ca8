"""« Première connexion » (ACC-4): the chosen password, the address and the child's birth date.

The birth date is checked against the school data of the account's first child (for a student
account: the student). A representative's account then waits for the confirmation of the address
(En cours d'activation, ``confirmation.py`` sends the link); a student's account is used at once,
and the address it may give only serves self-service recovery once confirmed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from teleservices import auth
from teleservices.accounts import confirmation
from teleservices.accounts.children import Child
from teleservices.accounts.lifecycle import now_utc, transition
from teleservices.accounts.models import Account, AccountState
from teleservices.security.passwords import hash_password


class Outcome(enum.Enum):
    WRONG_BIRTH_DATE = "wrong_birth_date"
    AWAITING_CONFIRMATION = "awaiting_confirmation"
    ACTIVE = "active"


@dataclass(frozen=True)
class Answers:
    """What the « Première connexion » form gave."""

    password: str
    email: str
    birth_date: date


def complete(account: Account, child: Child | None, answers: Answers) -> Outcome:
    """Apply the first connection (commits when a confirmation e-mail is sent)."""
    if child is None or child.birth_date is None or child.birth_date != answers.birth_date:
        return Outcome.WRONG_BIRTH_DATE
    now = now_utc()
    account.password_hash = hash_password(answers.password)
    auth.rotate_nonce(account)
    email = answers.email.strip().lower()
    if account.is_representative:
        transition(account, AccountState.EN_COURS_ACTIVATION, now)
        confirmation.send_link(account, email, now)
        return Outcome.AWAITING_CONFIRMATION
    transition(account, AccountState.UTILISE, now)
    if email:
        confirmation.send_link(account, email, now)
    return Outcome.ACTIVE
