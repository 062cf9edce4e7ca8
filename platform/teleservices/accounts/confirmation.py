"""Confirmation of an account's e-mail address (ACC-4): the link, and what clicking it does.

``send_link`` records the address as not confirmed and e-mails a single-use link valid 3 months
(a new link voids the previous one). ``confirm`` uses a link: the address is confirmed and a
representative's account waiting for it becomes Utilisé (« Création réussie »). A link whose
address is no longer the account's (corrected since) is void.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from teleservices.accounts import emails, tokens
from teleservices.accounts.lifecycle import now_utc, transition
from teleservices.accounts.models import Account, AccountState, TokenPurpose
from teleservices.accounts.tokens import LinkStatus


def send_link(account: Account, email: str, now: datetime | None = None) -> None:
    """Set the address to confirm and e-mail its link (``send_mail`` commits)."""
    account.email = email.strip().lower()
    account.email_confirmed = False
    token = tokens.issue(
        account, TokenPurpose.EMAIL_CONFIRMATION, email=account.email, now=now or now_utc()
    )
    emails.send_confirmation(account, token, account.email)


@dataclass(frozen=True)
class Confirmation:
    """The result of a click: the link's status, and whether it activated the account."""

    status: LinkStatus
    activated: bool = False
    account: Account | None = None


def confirm(token: str) -> Confirmation:
    """Use a confirmation link (the caller commits)."""
    now = now_utc()
    found = tokens.lookup(token, TokenPurpose.EMAIL_CONFIRMATION, now)
    row = found.row
    if found.status is not LinkStatus.VALID or row is None:
        return Confirmation(found.status)
    account = row.account
    if account.email != row.email or account.state not in (
        AccountState.EN_COURS_ACTIVATION,
        AccountState.UTILISE,
    ):
        return Confirmation(LinkStatus.UNKNOWN)
    if not tokens.claim(row, now):
        return Confirmation(LinkStatus.USED)
    account.email_confirmed = True
    activated = account.state is AccountState.EN_COURS_ACTIVATION
    if activated:
        transition(account, AccountState.UTILISE, now)
    return Confirmation(LinkStatus.VALID, activated, account)
