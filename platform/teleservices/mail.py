"""E-mail outbox (NOT-8): every message is stored first, then sent by a job, with retries.

``send_mail`` stores an ``OutboxMessage`` and enqueues ``deliver_pending``. Delivery goes over SMTP
when ``MAIL_URL`` is set (``smtp://host:port``, ``smtp+starttls://…`` or ``smtps://…``, with an
optional ``user:password@``), or is written as ``.eml`` files into ``MAIL_DIR`` (embedded mode).
When the server refuses or is down, the message stays pending and is tried again later with an
exponential backoff; after ``MAX_ATTEMPTS`` it is marked failed for staff to see. Nothing is lost.

Two senders may run at once (several workers, the ``sweep`` command): each claims a batch with
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) and leases it by moving ``next_attempt_at``
forward before talking to the server, so a message is sent by one of them only.
"""

from __future__ import annotations

import enum
import smtplib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import DateTime, String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.extensions import db
from teleservices.jobs import enqueue
from teleservices.tenancy.context import current_academy_id
from teleservices.tenancy.models import Academy, TenantMixin

MAX_ATTEMPTS = 8
# Delay before the next try after the n-th failed attempt (the 8th failure is final).
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
LEASE = timedelta(minutes=10)  # a claimed message is retried after this if its sender died
BATCH_SIZE = 50
SMTP_TIMEOUT = 30  # seconds


