"""« Première connexion » (ACC-4): the form, the confirmation e-mail and its link, the waiting
screen (re-send, correct the address), the student case, and the wrong paths."""

from urllib.parse import urlsplit

import pytest
import time_machine

from teleservices.accounts.emails import CONFIRMATION_SUBJECT
from teleservices.accounts.models import AccountState
from teleservices.accounts.testing import (
    account_of,
    csrf_token,
    links_in,
    make_family,
    notify_account,
    outbox,
    submit,
    text_of,
)

LOGIN = "/ac-test/connexion"
FIRST = "/ac-test/premiere-connexion"
WAITING = "/ac-test/validation-en-attente"
HOME = "/ac-test/accueil"
CHOSEN = "nouveau2025"


@pytest.fixture
def family(app, academy):
    return make_family(app, academy)


def login(client, identifier, password):
    return submit(client, LOGIN, {"identifier": identifier, "password": password})


def answers(**changes):
    values = {
        "password": CHOSEN,
        "password_confirmation": CHOSEN,
        "email": "Jean.Dupont@Example.fr",
        "email_confirmation": "jean.dupont@example.fr",
        "birth_date": "2012-03-14",
    }
    return {**values, **changes}


def start(app, client, family, account="representative"):
    """Notify the account and log in with the provisional password."""
    account_id = getattr(family, f"{account}_account_id")
    password = notify_account(app, family.academy_id, account_id)
    response = login(client, getattr(family, f"{account}_identifier"), password)
    assert response.headers["Location"] == FIRST
    return account_id


def state_of(app, family, account_id):
    with app.app_context():
        return account_of(family.academy_id, account_id)


def link_path(message):
    return urlsplit(links_in(message.text)[0]).path


def test_the_form_has_the_guide_fields(app, client, family):
    start(app, client, family)
    html = text_of(client.get(FIRST))
    assert "<h1>Première connexion</h1>" in html
    for label in (
        "nouveau mot de passe",
        "confirmation du mot de passe",
        "votre adresse mail",
        "confirmation de l'adresse mail",
        "date de naissance",
    ):
        assert f">{label}</label>" in html
    assert "<strong>jean.dupont</strong>" in html
    assert "Votre enfant : Alice DUPONT" in html
    assert "8 caractères minimum, 14 caractères maximum, chiffres ET lettres obligatoires" in html


def test_a_representative_confirms_the_address_then_uses_the_account(app, client, family):
    account_id = start(app, client, family)
    response = submit(client, FIRST, answers())
    assert response.status_code == 302 and response.headers["Location"] == WAITING
    html = text_of(client.get(WAITING))
    assert "Compte en attente de validation" in html
    assert (
        "Pour utiliser votre compte, ouvrez maintenant le mail que vous venez de recevoir "
        "et suivez les instructions." in html
    )
    assert "jean.dupont@example.fr" in html
    account = state_of(app, family, account_id)
    assert account.state is AccountState.EN_COURS_ACTIVATION
    assert account.first_connection_at is not None and account.activated_at is None
    assert account.provisional_password_encrypted is None
    assert account.email == "jean.dupont@example.fr" and not account.email_confirmed

    [message] = outbox(app, family.academy_id)
    assert message.to == "jean.dupont@example.fr"
    assert message.subject == CONFIRMATION_SUBJECT
    assert "Vous disposez d'un délai de 3 mois pour activer votre compte." in message.text
    link = links_in(message.text)[0]
    assert link.startswith("http://localhost/ac-test/confirmation-adresse/")
    assert f'href="{link}"' in message.html

    # Until the link is clicked, the account is unusable: login leads back to the waiting screen.
    client.get(LOGIN)
    assert client.get(HOME).status_code == 302
    again = login(client, family.representative_identifier, CHOSEN)
    assert again.headers["Location"] == WAITING

    clicked = client.get(link_path(message))
    assert clicked.status_code == 200
    html = text_of(clicked)
    assert "Création réussie" in html
    assert "vous pouvez maintenant utiliser les différents services" in html
    account = state_of(app, family, account_id)
    assert account.state is AccountState.UTILISE
    assert account.email_confirmed and account.activated_at is not None

    reused = client.get(link_path(message))
    assert reused.status_code == 410 and "Lien déjà utilisé" in text_of(reused)
    assert login(client, family.representative_identifier, CHOSEN).headers["Location"] == HOME


def test_the_email_comes_from_the_academy(app, client, family):
    from teleservices.extensions import db
    from teleservices.tenancy.context import all_academies
    from teleservices.tenancy.models import Academy

    with app.app_context(), all_academies():
        db.session.get(
            Academy, family.academy_id
        ).mail_sender = "Administrateur des services en ligne <teleservices@ac-test.fr>"
        db.session.commit()
    start(app, client, family)
    submit(client, FIRST, answers())
    [message] = outbox(app, family.academy_id)
    assert message.sender == "Administrateur des services en ligne <teleservices@ac-test.fr>"


