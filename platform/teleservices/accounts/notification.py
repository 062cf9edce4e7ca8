"""Notifying one account (ACC-3, NOT-3): ``notify(account, mode)``.

- Non notifié → Notifié with a new provisional password (8 characters, digits and lowercase
  letters), usable at once and kept only Fernet-encrypted until the first connection;
- Notifié stays Notifié and keeps its provisional password (the letter may be printed again);
- En cours d'activation → Notifié with a new provisional password (the chosen password, the
  address being confirmed and its links are dropped: the first connection is redone);
- Utilisé stays Utilisé: the notification only recalls the identifier, never with a password;
- Fermé cannot be notified.

When the mode includes e-mail and an address is known (the account's confirmed address, else the
one the school data give for the representative or the student), the credentials e-mail goes
through the outbox (``send_mail`` commits the session); otherwise the caller commits. Letters and
mass notification use the returned ``Notification``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from teleservices.accounts import emails
from teleservices.accounts.children import school_email
from teleservices.accounts.lifecycle import TransitionError, now_utc, transition
from teleservices.accounts.models import Account, AccountState, NotificationMode
from teleservices.security import secrets_box
from teleservices.security.passwords import new_provisional_password

EMAIL_MODES = frozenset({NotificationMode.EMAIL, NotificationMode.EMAIL_AND_LETTER})


@dataclass(frozen=True)
class Notification:
    """What a notification produced: the password to print (None for a used account) and the
    address the credentials e-mail was sent to (None when no e-mail went out)."""

    password: str | None
    emailed_to: str | None


def provisional_password(account: Account) -> str | None:
    """The account's provisional password in clear (for a letter), if it still has one."""
    if not account.provisional_password_encrypted:
        return None
    return secrets_box.decrypt(account.provisional_password_encrypted)


def notification_address(account: Account) -> str:
    """Where the credentials e-mail goes: the confirmed address, else the school data's."""
    if account.email and account.email_confirmed:
        return account.email
    return school_email(account)


def notify(account: Account, mode: NotificationMode, now: datetime | None = None) -> Notification:
    """Notify ``account`` by ``mode`` (see the module docstring for what each state gets).

    Runs inside the account's academy (``tenant(academy_id)``): the e-mail goes through its outbox.
    """
    now = now or now_utc()
    if account.state is AccountState.FERME:
        raise TransitionError(f"Le compte {account.identifier} est fermé.")
    password: str | None = None
    if account.state is AccountState.UTILISE:
        transition(account, AccountState.UTILISE, now)
    else:
        kept = provisional_password(account) if account.state is AccountState.NOTIFIE else None
        transition(account, AccountState.NOTIFIE, now)
        password = kept or new_provisional_password()
        account.provisional_password_encrypted = secrets_box.encrypt(password)
        account.password_hash = None
    account.notification_mode = mode
    address = notification_address(account) if mode in EMAIL_MODES else ""
    if not address:
        return Notification(password, None)
    emails.send_credentials(account, password, address)
    return Notification(password, address)