class OutboxStatus(enum.StrEnum):
    """Delivery state of an outbox message."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {"pending": "En attente", "sent": "Envoyé", "failed": "En échec"}[self.value]


class OutboxMessage(TenantMixin, db.Model):  # type: ignore[name-defined]
    """An e-mail waiting to be sent, sent, or given up after too many attempts."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text, nullable=True)
    sender: Mapped[str] = mapped_column(String(320))
    status: Mapped[OutboxStatus] = mapped_column(
        db.Enum(
            OutboxStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OutboxStatus.PENDING,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status}>"


def _now() -> datetime:
    return datetime.now(UTC)


def _check_header(name: str, value: str) -> None:
    if "\n" in value or "\r" in value:
        raise ValueError(
            f"Le champ « {name} » d'un courriel ne peut pas contenir de saut de ligne."
        )


def send_mail(
    to: str, subject: str, text: str, html: str | None = None, sender: str | None = None
) -> OutboxMessage:
    """Store an e-mail for the current academy in the outbox and enqueue its delivery.

    The sender defaults to the academy's ``mail_sender``, else ``MAIL_DEFAULT_SENDER``. This
    commits the current session (the message must exist before the sender job looks for it).
    """
    academy_id = current_academy_id()
    if sender is None:
        academy = db.session.get(Academy, academy_id)
        sender = (academy.mail_sender if academy else "") or current_app.config[
            "MAIL_DEFAULT_SENDER"
        ]
    for name, value in (("destinataire", to), ("objet", subject), ("expéditeur", sender)):
        _check_header(name, value)
    message = OutboxMessage(
        academy_id=academy_id,
        to=to,
        subject=subject,
        text_body=text,
        html_body=html,
        sender=sender,
        status=OutboxStatus.PENDING,
        attempts=0,
        last_error="",
        next_attempt_at=_now(),
    )
    db.session.add(message)
    if _batching.get():
        db.session.commit()
    else:
        enqueue(deliver_pending, academy_id=academy_id, description="Envoi des courriels")
    db.session.refresh(message)
    return message


_batching: ContextVar[bool] = ContextVar("teleservices_mail_batch", default=False)


@contextmanager
def batch(academy_id: int) -> Iterator[None]:
    """Queue many e-mails with one delivery job at the end instead of one per message (mass
    notification, NOT-6): inside the block ``send_mail`` only stores and commits."""
    token = _batching.set(True)
    try:
        yield
    finally:
        _batching.reset(token)
    enqueue(deliver_pending, academy_id=academy_id, description="Envoi des courriels")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server, read from ``MAIL_URL``."""

    host: str
    port: int
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password: str | None = None


def parse_mail_url(url: str) -> SmtpSettings:
    """Read ``smtp://[user:password@]host[:port]`` (also ``smtp+starttls://`` and ``smtps://``)."""
    parts = urlsplit(url)
    defaults = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
    if parts.scheme not in defaults or not parts.hostname:
        raise ValueError(
            "TELESERVICES_MAIL_URL doit avoir la forme smtp://hôte:port "
            "(ou smtp+starttls://, smtps://), avec éventuellement utilisateur:mot-de-passe@."
        )
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or defaults[parts.scheme],
        starttls=parts.scheme == "smtp+starttls",
        ssl=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class Transport(Protocol):
    """Something that delivers a built e-mail."""

    def send(self, email: EmailMessage, message: OutboxMessage) -> None: ...

    def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection, used for a batch of messages."""

    def __init__(self, settings: SmtpSettings) -> None:
        smtp_class = smtplib.SMTP_SSL if settings.ssl else smtplib.SMTP
        self.smtp = smtp_class(settings.host, settings.port, timeout=SMTP_TIMEOUT)
        try:
            if settings.starttls:
                self.smtp.starttls()
            if settings.username:
                self.smtp.login(settings.username, settings.password or "")
        except BaseException:
            self.smtp.close()
            raise

    def send(self, email: EmailMessage, message: OutboxMessage) -> None:
        self.smtp.send_message(email)

    def close(self) -> None:
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()


class DirectoryTransport:
    """Embedded mode: each message becomes an ``.eml`` file in ``MAIL_DIR``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def send(self, email: EmailMessage, message: OutboxMessage) -> None:
        name = f"{_now():%Y%m%d-%H%M%S}-{message.academy_id}-{message.id}.eml"
        partial = self.directory / f".{name}.part"
        partial.write_bytes(email.as_bytes())
        partial.replace(self.directory / name)

    def close(self) -> None:
        return None


def open_transport() -> Transport:
    """The transport the configuration asks for (SMTP when ``MAIL_URL`` is set)."""
    url = current_app.config.get("MAIL_URL")
    if url:
        return SmtpTransport(parse_mail_url(url))
    return DirectoryTransport(Path(current_app.config["MAIL_DIR"]))


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message: plain text, with an HTML alternative when there is one."""
    domain = parseaddr(message.sender)[1].rpartition("@")[2] or "teleservices.invalid"
    email = EmailMessage()
    email["From"] = message.sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(_now())
    # Stable across retries, so that a receiver can drop a duplicate.
    email["Message-ID"] = f"<outbox.{message.academy_id}.{message.id}@{domain}>"
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


def _claim(now: datetime, limit: int) -> list[int]:
    """Lease a batch of due messages (rows locked by another sender are skipped)."""
    ids = list(
        db.session.execute(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars()
    )
    if ids:
        db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    return ids


def _record_failure(message: OutboxMessage, error: BaseException, now: datetime) -> str:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        return "failed"
    message.next_attempt_at = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
    return "retry"


def _deliver_batch(ids: Sequence[int], now: datetime, counts: dict[str, int]) -> None:
    messages = [m for m in (db.session.get(OutboxMessage, i) for i in ids) if m is not None]
    try:
        transport = open_transport()
    except (OSError, smtplib.SMTPException) as exc:
        for message in messages:
            counts[_record_failure(message, exc, now)] += 1
        db.session.commit()
        return
    try:
        for message in messages:
            try:
                transport.send(build_email(message), message)
            except (OSError, smtplib.SMTPException, ValueError) as exc:
                counts[_record_failure(message, exc, now)] += 1
            else:
                message.attempts += 1
                message.status = OutboxStatus.SENT
                message.sent_at = _now()
                message.last_error = ""
                counts["sent"] += 1
            db.session.commit()
    finally:
        transport.close()


def deliver_pending(now: datetime | None = None, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Send the due messages of the current tenant (or of all academies when opted in).

    Returns how many were sent, rescheduled (``retry``) and given up (``failed``).
    """
    now = now or _now()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    while ids := _claim(now, batch_size):
        _deliver_batch(ids, now, counts)
    return counts