def test_a_wrong_birth_date_is_refused(app, client, family):
    account_id = start(app, client, family)
    response = submit(client, FIRST, answers(birth_date="2012-03-15"))
    assert response.status_code == 200
    assert "La date de naissance ne correspond pas" in text_of(response)
    assert state_of(app, family, account_id).state is AccountState.NOTIFIE
    assert outbox(app, family.academy_id) == []


def test_a_birth_date_may_be_typed_in_french(app, client, family):
    start(app, client, family)
    response = submit(client, FIRST, answers(birth_date="14/03/2012"))
    assert response.headers["Location"] == WAITING


def test_wrong_birth_dates_count_for_the_rate_limit(make_app, academy, family):
    app = make_app(ACCOUNT_BIRTH_DATE_RATE_LIMIT="2 per 15 minutes")
    client = app.test_client()
    start(app, client, family)
    for _ in range(2):
        assert submit(client, FIRST, answers(birth_date="2011-01-01")).status_code == 200
    blocked = submit(client, FIRST, answers())
    assert blocked.status_code == 429
    assert "Trop de tentatives" in text_of(blocked)


def test_invalid_answers_do_not_count_for_the_rate_limit(make_app, academy, family):
    app = make_app(ACCOUNT_BIRTH_DATE_RATE_LIMIT="1 per 15 minutes")
    client = app.test_client()
    start(app, client, family)
    for _ in range(3):
        assert submit(client, FIRST, answers(password="court1")).status_code == 200
    assert submit(client, FIRST, answers()).headers["Location"] == WAITING


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password_confirmation": "autre2025"}, "Les deux mots de passe ne sont pas identiques."),
        (
            {"email_confirmation": "autre@example.fr"},
            "Les deux adresses mail ne sont pas identiques.",
        ),
        (
            {"password": "seulementdeslettres", "password_confirmation": "seulementdeslettres"},
            "Le mot de passe doit contenir de 8 à 14 caractères",
        ),
        ({"password": "abc123", "password_confirmation": "abc123"}, "de 8 à 14 caractères"),
        (
            {"password": "abcdefgh1234567", "password_confirmation": "abcdefgh1234567"},
            "de 8 à 14 caractères",
        ),
        ({"email": "", "email_confirmation": ""}, "Saisissez votre adresse mail."),
        (
            {"email": "pas-une-adresse", "email_confirmation": "pas-une-adresse"},
            "adresse mail valide",
        ),
        ({"birth_date": ""}, "Saisissez la date de naissance."),
        ({"birth_date": "31/02/2012"}, "Saisissez une date valide"),
    ],
)
def test_wrong_answers_are_refused(app, client, family, changes, message):
    account_id = start(app, client, family)
    response = submit(client, FIRST, answers(**changes))
    assert response.status_code == 200
    assert message in text_of(response)
    assert state_of(app, family, account_id).state is AccountState.NOTIFIE


def test_a_student_uses_the_account_at_once_without_address(app, client, family):
    account_id = start(app, client, family, "student")
    html = text_of(client.get(FIRST))
    assert "Élève : Alice DUPONT" in html
    assert "sauf l'adresse mail" in html
    response = submit(client, FIRST, answers(email="", email_confirmation=""))
    assert response.headers["Location"] == HOME
    html = text_of(client.get(HOME))
    assert "Création réussie" in html and "Bienvenue Alice DUPONT" in html
    account = state_of(app, family, account_id)
    assert account.state is AccountState.UTILISE and account.activated_at is not None
    assert account.provisional_password_encrypted is None
    assert outbox(app, family.academy_id) == []


def test_a_student_address_is_confirmed_later(app, client, family):
    account_id = start(app, client, family, "student")
    response = submit(
        client, FIRST, answers(email="alice@example.fr", email_confirmation="alice@example.fr")
    )
    assert response.headers["Location"] == HOME
    account = state_of(app, family, account_id)
    assert account.state is AccountState.UTILISE and not account.email_confirmed
    [message] = outbox(app, family.academy_id)
    assert message.to == "alice@example.fr"
    assert "délai de 3 mois pour activer" not in message.text
    html = text_of(client.get(link_path(message)))
    assert "Adresse mail confirmée" in html
    assert state_of(app, family, account_id).email_confirmed


