"""« Regrouper des comptes » (ACC-9): one representative account for every child of the family.

From a used representative account, the family proves it holds another account of the academy
(its identifier and password; with the child's birth date when that password is still the
provisional one of a letter). ``merge`` then moves the other account's children onto the main one
and closes the other (Fermé), in the caller's single transaction. Merging the accounts of both
representatives of a child gives a compte joint: both (representative, student) pairs stay.

Rules: a student account is never merged (on either side), an account is not merged with itself,
and the other account must be of the same academy: the tenant-scoped look-up cannot find another
academy's identifier, which is then "not recognised" like any wrong credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import update

from teleservices.accounts.authentication import authenticate
from teleservices.accounts.children import Child, children_of
from teleservices.accounts.lifecycle import now_utc, transition
from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
from teleservices.extensions import db


class MergeError(ValueError):
    """The merge cannot be done; the message is for the family."""

    def __init__(self, message: str, *, counts_as_failure: bool = False) -> None:
        super().__init__(message)
        self.counts_as_failure = counts_as_failure


def _bad_credentials() -> MergeError:
    return MergeError(
        _("Identifiant, mot de passe ou date de naissance incorrect."), counts_as_failure=True
    )


def check_main(account: Account) -> None:
    """Refuse a main account that cannot receive other accounts."""
    if account.kind is not AccountKind.REPRESENTATIVE or account.state is not AccountState.UTILISE:
        raise MergeError(_("Un compte élève ne peut pas être regroupé avec un autre compte."))


def other_account(
    main: Account, identifier: str, password: str, birth_date: date | None
) -> Account:
    """The account these credentials prove, checked for a merge into ``main``."""
    check_main(main)
    other = authenticate(identifier, password)
    if other is None:
        raise _bad_credentials()
    if other.state is AccountState.NOTIFIE and not _birth_date_matches(other, birth_date):
        raise _bad_credentials()
    if other.id == main.id:
        raise MergeError(_("Vous ne pouvez pas regrouper votre compte avec lui-même."))
    if other.kind is AccountKind.STUDENT:
        raise MergeError(_("Un compte élève ne peut pas être regroupé avec un autre compte."))
    return other


def _birth_date_matches(account: Account, birth_date: date | None) -> bool:
    return birth_date is not None and any(
        child.birth_date == birth_date for child in children_of(account)
    )


@dataclass(frozen=True)
class MergePreview:
    """What the confirmation screen lists before the family validates."""

    main_children: list[Child]
    other_children: list[Child]


def preview(main: Account, other: Account) -> MergePreview:
    return MergePreview(children_of(main), children_of(other))


def merge(main: Account, other: Account, now: datetime | None = None) -> int:
    """Move ``other``'s children onto ``main`` and close ``other``; return how many moved.

    The caller commits (one transaction): the closed account's sessions, links and provisional
    password are gone with the transition to Fermé.
    """
    check_main(main)
    if other.id == main.id or other.kind is AccountKind.STUDENT:
        raise MergeError(_("Ce compte ne peut pas être regroupé."))
    moved = len(
        db.session.scalars(
            update(AccountChild)
            .where(AccountChild.account_id == other.id)
            .values(account_id=main.id)
            .returning(AccountChild.id)
            .execution_options(synchronize_session=False)
        ).all()
    )
    transition(other, AccountState.FERME, now or now_utc())
    db.session.expire(main, ["children"])
    db.session.expire(other, ["children"])
    return moved
