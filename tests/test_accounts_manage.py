"""« Gérer son compte » (ACC-8): details and children, new password, new address, isolation."""

import pytest

from teleservices.accounts.models import AccountState
from teleservices.accounts.testing import (
    account_of,
    activate,
    links_in,
    make_family,
    outbox,
    submit,
    text_of,
)

LOGIN = "/ac-test/connexion"
MANAGE = "/ac-test/compte"
PASSWORD = "soleil2024"


@pytest.fixture
def used(app, academy):
    family = make_family(app, academy)
    activate(app, academy.id, family.representative_account_id, PASSWORD, "jean@example.fr")
    return family


def login(client, identifier, password=PASSWORD):
    return submit(client, LOGIN, {"identifier": identifier, "password": password})


def change_password(client, current, new, confirmation=None):
    return submit(
        client,
        MANAGE,
        {
            "mdp-current_password": current,
            "mdp-password": new,
            "mdp-password_confirmation": confirmation or new,
        },
        action=MANAGE + "/mot-de-passe",
    )


def test_the_page_shows_the_account_and_its_children(client, used):
    login(client, used.representative_identifier)
    page = text_of(client.get(MANAGE))
    assert "<h1>Gérer son compte</h1>" in page
    assert used.representative_identifier in page and "jean@example.fr" in page
    assert "confirmée" in page
    assert "1 élève rattaché à votre compte" in page
    assert "Alice DUPONT" in page and "14/03/2012" in page and "Collège Victor Hugo" in page
    assert "Regrouper des comptes" in page


def test_a_new_password_replaces_the_old_one(app, client, used):
    login(client, used.representative_identifier)
    response = change_password(client, PASSWORD, "nouveau2026")
    assert response.status_code == 302
    assert "Votre mot de passe a été modifié." in text_of(client.get(MANAGE))
    other = app.test_client()
    assert login(other, used.representative_identifier).status_code == 200
    assert login(other, used.representative_identifier, "nouveau2026").status_code == 302


def test_a_password_change_ends_the_other_sessions(app, client, used):
    login(client, used.representative_identifier)
    elsewhere = app.test_client()
    login(elsewhere, used.representative_identifier)
    change_password(client, PASSWORD, "nouveau2026")
    assert elsewhere.get(MANAGE).status_code == 302
    assert client.get(MANAGE).status_code == 200


def test_a_wrong_current_password_changes_nothing(app, client, used):
    login(client, used.representative_identifier)
    response = change_password(client, "pasbon123", "nouveau2026")
    assert response.status_code == 200
    assert "Le mot de passe actuel est incorrect." in text_of(response)
    assert login(app.test_client(), used.representative_identifier).status_code == 302


@pytest.mark.parametrize(
    ("new", "confirmation", "message"),
    [
        ("court1", None, "de 8 à 14 caractères"),
        ("seulementdeslettres", None, "de 8 à 14 caractères"),
        ("nouveau2026", "autre2026", "Les deux mots de passe ne sont pas identiques."),
    ],
)
def test_the_password_rule_is_enforced(client, used, new, confirmation, message):
    login(client, used.representative_identifier)
    response = change_password(client, PASSWORD, new, confirmation)
    assert response.status_code == 200 and message in text_of(response)


def test_a_new_address_is_confirmed_by_its_link(app, client, academy, used):
    login(client, used.representative_identifier)
    response = submit(
        client,
        MANAGE,
        {
            "mail-email": "jean.nouveau@example.fr",
            "mail-email_confirmation": "jean.nouveau@example.fr",
            "mail-current_password": PASSWORD,
        },
        action=MANAGE + "/adresse-mail",
    )
    assert response.status_code == 302
    assert "en attente de confirmation" in text_of(client.get(MANAGE))
    sent = outbox(app, academy.id)[-1]
    assert sent.to == "jean.nouveau@example.fr"
    link = next(url for url in links_in(sent.text) if "confirmation-adresse" in url)
    path = link.split("localhost", 1)[-1]
    assert "Adresse mail confirmée" in text_of(client.get(path))
    with app.app_context():
        account = account_of(academy.id, used.representative_account_id)
    assert account.email == "jean.nouveau@example.fr" and account.email_confirmed
    assert account.state is AccountState.UTILISE
    assert client.get(path).status_code == 410


def test_an_address_change_needs_the_password_and_matching_addresses(app, client, academy, used):
    login(client, used.representative_identifier)
    response = submit(
        client,
        MANAGE,
        {
            "mail-email": "a@example.fr",
            "mail-email_confirmation": "b@example.fr",
            "mail-current_password": "pasbon123",
        },
        action=MANAGE + "/adresse-mail",
    )
    assert "Les deux adresses mail ne sont pas identiques." in text_of(response)
    with app.app_context():
        assert account_of(academy.id, used.representative_account_id).email == "jean@example.fr"


def test_forms_refuse_a_post_without_csrf(client, used):
    login(client, used.representative_identifier)
    response = client.post(
        MANAGE + "/mot-de-passe",
        data={
            "mdp-current_password": PASSWORD,
            "mdp-password": "nouveau2026",
            "mdp-password_confirmation": "nouveau2026",
        },
    )
    assert response.status_code == 400


def test_the_page_needs_a_login_and_stays_in_its_academy(app, client, academy, other_academy, used):
    response = client.get(MANAGE)
    assert response.status_code == 302 and response.headers["Location"] == LOGIN
    login(client, used.representative_identifier)
    assert client.get("/ac-autre/compte").status_code == 302
