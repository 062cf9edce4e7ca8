"""« Gérer son compte » (ACC-8): change the password with the current one, change the address.

A new password ends every other session of the account (new session nonce); the caller logs the
current one in again. A new address is recorded unconfirmed and a confirmation link is e-mailed to
it (``confirmation.send_link``): recovery by e-mail works again once the link is clicked.
"""

from __future__ import annotations

from teleservices import auth
from teleservices.accounts import confirmation
from teleservices.accounts.models import Account
from teleservices.security.passwords import hash_password, verify_password


def current_password_matches(account: Account, password: str) -> bool:
    return verify_password(account.password_hash, password)


def change_password(account: Account, new_password: str) -> None:
    """Set the chosen password and revoke every session (the caller re-opens its own, commits)."""
    account.password_hash = hash_password(new_password)
    auth.rotate_nonce(account)


def change_email(account: Account, email: str) -> None:
    """Record the new address, unconfirmed, and e-mail its confirmation link (commits)."""
    confirmation.send_link(account, email)
