"""« Écrire à plusieurs responsables » (NOT-6): one message, one separate e-mail to each selected
account with an address, all queued in the outbox by one job (one delivery job at the end)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from teleservices import mail
from teleservices.accounts.models import Account
from teleservices.accounts.notification import notification_address
from teleservices.extensions import db
from teleservices.jobs import report_progress
from teleservices.tenancy.context import current_academy_id


def send(account_ids: Sequence[int], subject: str, body: str) -> dict[str, Any]:
    """The job: e-mail each account's holder; accounts without an address are listed."""
    sent, skipped = 0, []
    accounts = {
        a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(account_ids)))
    }
    with mail.batch(current_academy_id()):
        for number, account_id in enumerate(account_ids, start=1):
            account = accounts.get(account_id)
            address = notification_address(account) if account is not None else ""
            if account is None or not address:
                skipped.append(account.identifier if account else str(account_id))
            else:
                mail.send_mail(address, subject, body)
                sent += 1
            if number % 100 == 0:
                report_progress(number, len(account_ids), "Envoi des courriels")
    report_progress(len(account_ids), len(account_ids), "Courriels mis en file d'envoi")
    return {"sent": sent, "skipped": skipped}
