"""Mass notification in the background (NOT-3, NOT-4): the whole selection at once — all divisions
of an establishment — as one job that reports its progress.

Rules (staff guide §3.1, §4.1): notifying sets Notifié with its date and mode; re-notifying an « En
cours d'activation » account issues a new provisional password, other states keep theirs; a used
account's letter never shows a password — except for students when the staff asked to reset the
passwords of used accounts (paper only for students). E-mail mode needs an address: an account
without one is listed in the summary with the reason (in « e-mail + paper » it still gets its
letter).

Idempotence: each account id joins ``done_ids`` in the same transaction as its notification: the
chunk's commit, or the earlier commit of its e-mail in the outbox (``send_mail`` commits). A re-run
of a job killed midway skips the accounts done and sends no e-mail twice. The PDF is rendered at the end, by chunks of 100 letters on several cores
(``parallel``) merged with pypdf into one file (bounded memory), from the stored state: provisional
passwords are kept encrypted and re-printable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from flask import current_app
from pypdf import PdfWriter
from sqlalchemy import select

from teleservices import jobs, mail
from teleservices.accounts.lifecycle import TransitionError, now_utc, transition
from teleservices.accounts.models import Account, AccountState, NotificationMode
from teleservices.accounts.notification import notification_address, notify
from teleservices.extensions import db
from teleservices.notifications import parallel
from teleservices.notifications.models import MassNotification
from teleservices.notifications.recipients import letter_problem
from teleservices.notifications.selection import STUDENTS
from teleservices.tenancy.models import Establishment

CHUNK = 100
LETTERS_PER_PDF_CHUNK = 100  # WeasyPrint is fastest on documents of 50–100 letters
DEFAULT_RETENTION_HOURS = 48
MODES = {
    "email": NotificationMode.EMAIL,
    "paper": NotificationMode.LETTER,
    "email+paper": NotificationMode.EMAIL_AND_LETTER,
}
MODE_LABELS = {
    "email+paper": "Courrier électronique et courrier papier",
    "email": "Courrier électronique seul",
    "paper": "Courrier papier seul",
}
Progress = Callable[[int, int, str], None]


def retention() -> timedelta:
    hours = current_app.config.get("PDF_RETENTION_HOURS", DEFAULT_RETENTION_HOURS)
    return timedelta(hours=int(hours))


def create(
    establishment: Establishment,
    audience: str,
    mode: str,
    account_ids: Sequence[int],
    created_by: str,
    reset_passwords: bool = False,
) -> MassNotification:
    """Record a mass notification (the caller commits and starts it)."""
    if audience == STUDENTS:
        mode = "paper"
    if mode not in MODES:
        raise ValueError(f"Mode de notification inconnu : {mode}")
    notification = MassNotification(
        academy_id=establishment.academy_id,
        establishment_id=establishment.id,
        audience=audience,
        mode=mode,
        reset_passwords=reset_passwords and audience == STUDENTS,
        account_ids=list(account_ids),
        done_ids=[],
        skipped=[],
        created_by=created_by[:300],
    )
    db.session.add(notification)
    return notification


def start(notification: MassNotification) -> jobs.Job:
    """Run the notification as a job (RQ, or inline in embedded mode)."""
    db.session.commit()
    job = jobs.enqueue(
        run,
        notification.id,
        academy_id=notification.academy_id,
        establishment_id=notification.establishment_id,
        description=f"Notification en masse ({len(notification.account_ids)} comptes)",
    )
    notification.job_id = job.id
    db.session.commit()
    return job


def run(notification_id: int, progress: Progress | None = None) -> dict[str, Any]:
    """The job: notify what is left of the selection, then write the PDF (idempotent)."""
    notification = _load(notification_id)
    report = progress or jobs.report_progress
    total = len(notification.account_ids)
    done = set(notification.done_ids)
    todo = [i for i in notification.account_ids if i not in done]
    mode = MODES[notification.mode]
    with mail.batch(notification.academy_id):
        for start_at in range(0, len(todo), CHUNK):
            chunk = todo[start_at : start_at + CHUNK]
            accounts = {
                a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(chunk)))
            }
            for account_id in chunk:
                _notify_one(notification, accounts.get(account_id), account_id, mode)
            db.session.commit()  # the chunk's accounts and their done ids, together
            report(total - len(todo) + start_at + len(chunk), total, "Notification des comptes")
    notification = _load(notification_id)
    if mode is not NotificationMode.EMAIL:
        report(total, total, "Préparation du document PDF")
        notification.pdf_path = str(write_pdf(notification))
    notification.finished_at = now_utc()
    notification.expires_at = notification.finished_at + retention()
    db.session.commit()
    return summary(notification)


def _load(notification_id: int) -> MassNotification:
    notification = db.session.scalar(
        select(MassNotification).where(MassNotification.id == notification_id)
    )
    if notification is None:
        raise LookupError(f"Notification en masse {notification_id} introuvable.")
    return notification


def _skip(
    notification: MassNotification, identifier: str, reason: str, letter: bool = False
) -> None:
    entry = {"identifiant": identifier, "raison": reason, "courrier": "oui" if letter else "non"}
    notification.skipped = [*notification.skipped, entry]


def _notify_one(
    notification: MassNotification, account: Account | None, account_id: int, mode: NotificationMode
) -> None:
    """Notify one account; its id joins ``done_ids`` in the same commit (and e-mail)."""
    notification.done_ids = [*notification.done_ids, account_id]
    if account is None or account.state is AccountState.FERME:
        _skip(notification, account.identifier if account else str(account_id), "Compte fermé.")
        return
    wants_email = mode in (NotificationMode.EMAIL, NotificationMode.EMAIL_AND_LETTER)
    if wants_email and not notification_address(account):
        by_letter = mode is NotificationMode.EMAIL_AND_LETTER
        reason = "Aucune adresse mail connue" + (" : notifié par courrier." if by_letter else ".")
        _skip(notification, account.identifier, reason, letter=by_letter)
        if mode is NotificationMode.EMAIL:
            return
        mode = NotificationMode.LETTER
    try:
        if notification.reset_passwords and account.state is AccountState.UTILISE:
            transition(account, AccountState.NOTIFIE)
            account.provisional_password_encrypted = None
        result = notify(account, mode)
    except TransitionError as error:
        _skip(notification, account.identifier, str(error))
        return
    if result.emailed_to:
        notification.emailed += 1


def _paper_accounts(notification: MassNotification) -> list[Account]:
    if notification.mode == "email":
        return []
    refused = {e["identifiant"] for e in notification.skipped if e.get("courrier") != "oui"}
    by_id: dict[int, Account] = {}
    ids = notification.account_ids
    for start_at in range(0, len(ids), 1000):
        for account in db.session.scalars(
            select(Account).where(Account.id.in_(ids[start_at : start_at + 1000]))
        ):
            by_id[account.id] = account
    return [
        by_id[i]
        for i in ids
        if i in by_id and by_id[i].identifier not in refused and letter_problem(by_id[i]) is None
    ]


def write_pdf(notification: MassNotification) -> Path:
    """Render the letters by chunks and merge them into one PDF under the instance folder."""
    establishment = db.session.scalar(
        select(Establishment).where(Establishment.id == notification.establishment_id)
    )
    assert establishment is not None
    accounts = _paper_accounts(notification)
    folder = Path(current_app.instance_path) / "notifications"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"notification-{notification.academy_id}-{notification.id}.pdf"
    ids = [account.id for account in accounts]
    chunks = [
        ids[start_at : start_at + LETTERS_PER_PDF_CHUNK]
        for start_at in range(0, len(ids), LETTERS_PER_PDF_CHUNK)
    ]
    writer = PdfWriter()
    for document in parallel.render_chunks(notification.academy_id, establishment.id, chunks):
        writer.append(BytesIO(document))
    partial = path.with_suffix(".part")
    with partial.open("wb") as out:
        writer.write(out)
    partial.replace(path)
    notification.letters = len(accounts)
    return path


def summary(notification: MassNotification) -> dict[str, Any]:
    return {
        "selected": len(notification.account_ids),
        "done": len(notification.done_ids),
        "emailed": notification.emailed,
        "letters": notification.letters,
        "skipped": notification.skipped,
        "pdf": bool(notification.pdf_path),
    }


def pdf_available(notification: MassNotification, now: datetime | None = None) -> bool:
    if not notification.pdf_path or notification.expires_at is None:
        return False
    expires = notification.expires_at
    if expires.tzinfo is None:
        from datetime import UTC

        expires = expires.replace(tzinfo=UTC)
    return (now or now_utc()) < expires and Path(notification.pdf_path).exists()


def sweep_pdfs(now: datetime) -> dict[str, int]:
    """The sweep step: delete the letters' PDFs past their retention (every academy)."""
    from teleservices.tenancy.context import all_academies

    deleted = 0
    with all_academies():
        rows = db.session.scalars(
            select(MassNotification).where(
                MassNotification.pdf_path != "", MassNotification.expires_at <= now
            )
        ).all()
        for row in rows:
            Path(row.pdf_path).unlink(missing_ok=True)
            row.pdf_path = ""
            deleted += 1
        db.session.commit()
    return {"documents supprimés": deleted}
