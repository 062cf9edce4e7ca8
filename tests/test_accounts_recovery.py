"""Recovery (ACC-6, ACC-7): « identifiant oublié », « mot de passe oublié » and the reset link, with
exactly the outcomes of the family guide and nothing more."""

import re
from urllib.parse import urlsplit

import pytest
import time_machine

from teleservices.accounts.emails import IDENTIFIERS_SUBJECT
from teleservices.accounts.models import AccountState
from teleservices.accounts.testing import (
    account_of,
    activate,
    links_in,
    make_family,
    notify_account,
    outbox,
    submit,
    text_of,
)

LOGIN = "/ac-test/connexion"
IDENTIFIER = "/ac-test/identifiant-oublie"
PASSWORD_PAGE = "/ac-test/mot-de-passe-oublie"
OLD = "ancien2024"
NEW = "nouveau2025"
NOT_ANSWERABLE = (
    "Les informations associées à votre compte ne permettent pas de répondre à votre demande. "
    "Merci de contacter votre établissement."
)
UNKNOWN = "Cet identifiant n'est pas reconnu. Veuillez réessayer."
NOT_CONFIRMED = (
    "Vous devez valider votre adresse mail afin de pouvoir modifier votre mot de passe. "
    "En cas de problème, veuillez contacter votre établissement."
)


@pytest.fixture
def family(app, academy):
    family = make_family(app, academy)
    activate(app, family.academy_id, family.representative_account_id, OLD, "jean@example.fr")
    return family


def ask_password(client, identifier):
    return submit(client, PASSWORD_PAGE, {"identifier": identifier})


def reset_path(message):
    return urlsplit(links_in(message.text)[0]).path


def reset(client, path, identifier, password=NEW, confirmation=None):
    return submit(
        client,
        path,
        {
            "identifier": identifier,
            "password": password,
            "password_confirmation": confirmation or password,
        },
    )


def login(client, identifier, password):
    return submit(client, LOGIN, {"identifier": identifier, "password": password})


def test_the_forgotten_identifier_page(client, family):
    html = text_of(client.get(IDENTIFIER))
    assert "<h1>Identifiant oublié</h1>" in html
    assert ">votre adresse mail</label>" in html


def test_a_confirmed_address_receives_every_identifier(app, client, family):
    second = make_family(
        app,
        _academy(app, family),
        first_name="Paul",
        representative_first_name="Marie",
        civility="MME",
    )
    activate(app, second.academy_id, second.representative_account_id, OLD, "jean@example.fr")
    response = submit(client, IDENTIFIER, {"email": " Jean@Example.FR "})
    html = text_of(response)
    assert "Un courriel contenant la liste des identifiants" in html
    [message] = outbox(app, family.academy_id)
    assert message.to == "jean@example.fr" and message.subject == IDENTIFIERS_SUBJECT
    assert "- jean.dupont (M. Dupont)" in message.text
    assert "- marie.dupont (Mme Dupont)" in message.text
    assert "<strong>jean.dupont</strong>" in message.html
    assert "http://localhost/ac-test/connexion" in message.text


def _academy(app, family):
    from teleservices.extensions import db
    from teleservices.tenancy.context import all_academies
    from teleservices.tenancy.models import Academy

    with app.app_context(), all_academies():
        academy = db.session.get(Academy, family.academy_id)
        db.session.expunge(academy)
        return academy


def test_an_unknown_address_gets_the_guide_message(app, client, family):
    html = text_of(submit(client, IDENTIFIER, {"email": "personne@example.fr"}))
    assert NOT_ANSWERABLE in html
    assert "Un courriel contenant" not in html
    assert outbox(app, family.academy_id) == []


def test_an_address_being_confirmed_is_not_answered(app, client, academy):
    family = make_family(app, academy)
    password = notify_account(app, family.academy_id, family.representative_account_id)
    login(client, family.representative_identifier, password)
    submit(
        client,
        "/ac-test/premiere-connexion",
        {
            "password": NEW,
            "password_confirmation": NEW,
            "email": "jean@example.fr",
            "email_confirmation": "jean@example.fr",
            "birth_date": "2012-03-14",
        },
    )
    other = app.test_client()
    assert NOT_ANSWERABLE in text_of(submit(other, IDENTIFIER, {"email": "jean@example.fr"}))
    assert NOT_CONFIRMED in text_of(ask_password(other, family.representative_identifier))


def test_an_invalid_address_is_refused(client, family):
    response = submit(client, IDENTIFIER, {"email": "pas-une-adresse"})
    assert "Saisissez une adresse mail valide" in text_of(response)


def test_the_forgotten_password_page(client, family):
    html = text_of(client.get(PASSWORD_PAGE))
    assert "<h1>Mot de passe oublié</h1>" in html
    assert ">votre identifiant</label>" in html


def test_a_found_identifier_gets_a_reference_and_a_reset_link(app, client, family):
    response = ask_password(client, family.representative_identifier)
    html = text_of(response)
    assert "Votre demande de réinitialisation de mot de passe a été prise en compte." in html
    reference = re.search(r"La référence de cette demande est le n° (\d{13})\.", html).group(1)
    assert "Veuillez noter ce numéro." in html
    assert "Un mail détaillant la marche à suivre" in html
    [message] = outbox(app, family.academy_id)
    assert message.to == "jean@example.fr"
    assert reference in message.subject
    assert reference in message.text and reference in message.html
    path = reset_path(message)
    assert path.startswith("/ac-test/mot-de-passe/")

    form = text_of(client.get(path))
    assert "<h1>Votre mot de passe</h1>" in form
    for label in (
        "votre identifiant",
        "votre nouveau mot de passe",
        "confirmation du nouveau mot de passe",
    ):
        assert f">{label}</label>" in form
    done = reset(client, path, family.representative_identifier)
    assert done.status_code == 302 and done.headers["Location"] == LOGIN
    assert "Votre mot de passe a été modifié." in text_of(client.get(LOGIN))
    assert "Identifiant ou mot de passe incorrect." in text_of(
        login(client, family.representative_identifier, OLD)
    )
    assert login(client, family.representative_identifier, NEW).headers["Location"] == (
        "/ac-test/accueil"
    )


