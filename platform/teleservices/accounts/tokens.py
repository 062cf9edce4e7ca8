"""Single-use links sent by e-mail: issue one, look one up, use it once.

A link carries a random token; only its SHA-256 is stored (``AccountToken``). Issuing a new link
for an account and a purpose cancels the unused earlier ones (a re-sent confirmation e-mail makes
the previous one void). Using a link is an atomic claim, so two clicks cannot both succeed.
E-mail confirmation links are valid 3 months (the activation delay), password reset links 24 hours.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from teleservices.accounts.lifecycle import ACTIVATION_MONTHS, add_months, as_utc, now_utc
from teleservices.accounts.models import Account, AccountToken, TokenPurpose
from teleservices.extensions import db
from teleservices.security.secrets_box import new_token, token_digest

RESET_VALIDITY = timedelta(hours=24)
REFERENCE_DIGITS = 13


class LinkStatus(enum.Enum):
    """What a presented link turned out to be."""

    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class Lookup:
    status: LinkStatus
    row: AccountToken | None = None


def _expiry(purpose: TokenPurpose, now: datetime) -> datetime:
    if purpose is TokenPurpose.EMAIL_CONFIRMATION:
        return add_months(now, ACTIVATION_MONTHS)
    return now + RESET_VALIDITY


def new_reference() -> str:
    """A request reference number (13 digits, like ``1425050579136`` in the family guide)."""
    return str(10 ** (REFERENCE_DIGITS - 1) + secrets.randbelow(9 * 10 ** (REFERENCE_DIGITS - 1)))


def issue(
    account: Account,
    purpose: TokenPurpose,
    *,
    email: str = "",
    reference: str = "",
    now: datetime | None = None,
) -> str:
    """Store a new link for ``account`` (the earlier unused ones are cancelled); return its token."""
    now = now or now_utc()
    db.session.execute(
        delete(AccountToken)
        .where(
            AccountToken.account_id == account.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .execution_options(synchronize_session=False)
    )
    token, digest = new_token()
    db.session.add(
        AccountToken(
            academy_id=account.academy_id,
            account_id=account.id,
            purpose=purpose,
            digest=digest,
            email=email,
            reference=reference,
            created_at=now,
            expires_at=_expiry(purpose, now),
        )
    )
    return token


def lookup(token: str, purpose: TokenPurpose, now: datetime | None = None) -> Lookup:
    """Find the link of ``token`` in the current academy and tell whether it can be used."""
    if not token or len(token) > 100:
        return Lookup(LinkStatus.UNKNOWN)
    row = db.session.scalar(
        select(AccountToken).where(
            AccountToken.digest == token_digest(token), AccountToken.purpose == purpose
        )
    )
    if row is None:
        return Lookup(LinkStatus.UNKNOWN)
    if row.used_at is not None:
        return Lookup(LinkStatus.USED, row)
    if as_utc(row.expires_at) <= (now or now_utc()):
        return Lookup(LinkStatus.EXPIRED, row)
    return Lookup(LinkStatus.VALID, row)


def claim(row: AccountToken, now: datetime | None = None) -> bool:
    """Mark the link used; False when another request used it first."""
    result = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=now or now_utc())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
