"""Tenant isolation of every family URL: another academy's identifiers, sessions, pending steps and
links are worth nothing in this academy."""

from urllib.parse import urlsplit

import pytest

from teleservices.accounts.models import AccountState
from teleservices.accounts.testing import (
    account_of,
    activate,
    csrf_token,
    links_in,
    make_family,
    notify_account,
    outbox,
    submit,
    text_of,
)

PASSWORD = "soleil2024"


@pytest.fixture
def here(app, academy):
    """A family of ac-test whose representative's account is used."""
    family = make_family(app, academy)
    activate(app, family.academy_id, family.representative_account_id, PASSWORD, "jean@example.fr")
    return family


@pytest.fixture
def there(app, other_academy):
    """A family of ac-autre with the same names: the same identifiers, other accounts."""
    family = make_family(app, other_academy, uai="0900001M")
    activate(
        app, family.academy_id, family.representative_account_id, "autre2024", "jean@ailleurs.fr"
    )
    return family


def login(client, academy_code, identifier, password):
    return submit(
        client, f"/{academy_code}/connexion", {"identifier": identifier, "password": password}
    )


def test_an_identifier_logs_in_only_in_its_academy(client, here, there):
    assert here.representative_identifier == there.representative_identifier == "jean.dupont"
    refused = login(client, "ac-test", "jean.dupont", "autre2024")
    assert "Identifiant ou mot de passe incorrect." in text_of(refused)
    assert login(client, "ac-autre", "jean.dupont", "autre2024").headers["Location"] == (
        "/ac-autre/accueil"
    )
    assert login(client, "ac-test", "jean.dupont", PASSWORD).headers["Location"] == (
        "/ac-test/accueil"
    )


def test_a_session_of_one_academy_is_anonymous_in_another(client, here, there):
    login(client, "ac-test", "jean.dupont", PASSWORD)
    assert client.get("/ac-test/accueil").status_code == 200
    elsewhere = client.get("/ac-autre/accueil")
    assert elsewhere.status_code == 302 and elsewhere.headers["Location"] == "/ac-autre/connexion"
    assert client.get("/ac-autre/connexion").status_code == 200
    page = client.get("/ac-autre/connexion").get_data(as_text=True)
    assert (
        client.post("/ac-autre/deconnexion", data={"csrf_token": csrf_token(page)}).status_code
        == 302
    )
    assert client.get("/ac-test/accueil").status_code == 200


def test_a_pending_step_of_one_academy_is_void_in_another(app, client, academy, other_academy):
    family = make_family(app, academy)
    password = notify_account(app, family.academy_id, family.representative_account_id)
    login(client, "ac-test", family.representative_identifier, password)
    assert client.get("/ac-test/premiere-connexion").status_code == 200
    for page in ("/ac-autre/premiere-connexion", "/ac-autre/validation-en-attente"):
        response = client.get(page)
        assert response.status_code == 302 and response.headers["Location"] == "/ac-autre/connexion"
    token = csrf_token(client.get("/ac-test/premiere-connexion").get_data(as_text=True))
    for action in (
        "/ac-autre/validation-en-attente/renvoyer",
        "/ac-autre/validation-en-attente/adresse",
    ):
        response = client.post(
            action,
            data={
                "csrf_token": token,
                "email": "x@example.fr",
                "email_confirmation": "x@example.fr",
            },
        )
        assert response.status_code == 302
    response = client.post(
        "/ac-autre/premiere-connexion",
        data={
            "csrf_token": token,
            "password": "choisi2025",
            "password_confirmation": "choisi2025",
            "email": "x@example.fr",
            "email_confirmation": "x@example.fr",
            "birth_date": "2012-03-14",
        },
    )
    assert response.headers["Location"] == "/ac-autre/connexion"
    assert outbox(app, family.academy_id) == [] and outbox(app, other_academy.id) == []
    with app.app_context():
        assert account_of(family.academy_id, family.representative_account_id).state is (
            AccountState.NOTIFIE
        )


def test_a_confirmation_link_works_only_in_its_academy(app, client, academy, other_academy):
    family = make_family(app, academy)
    password = notify_account(app, family.academy_id, family.representative_account_id)
    login(client, "ac-test", family.representative_identifier, password)
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
    path = urlsplit(links_in(outbox(app, family.academy_id)[0].text)[0]).path
    assert client.get(path.replace("/ac-test/", "/ac-autre/")).status_code == 404
    with app.app_context():
        account = account_of(family.academy_id, family.representative_account_id)
    assert account.state is AccountState.EN_COURS_ACTIVATION
    assert client.get(path).status_code == 200


def test_recovery_answers_only_for_its_academy(app, client, here, there):
    html = text_of(submit(client, "/ac-autre/identifiant-oublie", {"email": "jean@example.fr"}))
    assert "ne permettent pas de répondre à votre demande" in html
    submit(client, "/ac-test/mot-de-passe-oublie", {"identifier": "jean.dupont"})
    [message] = outbox(app, here.academy_id)
    assert outbox(app, there.academy_id) == []
    path = urlsplit(links_in(message.text)[0]).path
    assert client.get(path.replace("/ac-test/", "/ac-autre/")).status_code == 404
    assert client.get(path).status_code == 200


def test_an_unknown_identifier_of_this_academy_exists_elsewhere(app, client, here, other_academy):
    other = make_family(
        app,
        other_academy,
        uai="0900001M",
        first_name="Zoé",
        last_name="MARTIN",
        representative_first_name="Luc",
    )
    activate(app, other.academy_id, other.representative_account_id, PASSWORD, "luc@example.fr")
    html = text_of(submit(client, "/ac-test/mot-de-passe-oublie", {"identifier": "luc.martin"}))
    assert "Cet identifiant n'est pas reconnu. Veuillez réessayer." in html
