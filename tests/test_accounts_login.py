"""Login of families and students: the page, the outcomes, the session, logout, rate limits, CSRF."""

import uuid

import pytest
import time_machine

from teleservices.accounts.testing import (
    account_of,
    activate,
    make_family,
    notify_account,
    submit,
    text_of,
)

LOGIN = "/ac-test/connexion"
HOME = "/ac-test/accueil"
PASSWORD = "soleil2024"
BAD = "Identifiant ou mot de passe incorrect."


@pytest.fixture
def family(app, academy):
    return make_family(app, academy)


@pytest.fixture
def used(app, family):
    """The representative's account, used, with a confirmed address."""
    activate(app, family.academy_id, family.representative_account_id, PASSWORD, "jean@example.fr")
    return family


def login(client, identifier, password, page=LOGIN):
    return submit(client, page, {"identifier": identifier, "password": password})


def test_the_login_page_has_the_guide_labels_and_links(client, academy):
    html = client.get(LOGIN).get_data(as_text=True)
    assert '<label class="fr-label" for="identifier">votre identifiant</label>' in html
    assert '<label class="fr-label" for="password">votre mot de passe</label>' in html
    assert ">identifiant oublié ?</a>" in html
    assert ">mot de passe oublié ?</a>" in html
    assert 'href="/ac-test/identifiant-oublie"' in html
    assert 'href="/ac-test/mot-de-passe-oublie"' in html


def test_an_unknown_academy_has_no_login_page(client, academy):
    assert client.get("/ac-nulle/connexion").status_code == 404


