"""The account deletions of ``teleservices sweep`` (ACC-5), across every academy, idempotent.

- A Notifié account not activated 3 months after its notification, and a representative's account
  still En cours d'activation 3 months after both its notification and its first connection, are
  deleted;
- a used account without login for a year (counted from its activation when it never logged in
  since) is deleted.

"Deleted" means back to Non notifié (``lifecycle.transition``): the row is reset to what
pre-creation makes — no password, no provisional password, no address, no dates, no pending link,
every session ended — and keeps its identifier and its children, so the establishment can notify
it again (a new provisional password) without a new identifier. Rows are handled in batches;
a second run finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from teleservices.accounts.lifecycle import ACTIVATION_MONTHS, IDLE_MONTHS, add_months, transition
from teleservices.accounts.models import Account, AccountState
from teleservices.extensions import db

BATCH_SIZE = 500
S = AccountState
Query = Select[Any]


def not_activated(now: datetime) -> Query:
    """Accounts notified more than 3 months ago and still not activated."""
    cutoff = add_months(now, -ACTIVATION_MONTHS)
    return select(Account).where(
        Account.notified_at < cutoff,
        or_(
            Account.state == S.NOTIFIE,
            and_(
                Account.state == S.EN_COURS_ACTIVATION,
                or_(Account.first_connection_at.is_(None), Account.first_connection_at < cutoff),
            ),
        ),
    )


def idle(now: datetime) -> Query:
    """Used accounts with no login for a year."""
    cutoff = add_months(now, -IDLE_MONTHS)
    return select(Account).where(
        Account.state == S.UTILISE,
        func.coalesce(Account.last_login_at, Account.activated_at) < cutoff,
    )


def _batches(statement: Query) -> Iterator[list[Account]]:
    while batch := list(db.session.scalars(statement.order_by(Account.id).limit(BATCH_SIZE))):
        yield batch


def _reset(statement: Query, now: datetime) -> int:
    count = 0
    for batch in _batches(statement):
        for account in batch:
            transition(account, S.NON_NOTIFIE, now)
        db.session.commit()
        count += len(batch)
    return count


def sweep_accounts(now: datetime) -> dict[str, int]:
    """The sweep step: reset expired accounts and return how many of each kind."""
    return {
        "non activés après 3 mois": _reset(not_activated(now), now),
        "inutilisés depuis un an": _reset(idle(now), now),
    }