def test_the_confirmation_link_expires_after_three_months(app, client, family):
    with time_machine.travel("2025-09-01 10:00Z", tick=False):
        account_id = start(app, client, family)
        submit(client, FIRST, answers())
    [message] = outbox(app, family.academy_id)
    with time_machine.travel("2025-12-01 10:01Z", tick=False):
        expired = client.get(link_path(message))
    assert expired.status_code == 410
    assert "Lien expiré" in text_of(expired)
    assert state_of(app, family, account_id).state is AccountState.EN_COURS_ACTIVATION


def test_the_link_is_valid_until_the_end_of_the_three_months(app, client, family):
    with time_machine.travel("2025-09-01 10:00Z", tick=False):
        account_id = start(app, client, family)
        submit(client, FIRST, answers())
    [message] = outbox(app, family.academy_id)
    with time_machine.travel("2025-12-01 09:59Z", tick=False):
        assert client.get(link_path(message)).status_code == 200
    assert state_of(app, family, account_id).state is AccountState.UTILISE


def test_an_unknown_link_is_refused(client, academy):
    response = client.get("/ac-test/confirmation-adresse/pas-un-vrai-jeton")
    assert response.status_code == 404
    assert "Lien non valide" in text_of(response)


def test_the_confirmation_email_can_be_sent_again(app, client, family):
    start(app, client, family)
    submit(client, FIRST, answers())
    page = client.get(WAITING).get_data(as_text=True)
    response = client.post(
        "/ac-test/validation-en-attente/renvoyer", data={"csrf_token": csrf_token(page)}
    )
    assert response.headers["Location"] == WAITING
    assert "Un nouveau courriel de confirmation vient d'être envoyé" in text_of(client.get(WAITING))
    first, second = outbox(app, family.academy_id)
    assert second.to == "jean.dupont@example.fr"
    assert client.get(link_path(first)).status_code == 404
    assert "Création réussie" in text_of(client.get(link_path(second)))


def test_the_address_can_be_corrected(app, client, family):
    account_id = start(app, client, family)
    submit(client, FIRST, answers(email="jean@typo.fr", email_confirmation="jean@typo.fr"))
    response = submit(
        client,
        WAITING,
        {"email": "jean@bonne-adresse.fr", "email_confirmation": "jean@bonne-adresse.fr"},
        action="/ac-test/validation-en-attente/adresse",
    )
    assert response.headers["Location"] == WAITING
    first, second = outbox(app, family.academy_id)
    assert (first.to, second.to) == ("jean@typo.fr", "jean@bonne-adresse.fr")
    assert state_of(app, family, account_id).email == "jean@bonne-adresse.fr"
    assert client.get(link_path(first)).status_code == 404
    assert client.get(link_path(second)).status_code == 200
    account = state_of(app, family, account_id)
    assert account.state is AccountState.UTILISE and account.email == "jean@bonne-adresse.fr"


def test_a_wrong_corrected_address_is_refused(app, client, family):
    start(app, client, family)
    submit(client, FIRST, answers())
    response = submit(
        client,
        WAITING,
        {"email": "jean@exemple.fr", "email_confirmation": "jean@autre.fr"},
        action="/ac-test/validation-en-attente/adresse",
    )
    assert response.status_code == 200
    assert "Les deux adresses mail ne sont pas identiques." in text_of(response)
    assert len(outbox(app, family.academy_id)) == 1


def test_resending_is_rate_limited(make_app, academy, family):
    app = make_app(ACCOUNT_MAIL_RATE_LIMIT="1 per hour")
    client = app.test_client()
    start(app, client, family)
    submit(client, FIRST, answers())
    action = "/ac-test/validation-en-attente/renvoyer"
    assert submit(client, WAITING, {}, action=action).status_code == 302
    assert submit(client, WAITING, {}, action=action).status_code == 429


def test_the_steps_need_the_password_first(client, family):
    for page in (FIRST, WAITING):
        response = client.get(page)
        assert response.status_code == 302 and response.headers["Location"] == LOGIN


def test_the_first_connection_step_expires(app, client, family):
    with time_machine.travel("2025-09-01 10:00Z", tick=False):
        start(app, client, family)
    with time_machine.travel("2025-09-01 10:31Z", tick=False):
        response = client.get(FIRST)
        assert response.headers["Location"] == LOGIN
        assert "Votre session a expiré" in text_of(client.get(LOGIN))


def test_the_forms_refuse_a_post_without_csrf_token(app, client, family):
    start(app, client, family)
    assert client.post(FIRST, data=answers()).status_code == 400
    submit(client, FIRST, answers())
    assert client.post("/ac-test/validation-en-attente/renvoyer").status_code == 400
    assert (
        client.post(
            "/ac-test/validation-en-attente/adresse",
            data={"email": "x@example.fr", "email_confirmation": "x@example.fr"},
        ).status_code
        == 400
    )
    assert len(outbox(app, family.academy_id)) == 1
