"""``teleservices sweep`` runs every housekeeping step across academies and is idempotent."""

from datetime import UTC, datetime

from teleservices import mail
from teleservices.tenancy.context import tenant


def test_sweep_delivers_the_outbox_of_every_academy(app, academy, other_academy, tmp_path):
    with app.app_context():
        for academy_id, to in ((academy.id, "a@example.fr"), (other_academy.id, "b@example.fr")):
            with tenant(academy_id):
                message = mail.OutboxMessage(
                    academy_id=academy_id,
                    to=to,
                    subject="Test",
                    text_body="Bonjour",
                    sender="ne-pas-repondre@example.fr",
                    next_attempt_at=datetime.now(UTC),
                )
                mail.db.session.add(message)
                mail.db.session.commit()
    first = app.test_cli_runner().invoke(args=["sweep"])
    assert first.exit_code == 0, first.output
    assert "courriels — sent : 2" in first.output
    second = app.test_cli_runner().invoke(args=["sweep"])
    assert "courriels — sent : 0" in second.output
    sent = sorted(p.read_text() for p in (tmp_path / "mail").glob("*.eml"))
    assert len(sent) == 2