def test_a_reset_link_works_once(app, client, family):
    ask_password(client, family.representative_identifier)
    path = reset_path(outbox(app, family.academy_id)[0])
    reset(client, path, family.representative_identifier)
    again = client.get(path)
    assert again.status_code == 410 and "Lien déjà utilisé" in text_of(again)


def test_a_reset_link_expires_after_a_day(app, client, family):
    with time_machine.travel("2025-09-01 10:00Z", tick=False):
        ask_password(client, family.representative_identifier)
    path = reset_path(outbox(app, family.academy_id)[0])
    with time_machine.travel("2025-09-02 10:01Z", tick=False):
        expired = client.get(path)
        assert expired.status_code == 410 and "Lien expiré" in text_of(expired)


def test_a_new_request_voids_the_previous_link(app, client, family):
    ask_password(client, family.representative_identifier)
    ask_password(client, family.representative_identifier)
    first, second = outbox(app, family.academy_id)
    assert first.subject != second.subject
    assert client.get(reset_path(first)).status_code == 404
    assert client.get(reset_path(second)).status_code == 200


def test_the_reset_form_checks_the_identifier_and_the_password(app, client, family):
    ask_password(client, family.representative_identifier)
    path = reset_path(outbox(app, family.academy_id)[0])
    wrong = reset(client, path, family.student_identifier)
    assert "Cet identifiant ne correspond pas à votre demande" in text_of(wrong)
    weak = reset(client, path, family.representative_identifier, "motdepasse")
    assert "de 8 à 14 caractères" in text_of(weak)
    different = reset(client, path, family.representative_identifier, NEW, "autre2025")
    assert "Les deux mots de passe ne sont pas identiques." in text_of(different)
    assert reset(client, path, family.representative_identifier).status_code == 302


def test_a_reset_ends_every_session(app, client, family):
    login(client, family.representative_identifier, OLD)
    assert client.get("/ac-test/accueil").status_code == 200
    other = app.test_client()
    ask_password(other, family.representative_identifier)
    reset(other, reset_path(outbox(app, family.academy_id)[0]), family.representative_identifier)
    assert client.get("/ac-test/accueil").status_code == 302


def test_an_unknown_identifier_is_not_recognised(app, client, family):
    for identifier in (
        "personne.inconnue",
        family.student_identifier,
    ):  # the student's: Non notifié
        html = text_of(ask_password(client, identifier))
        assert UNKNOWN in html
    assert outbox(app, family.academy_id) == []


def test_an_unconfirmed_address_must_be_validated_first(app, client, family):
    activate(app, family.academy_id, family.student_account_id, OLD, "")
    html = text_of(ask_password(client, family.student_identifier))
    assert NOT_CONFIRMED in html
    assert outbox(app, family.academy_id) == []


def test_a_notified_account_must_be_validated_first(app, client, academy):
    family = make_family(app, academy)
    notify_account(app, family.academy_id, family.representative_account_id)
    assert NOT_CONFIRMED in text_of(ask_password(client, family.representative_identifier))
    with app.app_context():
        account = account_of(family.academy_id, family.representative_account_id)
    assert account.state is AccountState.NOTIFIE


def test_recovery_is_rate_limited(make_app, academy, family):
    app = make_app(ACCOUNT_RECOVERY_RATE_LIMIT="2 per hour")
    client = app.test_client()
    for _ in range(2):
        assert ask_password(client, family.representative_identifier).status_code == 200
    blocked = ask_password(client, family.representative_identifier)
    assert blocked.status_code == 429 and "Trop de tentatives" in text_of(blocked)
    for _ in range(2):
        assert submit(client, IDENTIFIER, {"email": "jean@example.fr"}).status_code == 200
    assert submit(client, IDENTIFIER, {"email": "jean@example.fr"}).status_code == 429


def test_recovery_is_rate_limited_per_address(make_app, academy, family):
    app = make_app(ACCOUNT_RECOVERY_IP_RATE_LIMIT="3 per hour")
    client = app.test_client()
    for number in range(3):
        assert ask_password(client, f"inconnu.{number}").status_code == 200
    assert ask_password(client, "inconnu.autre").status_code == 429


def test_recovery_forms_refuse_a_post_without_csrf_token(app, client, family):
    assert client.post(IDENTIFIER, data={"email": "jean@example.fr"}).status_code == 400
    assert (
        client.post(
            PASSWORD_PAGE, data={"identifier": family.representative_identifier}
        ).status_code
        == 400
    )
    ask_password(client, family.representative_identifier)
    path = reset_path(outbox(app, family.academy_id)[0])
    response = client.post(
        path,
        data={
            "identifier": family.representative_identifier,
            "password": NEW,
            "password_confirmation": NEW,
        },
    )
    assert response.status_code == 400
    assert len(outbox(app, family.academy_id)) == 1
    assert login(client, family.representative_identifier, OLD).status_code == 302
