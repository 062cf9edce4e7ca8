"""The account life cycle (ACC-3): the transition rules and their dates, and ``notify``."""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select

from teleservices.accounts.emails import CREDENTIALS_SUBJECT
from teleservices.accounts.lifecycle import ALLOWED, TransitionError, transition
from teleservices.accounts.models import Account, AccountState, NotificationMode
from teleservices.accounts.notification import notify
from teleservices.accounts.testing import (
    account_of,
    activate,
    links_in,
    make_family,
    notify_account,
    outbox,
    submit,
)
from teleservices.extensions import db
from teleservices.security import secrets_box
from teleservices.tenancy.context import tenant

S = AccountState
MOMENT = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def family(app, academy):
    return make_family(app, academy)


def load(family, account_id):
    return db.session.scalar(select(Account).where(Account.id == account_id))


def as_utc(value):
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
@pytest.mark.parametrize("kind", ["student", "representative"])
def test_only_the_life_cycle_transitions_are_allowed(app, family, source, target, kind):
    with app.app_context(), tenant(family.academy_id):
        account = load(family, getattr(family, f"{kind}_account_id"))
        account.state = source
        expected = target in ALLOWED[source]
        if kind == "student" and target is S.EN_COURS_ACTIVATION:
            expected = False
        if kind == "representative" and (source, target) == (S.NOTIFIE, S.UTILISE):
            expected = False
        if expected:
            transition(account, target, MOMENT)
            assert account.state is target
        else:
            with pytest.raises(TransitionError):
                transition(account, target, MOMENT)
            assert account.state is source
        db.session.rollback()


def test_each_transition_records_its_date(app, family):
    with app.app_context(), tenant(family.academy_id):
        account = load(family, family.representative_account_id)
        transition(account, S.NOTIFIE, MOMENT)
        assert account.notified_at == MOMENT
        later = MOMENT.replace(day=5)
        transition(account, S.EN_COURS_ACTIVATION, later)
        assert account.first_connection_at == later
        last = MOMENT.replace(day=9)
        transition(account, S.UTILISE, last)
        assert account.activated_at == last
        transition(account, S.FERME, last)
        assert account.closed_at == last and account.state is S.FERME


def test_a_letter_notification_issues_an_encrypted_provisional_password(app, family):
    with time_machine.travel(MOMENT, tick=False), app.app_context(), tenant(family.academy_id):
        account = load(family, family.representative_account_id)
        result = notify(account, NotificationMode.LETTER)
        db.session.commit()
        password = result.password
        assert password and len(password) == 8
        assert password.isalnum() and password == password.lower()
        assert result.emailed_to is None
        assert account.state is S.NOTIFIE
        assert as_utc(account.notified_at) == MOMENT
        assert account.notification_mode is NotificationMode.LETTER
        assert password not in account.provisional_password_encrypted
        assert secrets_box.decrypt(account.provisional_password_encrypted) == password
        assert account.password_hash is None
    assert outbox(app, family.academy_id) == []


def test_an_email_notification_sends_the_credentials(app, family):
    with app.app_context(), tenant(family.academy_id):
        account = load(family, family.representative_account_id)
        result = notify(account, NotificationMode.EMAIL_AND_LETTER)
        db.session.commit()
    assert result.emailed_to == "jean.dupont@example.fr"
    [message] = outbox(app, family.academy_id)
    assert message.to == "jean.dupont@example.fr"
    assert message.subject == CREDENTIALS_SUBJECT
    assert "Identifiant : jean.dupont" in message.text
    assert f"Mot de passe * : {result.password}" in message.text
    assert "pour Alice DUPONT." in message.text and "(élève de 4C)" in message.text
    assert "Collège Victor Hugo" in message.text
    assert "http://localhost/ac-test/connexion" in message.text
    assert "vous disposez d'un délai de 3 mois pour activer votre compte" in message.text
    assert result.password in message.html and "<strong>jean.dupont</strong>" in message.html


