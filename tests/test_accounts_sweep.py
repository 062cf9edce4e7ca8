"""``teleservices sweep`` and the account deletions of ACC-5: 3 months without activation, a year
without login; deleted accounts go back to Non notifié; idempotent, with counts."""

from urllib.parse import urlsplit

import pytest
import time_machine

from teleservices.accounts.models import AccountState
from teleservices.accounts.testing import (
    account_of,
    activate,
    links_in,
    make_family,
    notify_account,
    outbox,
    submit,
)

S = AccountState


@pytest.fixture
def family(app, academy):
    return make_family(app, academy)


def sweep(app, moment):
    with time_machine.travel(moment, tick=False):
        result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("comptes"))
    return line


def counts(not_activated, idle):
    return f"comptes — non activés après 3 mois : {not_activated}, inutilisés depuis un an : {idle}"


def state(app, family, account_id):
    with app.app_context():
        return account_of(family.academy_id, account_id)


def first_connection(client, identifier, password):
    submit(client, "/ac-test/connexion", {"identifier": identifier, "password": password})
    return submit(
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


def test_a_notified_account_is_deleted_three_months_later(app, family):
    with time_machine.travel("2025-01-10 12:00Z", tick=False):
        notify_account(app, family.academy_id, family.representative_account_id)
    assert sweep(app, "2025-04-10 11:59Z") == counts(0, 0)
    assert state(app, family, family.representative_account_id).state is S.NOTIFIE
    assert sweep(app, "2025-04-10 12:01Z") == counts(1, 0)
    account = state(app, family, family.representative_account_id)
    assert account.state is S.NON_NOTIFIE
    assert account.provisional_password_encrypted is None and account.password_hash is None
    assert account.notified_at is None and account.notification_mode is None
    assert account.identifier == "jean.dupont"
    assert sweep(app, "2025-04-10 12:02Z") == counts(0, 0)


def test_a_deleted_account_can_be_notified_again(app, client, family):
    with time_machine.travel("2025-01-10 12:00Z", tick=False):
        old = notify_account(app, family.academy_id, family.representative_account_id)
    sweep(app, "2025-05-01 00:00Z")
    refused = submit(client, "/ac-test/connexion", {"identifier": "jean.dupont", "password": old})
    assert refused.status_code == 200
    new = notify_account(app, family.academy_id, family.representative_account_id)
    assert new != old
    fresh = submit(client, "/ac-test/connexion", {"identifier": "jean.dupont", "password": new})
    assert fresh.headers["Location"] == "/ac-test/premiere-connexion"


def test_an_account_waiting_for_its_confirmation_is_deleted_too(app, client, family):
    with time_machine.travel("2025-01-10 12:00Z", tick=False):
        password = notify_account(app, family.academy_id, family.representative_account_id)
    with time_machine.travel("2025-03-01 12:00Z", tick=False):
        first_connection(client, "jean.dupont", password)
    [message] = outbox(app, family.academy_id)
    assert sweep(app, "2025-04-20 12:00Z") == counts(0, 0)
    assert state(app, family, family.representative_account_id).state is S.EN_COURS_ACTIVATION
    assert sweep(app, "2025-06-01 12:01Z") == counts(1, 0)
    account = state(app, family, family.representative_account_id)
    assert account.state is S.NON_NOTIFIE
    assert account.email == "" and not account.email_confirmed
    assert account.first_connection_at is None and account.password_hash is None
    with time_machine.travel("2025-06-01 12:02Z", tick=False):
        assert client.get(urlsplit(links_in(message.text)[0]).path).status_code == 404


def test_a_used_account_idle_for_a_year_is_deleted(app, client, family):
    with time_machine.travel("2024-02-01 08:00Z", tick=False):
        activate(app, family.academy_id, family.representative_account_id, "choisi2025", "j@x.fr")
        activate(app, family.academy_id, family.student_account_id, "choisi2025")
    with time_machine.travel("2024-06-01 08:00Z", tick=False):
        login = submit(
            client, "/ac-test/connexion", {"identifier": "alice.dupont", "password": "choisi2025"}
        )
        assert login.headers["Location"] == "/ac-test/accueil"
    # The representative never logged in after the activation: counted from it.
    assert sweep(app, "2025-01-31 08:00Z") == counts(0, 0)
    assert sweep(app, "2025-02-01 08:01Z") == counts(0, 1)
    representative = state(app, family, family.representative_account_id)
    assert representative.state is S.NON_NOTIFIE
    assert representative.activated_at is None and representative.email == ""
    assert state(app, family, family.student_account_id).state is S.UTILISE
    assert sweep(app, "2025-06-01 08:01Z") == counts(0, 1)
    assert state(app, family, family.student_account_id).state is S.NON_NOTIFIE
    assert sweep(app, "2025-06-01 08:02Z") == counts(0, 0)


def test_a_deleted_account_loses_its_sessions(app, client, family):
    with time_machine.travel("2024-02-01 08:00Z", tick=False):
        activate(app, family.academy_id, family.student_account_id, "choisi2025")
        submit(
            client, "/ac-test/connexion", {"identifier": "alice.dupont", "password": "choisi2025"}
        )
    before = state(app, family, family.student_account_id).session_nonce
    assert before
    sweep(app, "2025-02-02 08:00Z")
    assert state(app, family, family.student_account_id).session_nonce not in (None, before)


def test_the_sweep_covers_every_academy(app, academy, other_academy, family):
    other = make_family(app, other_academy, uai="0900001M", first_name="Zoé")
    with time_machine.travel("2025-01-10 12:00Z", tick=False):
        notify_account(app, family.academy_id, family.student_account_id)
        notify_account(app, other.academy_id, other.student_account_id)
    assert sweep(app, "2025-05-01 00:00Z") == counts(2, 0)
    assert state(app, other, other.student_account_id).state is S.NON_NOTIFIE
