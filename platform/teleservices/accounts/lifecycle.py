"""The account life cycle (ACC-3): the one ``transition`` function and its rules.

    Non notifié → Notifié → (representatives only) En cours d'activation → Utilisé
                                        └──────────── (students) ─────────────┘

Every transition is checked against ``ALLOWED`` and recorded on the row with its date:
``notified_at`` (Notifié, and a re-notification of a used account), ``first_connection_at`` (En
cours d'activation), ``activated_at`` (Utilisé), ``closed_at`` (Fermé). Logins are recorded by
``record_login`` (``last_login_at``). Going back to Non notifié (the sweep, ``expiry.py``) wipes
every credential, date and e-mail link: the row is then what pre-creation makes, the establishment
can notify it again, and the identifier and the children are kept.

The establishment may reset a used account's password (Utilisé → Notifié, ADM-5): the chosen
password, sessions and links are wiped and the first connection is redone with a new provisional one.

Credentials follow the state: a Notifié account has only its provisional password, kept encrypted
(``provisional_password_encrypted``, re-printable by the establishment) and no hash; from the first
connection on it has only the argon2id hash of the chosen password (the provisional one is wiped).
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

from sqlalchemy import delete

from teleservices import auth
from teleservices.accounts.models import Account, AccountKind, AccountState, AccountToken
from teleservices.extensions import db

S = AccountState

# ACC-5: a notified account not activated within 3 months, or a used account idle for 12, is
# reset; a confirmation link is valid as long as an account may wait for its activation.
ACTIVATION_MONTHS = 3
IDLE_MONTHS = 12

ALLOWED: dict[AccountState, frozenset[AccountState]] = {
    S.NON_NOTIFIE: frozenset({S.NOTIFIE, S.FERME}),
    S.NOTIFIE: frozenset({S.NOTIFIE, S.EN_COURS_ACTIVATION, S.UTILISE, S.NON_NOTIFIE, S.FERME}),
    S.EN_COURS_ACTIVATION: frozenset({S.NOTIFIE, S.UTILISE, S.NON_NOTIFIE, S.FERME}),
    S.UTILISE: frozenset({S.UTILISE, S.NOTIFIE, S.NON_NOTIFIE, S.FERME}),
    S.FERME: frozenset(),
}


class TransitionError(ValueError):
    """A transition the life cycle does not allow."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """A stored date as an aware UTC datetime (SQLite gives naive UTC values back)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` moved by whole calendar months (31 May + 1 month → 30 June); ``months`` may
    be negative."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def _check(account: Account, target: AccountState) -> None:
    if target not in ALLOWED[account.state]:
        raise TransitionError(
            f"Le compte {account.identifier} ne peut pas passer de l'état "
            f"« {account.state.label} » à l'état « {target.label} »."
        )
    student = account.kind is AccountKind.STUDENT
    if student and target is S.EN_COURS_ACTIVATION:
        raise TransitionError("Un compte élève n'a pas d'état « En cours d'activation ».")
    if not student and account.state is S.NOTIFIE and target is S.UTILISE:
        raise TransitionError(
            "Un compte de représentant légal est activé par la confirmation de son adresse mail."
        )


def _revoke_links(account: Account) -> None:
    db.session.execute(
        delete(AccountToken)
        .where(AccountToken.account_id == account.id)
        .execution_options(synchronize_session=False)
    )


def _wipe(account: Account) -> None:
    account.password_hash = None
    account.provisional_password_encrypted = None
    auth.rotate_nonce(account)
    _revoke_links(account)


def transition(account: Account, target: AccountState, now: datetime | None = None) -> None:
    """Move ``account`` to ``target`` (raising ``TransitionError`` when not allowed) and record it.

    The caller sets the new credentials (``notify``, first connection) and commits.
    """
    _check(account, target)
    now = now or now_utc()
    source = account.state
    if target is S.NOTIFIE:
        account.notified_at = now
        if source in (S.EN_COURS_ACTIVATION, S.UTILISE):
            # A new provisional password replaces the chosen one (a re-notification, or the
            # establishment's password reset of a used account): the first connection is redone.
            _wipe(account)
            account.email_confirmed = False
            account.first_connection_at = None
    elif target is S.EN_COURS_ACTIVATION:
        account.first_connection_at = now
        account.provisional_password_encrypted = None
    elif target is S.UTILISE:
        if source is S.UTILISE:
            account.notified_at = now
        else:
            account.activated_at = now
            account.provisional_password_encrypted = None
    elif target is S.NON_NOTIFIE:
        _wipe(account)
        account.email = ""
        account.email_confirmed = False
        account.notified_at = None
        account.notification_mode = None
        account.first_connection_at = None
        account.activated_at = None
        account.last_login_at = None
    elif target is S.FERME:
        _wipe(account)
        account.closed_at = now
    account.state = target


def record_login(account: Account, now: datetime | None = None) -> datetime | None:
    """Record a login of a used account; return the previous one ("Dernière connexion le …")."""
    previous = account.last_login_at
    account.last_login_at = now or now_utc()
    return previous