def test_a_student_is_notified_at_the_school_address(app, academy):
    family = make_family(app, academy, student_email="alice@example.fr")
    with app.app_context(), tenant(family.academy_id):
        result = notify(load(family, family.student_account_id), NotificationMode.EMAIL)
        db.session.commit()
    assert result.emailed_to == "alice@example.fr"
    [message] = outbox(app, family.academy_id)
    assert "pour Alice" not in message.text


def test_no_email_without_an_address(app, academy):
    family = make_family(app, academy, representative_email="")
    with app.app_context(), tenant(family.academy_id):
        result = notify(load(family, family.representative_account_id), NotificationMode.EMAIL)
        db.session.commit()
    assert result.password and result.emailed_to is None
    assert outbox(app, family.academy_id) == []


def test_a_notified_account_keeps_its_password(app, family):
    first = notify_account(app, family.academy_id, family.representative_account_id)
    second = notify_account(app, family.academy_id, family.representative_account_id)
    assert first == second


def test_an_account_being_activated_gets_a_new_password(app, client, family):
    first = notify_account(app, family.academy_id, family.representative_account_id)
    submit(client, "/ac-test/connexion", {"identifier": "jean.dupont", "password": first})
    submit(
        client,
        "/ac-test/premiere-connexion",
        {
            "password": "choisi2025",
            "password_confirmation": "choisi2025",
            "email": "jean@example.fr",
            "email_confirmation": "jean@example.fr",
            "birth_date": "2012-03-14",
        },
    )
    [confirmation] = outbox(app, family.academy_id)
    second = notify_account(app, family.academy_id, family.representative_account_id)
    assert second and second != first
    with app.app_context():
        account = account_of(family.academy_id, family.representative_account_id)
    assert account.state is S.NOTIFIE and account.password_hash is None
    assert not account.email_confirmed and account.first_connection_at is None
    other = app.test_client()
    chosen = submit(
        other, "/ac-test/connexion", {"identifier": "jean.dupont", "password": "choisi2025"}
    )
    assert chosen.status_code == 200
    fresh = submit(other, "/ac-test/connexion", {"identifier": "jean.dupont", "password": second})
    assert fresh.headers["Location"] == "/ac-test/premiere-connexion"
    link = urlsplit(links_in(confirmation.text)[0]).path
    assert other.get(link).status_code == 404


def test_a_used_account_is_never_sent_a_password(app, family):
    activate(app, family.academy_id, family.representative_account_id, "choisi2025", "jean@ici.fr")
    with time_machine.travel(MOMENT, tick=False), app.app_context(), tenant(family.academy_id):
        account = load(family, family.representative_account_id)
        hashed = account.password_hash
        result = notify(account, NotificationMode.EMAIL)
        db.session.commit()
        assert result.password is None
        assert account.state is S.UTILISE and account.password_hash == hashed
        assert account.provisional_password_encrypted is None
        assert as_utc(account.notified_at) == MOMENT
    [message] = outbox(app, family.academy_id)
    assert message.to == "jean@ici.fr"
    assert "est déjà activé" in message.text and "Mot de passe" not in message.text


def test_a_closed_account_cannot_be_notified(app, family):
    with app.app_context(), tenant(family.academy_id):
        account = load(family, family.representative_account_id)
        transition(account, S.FERME)
        with pytest.raises(TransitionError):
            notify(account, NotificationMode.LETTER)


def test_the_provisional_password_is_wiped_at_activation(app, client, family):
    password = notify_account(app, family.academy_id, family.student_account_id)
    submit(client, "/ac-test/connexion", {"identifier": "alice.dupont", "password": password})
    submit(
        client,
        "/ac-test/premiere-connexion",
        {
            "password": "choisi2025",
            "password_confirmation": "choisi2025",
            "email": "",
            "email_confirmation": "",
            "birth_date": "2012-03-14",
        },
    )
    with app.app_context():
        account = account_of(family.academy_id, family.student_account_id)
    assert account.state is S.UTILISE
    assert account.provisional_password_encrypted is None
    assert account.password_hash.startswith("$argon2id$")
    other = app.test_client()
    old = submit(other, "/ac-test/connexion", {"identifier": "alice.dupont", "password": password})
    assert old.status_code == 200
