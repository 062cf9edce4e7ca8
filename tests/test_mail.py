"""The e-mail outbox: embedded files, a real SMTP server, retries when it is down, two senders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select, text

from teleservices.extensions import db
from teleservices.jobs import Job, JobStatus
from teleservices.mail import (
    MAX_ATTEMPTS,
    OutboxMessage,
    OutboxStatus,
    deliver_pending,
    parse_mail_url,
)
from teleservices.sdk import send_mail
from teleservices.tenancy.context import TenantRequiredError, all_academies, tenant
from teleservices.tenancy.models import Academy
from teleservices.testing import SmtpServer

T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
DEFAULT_SENDER = "ne-pas-repondre@teleservices.invalid"


def utc(value: datetime) -> datetime:
    """SQLite gives naive UTC datetimes back, PostgreSQL aware ones: compare them as aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def test_embedded_mode_writes_the_mail_to_a_file(app, academy):
    with app.app_context(), tenant(academy.id):
        message = send_mail(
            "famille.dupont@example.org",
            "Votre compte Téléservices",
            "Bonjour,\nvotre compte est créé.",
            html="<p>Bonjour, <strong>votre compte est créé</strong>.</p>",
        )
        assert message.status == OutboxStatus.SENT
        assert message.attempts == 1
        assert message.sender == DEFAULT_SENDER
        job = db.session.execute(select(Job)).scalar_one()
        assert job.name == "teleservices.mail:deliver_pending"
        assert job.status == JobStatus.FINISHED
        assert job.result == {"sent": 1, "retry": 0, "failed": 0}
        files = sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert len(files) == 1
    email = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert email["Subject"] == "Votre compte Téléservices"
    assert email["To"] == "famille.dupont@example.org"
    assert email["From"] == DEFAULT_SENDER
    assert "votre compte est créé" in email.get_body(("plain",)).get_content()
    assert "<strong>" in email.get_body(("html",)).get_content()


def test_smtp_delivery_with_the_academy_sender(make_app, academy, smtp_server):
    app = make_app(MAIL_URL=smtp_server.url)
    with app.app_context():
        with all_academies():
            stored = db.session.get(Academy, academy.id)
            assert stored is not None
            stored.mail_sender = "Rectorat de Test <teleservices@ac-test.fr>"
            db.session.commit()
        with tenant(academy.id):
            message = send_mail(
                "m.martin@example.org",
                "Notification : réunion parents-professeurs",
                "La réunion a lieu jeudi à 18 h.",
                html="<p>La réunion a lieu <em>jeudi à 18 h</em>.</p>",
            )
            assert message.status == OutboxStatus.SENT
            assert message.sent_at is not None
    assert len(smtp_server.messages) == 1
    email = smtp_server.messages[0]
    assert email["Subject"] == "Notification : réunion parents-professeurs"
    assert email["From"] == "Rectorat de Test <teleservices@ac-test.fr>"
    assert email["To"] == "m.martin@example.org"
    assert email.get_content_type() == "multipart/alternative"
    assert email.get_body(("plain",)).get_content().strip() == "La réunion a lieu jeudi à 18 h."
    assert "<em>jeudi à 18 h</em>" in email.get_body(("html",)).get_content()
    assert smtp_server.envelopes[0].mail_from == "teleservices@ac-test.fr"
    assert smtp_server.envelopes[0].rcpt_tos == ["m.martin@example.org"]


def test_plain_text_mail_has_no_html_part(make_app, academy, smtp_server):
    app = make_app(MAIL_URL=smtp_server.url)
    with app.app_context(), tenant(academy.id):
        send_mail("a@example.org", "Objet", "Texte seul.", sender="secretariat@clg.example")
    email = smtp_server.messages[0]
    assert email.get_content_type() == "text/plain"
    assert email["From"] == "secretariat@clg.example"


def test_mail_is_kept_and_retried_when_the_server_was_down(make_app, academy):
    server = SmtpServer()  # not started: the mail server is down
    app = make_app(MAIL_URL=server.url)
    try:
        with app.app_context(), tenant(academy.id):
            with time_machine.travel(T0, tick=False):
                message = send_mail("famille@example.org", "Code de récupération", "123456")
                assert message.status == OutboxStatus.PENDING
                assert message.attempts == 1
                assert "Connection refused" in message.last_error
                assert utc(message.next_attempt_at) == T0 + timedelta(minutes=1)
                message_id = message.id

            server.start()
            with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
                assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}
            assert server.messages == []

            with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
                assert deliver_pending() == {"sent": 1, "retry": 0, "failed": 0}
            db.session.expire_all()
            message = db.session.get(OutboxMessage, message_id)
            assert message is not None
            assert message.status == OutboxStatus.SENT
            assert message.attempts == 2
            assert message.last_error == ""
    finally:
        server.stop()
    assert [m["Subject"] for m in server.messages] == ["Code de récupération"]


