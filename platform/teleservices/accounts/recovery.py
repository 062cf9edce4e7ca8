"""Self-service recovery (ACC-6, ACC-7): forgotten identifier, forgotten password, reset link.

What a visitor learns is exactly what the family guide shows, no more:

- « identifiant oublié »: whether the address is confirmed on some used account (then an e-mail
  lists every identifier confirmed on it) or not (« Les informations associées à votre compte ne
  permettent pas de répondre à votre demande… »);
- « mot de passe oublié »: unknown identifier (also a Non notifié or closed account, which nobody
  holds a letter for), known but address not confirmed (any account not yet used, or a student
  who gave no address), or found: a request reference number is shown and the reset link goes to
  the confirmed address in an e-mail whose subject carries the number.

The reset link is single-use and valid 24 hours; the form asks the identifier again, and a reset
ends every session of the account.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from teleservices import auth
from teleservices.accounts import emails, tokens
from teleservices.accounts.authentication import find_account, normalise_identifier
from teleservices.accounts.lifecycle import now_utc
from teleservices.accounts.models import Account, AccountState, TokenPurpose
from teleservices.accounts.tokens import LinkStatus, Lookup
from teleservices.extensions import db
from teleservices.security.passwords import hash_password

UNKNOWN_STATES = frozenset({AccountState.NON_NOTIFIE, AccountState.FERME})


def confirmed_accounts(email: str) -> Sequence[Account]:
    """The used accounts of the current academy whose confirmed address is ``email``."""
    return db.session.scalars(
        select(Account)
        .where(
            Account.email == email.strip().lower(),
            Account.email_confirmed.is_(True),
            Account.state == AccountState.UTILISE,
        )
        .order_by(Account.identifier)
    ).all()


def forgotten_identifier(email: str) -> bool:
    """E-mail the identifiers confirmed on ``email``; False when there is none."""
    accounts = confirmed_accounts(email)
    if not accounts:
        return False
    emails.send_identifiers(email.strip().lower(), accounts)
    return True


class PasswordOutcome(enum.Enum):
    SENT = "sent"
    UNKNOWN = "unknown"
    NOT_CONFIRMED = "not_confirmed"


@dataclass(frozen=True)
class PasswordRequest:
    outcome: PasswordOutcome
    reference: str = ""


def forgotten_password(identifier: str) -> PasswordRequest:
    """Handle a « mot de passe oublié » request (sends the reset e-mail when found)."""
    account = find_account(identifier)
    if account is None or account.state in UNKNOWN_STATES:
        return PasswordRequest(PasswordOutcome.UNKNOWN)
    if account.state is not AccountState.UTILISE or not account.email_confirmed:
        return PasswordRequest(PasswordOutcome.NOT_CONFIRMED)
    reference = tokens.new_reference()
    token = tokens.issue(
        account, TokenPurpose.PASSWORD_RESET, email=account.email, reference=reference
    )
    emails.send_password_reset(account, token, reference, account.email)
    return PasswordRequest(PasswordOutcome.SENT, reference)


def reset_link(token: str) -> Lookup:
    """The reset link of ``token``; only a used account's link is usable."""
    found = tokens.lookup(token, TokenPurpose.PASSWORD_RESET)
    if found.row is not None and found.row.account.state is not AccountState.UTILISE:
        return Lookup(LinkStatus.UNKNOWN)
    return found


def identifier_matches(found: Lookup, identifier: str) -> bool:
    return found.row is not None and found.row.account.identifier == normalise_identifier(
        identifier
    )


def reset_password(found: Lookup, password: str) -> bool:
    """Set the new password with a valid link (used once); False if it was used meanwhile."""
    row = found.row
    if row is None or not tokens.claim(row, now_utc()):
        return False
    row.account.password_hash = hash_password(password)
    auth.rotate_nonce(row.account)
    return True
