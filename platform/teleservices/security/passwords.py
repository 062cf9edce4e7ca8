"""Passwords: argon2id hashing, the chosen-password policy, provisional passwords.

Parameters (time_cost=2, memory_cost=19 MiB, parallelism=1) are OWASP's argon2id baseline, chosen
with ``bench/bench_argon2.py``: about 30 ms a verification, ~33 verifications/s per core here.
"""

from __future__ import annotations

import re
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1

hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)

PROVISIONAL_ALPHABET = string.ascii_lowercase + string.digits
PROVISIONAL_LENGTH = 8
MIN_LENGTH = 8
MAX_LENGTH = 14
POLICY_MESSAGE = (
    "Le mot de passe doit contenir de 8 à 14 caractères, dont au moins une lettre et un chiffre."
)
_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
_DIGIT = re.compile(r"\d")


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether ``password`` matches the hash (False for a missing or corrupt hash)."""
    if not password_hash:
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters (re-hash it at next login)."""
    return hasher.check_needs_rehash(password_hash)


def policy_errors(password: str) -> list[str]:
    """The chosen-password rule of the family guides: 8 to 14 characters, letters AND digits."""
    if (
        MIN_LENGTH <= len(password) <= MAX_LENGTH
        and _LETTER.search(password)
        and _DIGIT.search(password)
    ):
        return []
    return [POLICY_MESSAGE]


def new_provisional_password() -> str:
    """A provisional password: 8 characters, lowercase letters and digits, with at least one of each."""
    while True:
        candidate = "".join(secrets.choice(PROVISIONAL_ALPHABET) for _ in range(PROVISIONAL_LENGTH))
        if _DIGIT.search(candidate) and re.search(r"[a-z]", candidate):
            return candidate