def test_mail_is_marked_failed_after_the_last_attempt(make_app, academy):
    server = SmtpServer()  # never started
    app = make_app(MAIL_URL=server.url)
    with app.app_context(), tenant(academy.id):
        now = T0
        with time_machine.travel(now, tick=False):
            message_id = send_mail("famille@example.org", "Relance", "Texte").id
        delays = []
        for _ in range(MAX_ATTEMPTS - 1):
            message = db.session.get(OutboxMessage, message_id)
            assert message is not None and message.status == OutboxStatus.PENDING
            due = utc(message.next_attempt_at)
            delays.append(due - now)
            now = due
            deliver_pending(now=now)
            db.session.expire_all()
        message = db.session.get(OutboxMessage, message_id)
        assert message is not None
        assert message.status == OutboxStatus.FAILED
        assert message.attempts == MAX_ATTEMPTS
        assert message.last_error
        assert delays[:3] == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)]
        assert delays == sorted(delays)
        assert deliver_pending(now=now + timedelta(days=30)) == {"sent": 0, "retry": 0, "failed": 0}


def test_a_message_locked_by_another_sender_is_skipped(app, backend, academy):
    if backend != "postgresql":
        pytest.skip("SELECT … FOR UPDATE SKIP LOCKED is PostgreSQL's")
    with app.app_context(), tenant(academy.id):
        db.session.add(
            OutboxMessage(
                to="famille@example.org",
                subject="Verrou",
                text_body="Texte",
                sender=DEFAULT_SENDER,
                next_attempt_at=datetime.now(UTC),
            )
        )
        db.session.commit()
        with db.engine.connect() as other:
            other.execute(text("SELECT set_config('app.academy_id', '*', true)"))
            locked = other.execute(text("SELECT id FROM outbox_messages FOR UPDATE")).all()
            assert len(locked) == 1
            assert deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}
            other.rollback()
        assert deliver_pending() == {"sent": 1, "retry": 0, "failed": 0}
        assert len(list(Path(app.config["MAIL_DIR"]).glob("*.eml"))) == 1


def test_deliver_only_sends_the_current_academys_messages(app, academy, other_academy):
    with app.app_context():
        for academy_id in (academy.id, other_academy.id):
            with tenant(academy_id):
                db.session.add(
                    OutboxMessage(
                        to=f"famille-{academy_id}@example.org",
                        subject="Isolation",
                        text_body="Texte",
                        sender=DEFAULT_SENDER,
                        next_attempt_at=datetime.now(UTC),
                    )
                )
                db.session.commit()
        with tenant(academy.id):
            assert deliver_pending()["sent"] == 1
        with all_academies():
            statuses = dict(
                db.session.execute(select(OutboxMessage.academy_id, OutboxMessage.status)).all()
            )
    assert statuses == {academy.id: OutboxStatus.SENT, other_academy.id: OutboxStatus.PENDING}


def test_send_mail_needs_a_tenant_and_refuses_header_injection(app, academy):
    with app.app_context():
        with pytest.raises(TenantRequiredError):
            send_mail("a@example.org", "Objet", "Texte")
        with tenant(academy.id):
            with pytest.raises(ValueError, match="saut de ligne"):
                send_mail("a@example.org\nBcc: b@example.org", "Objet", "Texte")
            assert db.session.execute(select(OutboxMessage)).scalars().all() == []


@pytest.mark.parametrize(
    ("url", "host", "port", "starttls", "ssl", "user", "password"),
    [
        ("smtp://mail.ac-test.fr:2525", "mail.ac-test.fr", 2525, False, False, None, None),
        ("smtp://relais", "relais", 25, False, False, None, None),
        (
            "smtp+starttls://u%40ac:p%3Ass@smtp.ac.fr",
            "smtp.ac.fr",
            587,
            True,
            False,
            "u@ac",
            "p:ss",
        ),
        ("smtps://smtp.ac.fr", "smtp.ac.fr", 465, False, True, None, None),
    ],
)
def test_mail_url(url, host, port, starttls, ssl, user, password):
    settings = parse_mail_url(url)
    assert (settings.host, settings.port, settings.starttls, settings.ssl) == (
        host,
        port,
        starttls,
        ssl,
    )
    assert (settings.username, settings.password) == (user, password)


def test_mail_url_with_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="smtp://"):
        parse_mail_url("http://mail.example.org")
