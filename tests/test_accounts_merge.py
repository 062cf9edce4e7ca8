"""« Regrouper des comptes » (ACC-9): the two steps, the rules, the joint account, CSRF, isolation."""

from datetime import date

import pytest
from sqlalchemy import select

from teleservices.accounts.models import Account, AccountChild, AccountState
from teleservices.accounts.testing import (
    account_of,
    activate,
    csrf_token,
    make_family,
    notify_account,
    submit,
    text_of,
)
from teleservices.extensions import db
from teleservices.school.models import Representative, StudentRepresentative
from teleservices.tenancy.context import tenant

LOGIN = "/ac-test/connexion"
MERGE = "/ac-test/compte/regrouper"
CONFIRM = "/ac-test/compte/regrouper/confirmation"
PASSWORD = "soleil2024"
OTHER_PASSWORD = "lune2025x"
BAD = "Identifiant, mot de passe ou date de naissance incorrect."


@pytest.fixture
def first(app, academy):
    family = make_family(app, academy)
    activate(app, academy.id, family.representative_account_id, PASSWORD, "jean@example.fr")
    return family


@pytest.fixture
def second(app, academy):
    """A child at the lycée, whose representative account is still Notifié (letter in hand)."""
    return make_family(
        app,
        academy,
        uai="0250001R",
        first_name="Hugo",
        last_name="MARTIN",
        representative_first_name="Paul",
        birth_date=date(2009, 6, 2),
        division="2NDE1",
    )


def login(client, identifier, password=PASSWORD):
    response = submit(client, LOGIN, {"identifier": identifier, "password": password})
    assert response.status_code == 302
    return response


def ask(client, identifier, password, birth_date=""):
    return submit(
        client, MERGE, {"identifier": identifier, "password": password, "birth_date": birth_date}
    )


def children_ids(app, academy_id, account_id):
    with app.app_context(), tenant(academy_id):
        return sorted(
            db.session.scalars(
                select(AccountChild.student_id).where(AccountChild.account_id == account_id)
            )
        )


def test_merge_across_establishments_with_the_letter_of_the_other_child(
    app, client, academy, first, second
):
    provisional = notify_account(app, academy.id, second.representative_account_id)
    login(client, first.representative_identifier)
    assert "Regrouper des comptes" in text_of(client.get("/ac-test/compte"))
    response = ask(client, second.representative_identifier, provisional, "02/06/2009")
    assert response.status_code == 302 and response.headers["Location"] == CONFIRM
    page = text_of(client.get(CONFIRM))
    assert "Regrouper des comptes - Confirmation" in page
    assert "Alice" in page and "Hugo" in page and "Lycée" in page
    assert (
        f"vous confirmez la fermeture du compte {second.representative_identifier} et le "
        f"rattachement de l'ensemble des élèves ci-dessus au compte "
        f"{first.representative_identifier}" in page
    )
    done = client.post(CONFIRM, data={"csrf_token": csrf_token(page)})
    assert done.headers["Location"] == "/ac-test/compte/regrouper/effectue"
    assert "effectuée avec succès" in text_of(client.get(done.headers["Location"]))
    assert children_ids(app, academy.id, first.representative_account_id) == sorted(
        [first.student_id, second.student_id]
    )
    with app.app_context():
        closed = account_of(academy.id, second.representative_account_id)
    assert closed.state is AccountState.FERME and closed.closed_at is not None
    assert closed.provisional_password_encrypted is None
    assert "Alice DUPONT" in text_of(client.get("/ac-test/accueil"))
    assert "Hugo MARTIN" in text_of(client.get("/ac-test/accueil"))


def test_the_closed_account_no_longer_logs_in(app, client, academy, first, second):
    activate(app, academy.id, second.representative_account_id, OTHER_PASSWORD, "paul@example.fr")
    login(client, first.representative_identifier)
    ask(client, second.representative_identifier, OTHER_PASSWORD)
    client.post(CONFIRM, data={"csrf_token": csrf_token(client.get(CONFIRM).text)})
    client.get("/ac-test/")
    other = app.test_client()
    response = submit(
        other,
        LOGIN,
        {"identifier": second.representative_identifier, "password": OTHER_PASSWORD},
    )
    assert response.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in text_of(response)


def test_a_provisional_password_needs_the_right_birth_date(app, client, academy, first, second):
    provisional = notify_account(app, academy.id, second.representative_account_id)
    login(client, first.representative_identifier)
    for birth_date in ("", "03/06/2009"):
        response = ask(client, second.representative_identifier, provisional, birth_date)
        assert response.status_code == 200 and BAD in text_of(response)
    assert children_ids(app, academy.id, first.representative_account_id) == [first.student_id]


def test_wrong_password_and_unknown_identifier_say_the_same(app, client, academy, first, second):
    activate(app, academy.id, second.representative_account_id, OTHER_PASSWORD)
    login(client, first.representative_identifier)
    wrong = text_of(ask(client, second.representative_identifier, "pasbon123"))
    unknown = text_of(ask(client, "personne.inconnue", "pasbon123"))
    assert BAD in wrong and BAD in unknown


