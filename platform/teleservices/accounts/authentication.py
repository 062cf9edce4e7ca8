"""Checking an identifier and a password (ACC-2, ACC-4).

A Notifié account is checked against its provisional password (decrypted; letters may print it in
capitals, so the case is ignored), any later state against the argon2id hash of the chosen
password. Every attempt costs one argon2id verification, whether the identifier exists or not, so
that the response time does not tell which accounts exist. Non notifié and Fermé accounts never
log in.
"""

from __future__ import annotations

import functools
import hmac

from sqlalchemy import select

from teleservices.accounts.models import Account, AccountState
from teleservices.accounts.notification import provisional_password
from teleservices.extensions import db
from teleservices.security.passwords import hash_password, needs_rehash, verify_password

LOGIN_STATES = frozenset(
    {AccountState.NOTIFIE, AccountState.EN_COURS_ACTIVATION, AccountState.UTILISE}
)


def normalise_identifier(value: str) -> str:
    return value.strip().lower()


def find_account(identifier: str) -> Account | None:
    """The account of the current academy with this identifier (any state)."""
    identifier = normalise_identifier(identifier)
    if not identifier:
        return None
    return db.session.scalar(select(Account).where(Account.identifier == identifier))


def load_account(account_id: int) -> Account | None:
    """Flask-Login's loader for ``account:<id>:<nonce>`` (scoped to the request's academy)."""
    return db.session.scalar(select(Account).where(Account.id == account_id))


@functools.cache
def _dummy_hash() -> str:
    return hash_password("pas un vrai mot de passe 0")


def _provisional_matches(account: Account, password: str) -> bool:
    verify_password(_dummy_hash(), password)
    expected = provisional_password(account)
    return bool(expected) and hmac.compare_digest(
        str(expected).encode(), password.strip().lower().encode()
    )


def authenticate(identifier: str, password: str) -> Account | None:
    """The account these credentials open in the current academy, else None."""
    account = find_account(identifier)
    if account is None or account.state not in LOGIN_STATES or not password:
        verify_password(_dummy_hash(), password)
        return None
    if account.state is AccountState.NOTIFIE:
        return account if _provisional_matches(account, password) else None
    if not verify_password(account.password_hash, password):
        return None
    if account.password_hash and needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account