def test_a_used_account_lands_on_its_home(app, client, used):
    response = login(client, used.representative_identifier, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == HOME
    html = client.get(HOME).get_data(as_text=True)
    assert "Bienvenue M. Dupont" in html
    assert "1 enfant est rattaché à votre compte" in html
    assert "Alice DUPONT" in html and "né(e) le 14/03/2012" in html
    assert "élève de 4C" in html and "Collège Victor Hugo" in html
    assert "Première connexion à votre compte." in html
    assert "se déconnecter" in html
    with app.app_context():
        assert account_of(used.academy_id, used.representative_account_id).last_login_at


def test_the_home_shows_the_previous_login(app, client, used):
    with time_machine.travel("2025-01-07 09:30Z", tick=False):
        login(client, used.representative_identifier, PASSWORD)
        client.post("/ac-test/deconnexion", data={"csrf_token": _token(client, HOME)})
    with time_machine.travel("2025-02-10 18:00Z", tick=False):
        login(client, used.representative_identifier, PASSWORD)
        html = client.get(HOME).get_data(as_text=True)
    assert "Dernière connexion le mar. 07/01/2025 à 10:30" in html  # Paris time (UTC+1)


def test_a_student_is_greeted_by_name(app, client, family):
    activate(app, family.academy_id, family.student_account_id, PASSWORD)
    login(client, family.student_identifier, PASSWORD)
    html = client.get(HOME).get_data(as_text=True)
    assert "Bienvenue Alice DUPONT" in html
    assert "enfant est rattaché" not in html


def test_the_identifier_ignores_case_and_spaces(client, used):
    response = login(client, f"  {used.representative_identifier.upper()} ", PASSWORD)
    assert response.headers["Location"] == HOME


def test_wrong_credentials_never_tell_which_part_was_wrong(app, client, used, family):
    wrong_password = login(client, used.representative_identifier, "pasbon123")
    unknown = login(client, "personne.inconnue", PASSWORD)
    not_notified = login(client, family.student_identifier, PASSWORD)
    pages = [r.get_data(as_text=True) for r in (wrong_password, unknown, not_notified)]
    for response, html in zip((wrong_password, unknown, not_notified), pages, strict=True):
        assert response.status_code == 200
        assert BAD in html
    assert client.get(HOME).status_code == 302


def test_a_provisional_password_leads_to_the_first_connection(app, client, family):
    password = notify_account(app, family.academy_id, family.representative_account_id)
    response = login(client, family.representative_identifier, password)
    assert response.headers["Location"] == "/ac-test/premiere-connexion"
    # Not logged in yet: the portal stays closed until the account is activated.
    assert client.get(HOME).status_code == 302


def test_a_provisional_password_printed_in_capitals_is_accepted(app, client, family):
    password = notify_account(app, family.academy_id, family.representative_account_id)
    response = login(client, family.representative_identifier, password.upper())
    assert response.headers["Location"] == "/ac-test/premiere-connexion"


def test_the_home_needs_a_login(client, academy):
    response = client.get(HOME)
    assert response.status_code == 302 and response.headers["Location"] == LOGIN


def test_a_logged_in_visitor_of_the_login_page_goes_home(client, used):
    login(client, used.representative_identifier, PASSWORD)
    response = client.get(LOGIN)
    assert response.status_code == 302 and response.headers["Location"] == HOME


def test_login_renews_the_session_and_keeps_the_language(client, used):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "fr"
    login(client, used.representative_identifier, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "fr"
        assert session["_user_id"].startswith(f"account:{used.representative_account_id}:")


def test_the_session_cookie_is_httponly_and_samesite(client, used):
    response = login(client, used.representative_identifier, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_session_cookie_is_secure_behind_https(make_app, academy, family):
    app = make_app(BASE_URL="https://teleservices.example.fr")
    activate(app, family.academy_id, family.representative_account_id, PASSWORD)
    client = app.test_client()
    response = login(client, family.representative_identifier, PASSWORD)
    assert "Secure" in response.headers["Set-Cookie"]


def _token(client, page):
    from teleservices.accounts.testing import csrf_token

    return csrf_token(client.get(page).get_data(as_text=True))


def test_logout_ends_every_session_of_the_account(app, client, used):
    login(client, used.representative_identifier, PASSWORD)
    stolen = client.get_cookie("session").value
    response = client.post("/ac-test/deconnexion", data={"csrf_token": _token(client, HOME)})
    assert response.status_code == 302 and response.headers["Location"] == LOGIN
    assert "Vous êtes déconnecté(e)" in client.get(LOGIN).get_data(as_text=True)
    assert client.get(HOME).status_code == 302
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get(HOME).status_code == 302


def test_logout_and_login_refuse_a_post_without_csrf_token(client, used):
    refused = client.post(
        LOGIN, data={"identifier": used.representative_identifier, "password": PASSWORD}
    )
    assert refused.status_code == 400
    assert "Le formulaire a expiré ou n'est pas valide" in text_of(refused)
    login(client, used.representative_identifier, PASSWORD)
    assert client.post("/ac-test/deconnexion").status_code == 400
    assert client.get(HOME).status_code == 200


def test_failed_logins_are_limited_per_identifier(make_app, academy, family):
    app = make_app(ACCOUNT_LOGIN_RATE_LIMIT="3 per minute")
    activate(app, family.academy_id, family.representative_account_id, PASSWORD)
    client = app.test_client()
    for _ in range(3):
        assert login(client, family.representative_identifier, "mauvais1").status_code == 200
    blocked = login(client, family.representative_identifier, PASSWORD)
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert "Trop de tentatives" in html
    assert "veuillez patienter quelques minutes avant de réessayer" in html
    assert "mot de passe oublié ?" in html
    # Another identifier from the same address is not blocked by this one's failures.
    assert login(client, "quelqu.un", "mauvais1").status_code == 200


def test_successful_logins_do_not_count(make_app, academy, family):
    app = make_app(ACCOUNT_LOGIN_RATE_LIMIT="2 per minute")
    activate(app, family.academy_id, family.representative_account_id, PASSWORD)
    for _ in range(4):
        client = app.test_client()
        assert login(client, family.representative_identifier, PASSWORD).status_code == 302


def test_the_limits_are_kept_in_redis_when_configured(make_app, academy, redis_url):
    from redis import Redis

    settings = {"RATELIMIT_STORAGE_URI": redis_url, "ACCOUNT_LOGIN_RATE_LIMIT": "2 per minute"}
    first = make_app(**settings)
    family = make_family(first, academy, last_name=f"TEST{uuid.uuid4().hex[:12]}")
    activate(first, family.academy_id, family.representative_account_id, PASSWORD)
    for _ in range(2):
        assert (
            login(first.test_client(), family.representative_identifier, "faux1234").status_code
            == 200
        )
    # Another process (another worker) shares the counts through Redis, not through memory.
    second = make_app(**settings)
    assert (
        login(second.test_client(), family.representative_identifier, PASSWORD).status_code == 429
    )
    redis = Redis.from_url(redis_url)
    for pattern in (f"*{family.representative_identifier}*", "*/127.0.0.1/accounts.login/*"):
        for key in redis.scan_iter(pattern):
            redis.delete(key)
    redis.close()


def test_failed_logins_are_limited_per_address(make_app, academy):
    app = make_app(ACCOUNT_LOGIN_IP_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for number in range(3):
        assert login(client, f"inconnu.{number}", "mauvais1").status_code == 200
    assert login(client, "inconnu.autre", "mauvais1").status_code == 429
    from_elsewhere = app.test_client()
    response = from_elsewhere.post(
        LOGIN,
        data={"identifier": "x", "password": "y", "csrf_token": _token(from_elsewhere, LOGIN)},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 200