def test_an_account_is_not_merged_with_itself(client, first):
    login(client, first.representative_identifier)
    response = ask(client, first.representative_identifier, PASSWORD)
    assert "Vous ne pouvez pas regrouper votre compte avec lui-même." in text_of(response)


def test_a_student_account_is_never_merged(app, client, academy, first, second):
    activate(app, academy.id, second.student_account_id, OTHER_PASSWORD)
    login(client, first.representative_identifier)
    response = ask(client, second.student_identifier, OTHER_PASSWORD)
    assert "Un compte élève ne peut pas être regroupé" in text_of(response)
    assert children_ids(app, academy.id, first.representative_account_id) == [first.student_id]


def test_a_student_cannot_start_a_merge(app, client, academy, first):
    activate(app, academy.id, first.student_account_id, OTHER_PASSWORD)
    login(client, first.student_identifier, OTHER_PASSWORD)
    response = client.get(MERGE)
    assert response.status_code == 302 and response.headers["Location"] == "/ac-test/compte"


def test_never_across_academies(app, client, academy, other_academy, first):
    stranger = make_family(app, other_academy, uai="0900001M", first_name="Léa", last_name="ROUX")
    activate(app, other_academy.id, stranger.representative_account_id, OTHER_PASSWORD)
    login(client, first.representative_identifier)
    response = ask(client, stranger.representative_identifier, OTHER_PASSWORD)
    assert BAD in text_of(response)
    with app.app_context():
        kept = account_of(other_academy.id, stranger.representative_account_id)
    assert kept.state is AccountState.UTILISE


def test_both_representatives_make_a_joint_account(app, client, academy, first):
    """The second parent of Alice has his own account: merged, both pairs stay on one account."""
    with app.app_context(), tenant(academy.id):
        mother = Representative(
            establishment_id=db.session.get(
                Representative, first.representative_id
            ).establishment_id,
            personne_id="7999999",
            civility="Mme",
            first_name="Marie",
            last_name="DUPONT",
        )
        db.session.add(mother)
        db.session.flush()
        mother_account = Account(
            identifier="marie.dupont", identifier_base="marie.dupont", kind="representative"
        )
        db.session.add(mother_account)
        db.session.flush()
        db.session.add_all(
            [
                StudentRepresentative(
                    establishment_id=mother.establishment_id,
                    student_id=first.student_id,
                    representative_id=mother.id,
                    level=1,
                    legal_rank=2,
                ),
                AccountChild(
                    account_id=mother_account.id,
                    student_id=first.student_id,
                    representative_id=mother.id,
                ),
            ]
        )
        db.session.commit()
        mother_account_id, mother_id = mother_account.id, mother.id
    activate(app, academy.id, mother_account_id, OTHER_PASSWORD, "marie@example.fr")
    login(client, first.representative_identifier)
    ask(client, "marie.dupont", OTHER_PASSWORD)
    client.post(CONFIRM, data={"csrf_token": csrf_token(client.get(CONFIRM).text)})
    with app.app_context(), tenant(academy.id):
        pairs = sorted(
            db.session.execute(
                select(AccountChild.student_id, AccountChild.representative_id).where(
                    AccountChild.account_id == first.representative_account_id
                )
            ).all()
        )
    assert pairs == sorted(
        [(first.student_id, first.representative_id), (first.student_id, mother_id)]
    )


def test_the_confirmation_needs_the_first_step_and_csrf(app, client, academy, first, second):
    login(client, first.representative_identifier)
    response = client.get(CONFIRM)
    assert response.status_code == 302 and response.headers["Location"] == MERGE
    activate(app, academy.id, second.representative_account_id, OTHER_PASSWORD)
    ask(client, second.representative_identifier, OTHER_PASSWORD)
    assert client.post(CONFIRM, data={}).status_code == 400
    assert children_ids(app, academy.id, first.representative_account_id) == [first.student_id]


def test_cancelling_keeps_both_accounts(app, client, academy, first, second):
    activate(app, academy.id, second.representative_account_id, OTHER_PASSWORD)
    login(client, first.representative_identifier)
    ask(client, second.representative_identifier, OTHER_PASSWORD)
    page = client.get(CONFIRM).text
    client.post("/ac-test/compte/regrouper/annuler", data={"csrf_token": csrf_token(page)})
    assert client.get(CONFIRM).status_code == 302
    with app.app_context():
        assert account_of(academy.id, second.representative_account_id).state is (
            AccountState.UTILISE
        )


def test_merge_pages_need_a_login(client, academy):
    for url in (MERGE, CONFIRM, "/ac-test/compte/regrouper/effectue"):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == LOGIN


def test_wrong_credentials_are_rate_limited(make_app, academy):
    app = make_app(ACCOUNT_LOGIN_RATE_LIMIT="3 per minute")
    family = make_family(app, academy)
    activate(app, academy.id, family.representative_account_id, PASSWORD)
    client = app.test_client()
    login(client, family.representative_identifier)
    for _ in range(3):
        assert ask(client, "personne.inconnue", "pasbon123").status_code == 200
    blocked = ask(client, "personne.inconnue", "pasbon123")
    assert blocked.status_code == 429 and "Trop de tentatives" in text_of(blocked)
