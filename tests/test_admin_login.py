"""Staff login: messages, rate limits, TOTP enrolment and codes, logout, platform administrators."""

import pyotp
import pytest
from sqlalchemy import select

from teleservices.admin.audit import AuditEntry
from teleservices.admin.models import PlatformAdmin, StaffMember, StaffRole
from teleservices.admin.testing import (
    PASSWORD,
    make_platform_admin,
    make_staff,
    secret_from,
    staff_session,
)
from teleservices.extensions import db
from teleservices.tenancy.context import all_academies, tenant


def _audit_actions(app, academy):
    with app.app_context(), tenant(academy.id):
        return [e.action for e in db.session.execute(select(AuditEntry)).scalars()]


def test_head_logs_in_with_password_and_sees_the_admin_home(app, academy):
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    session = staff_session(app, "ac-test")
    page = session.login("chef.hugo")
    assert page.request.path == "/ac-test/admin/"
    assert "Collège Victor Hugo" in page.text
    assert "Lycée Louis Pasteur" not in page.text
    assert "Chef d&#39;établissement" in page.text or "Chef d'établissement" in page.text
    assert "staff.login" in _audit_actions(app, academy)
    with app.app_context(), tenant(academy.id):
        member = db.session.execute(select(StaffMember)).scalar_one()
        assert member.last_login_at is not None


def test_wrong_password_and_unknown_login_get_the_same_message(app, academy):
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    session = staff_session(app, "ac-test")
    session.get("/ac-test/admin/connexion")
    wrong = session.post("/ac-test/admin/connexion", {"login": "chef.hugo", "password": "non"})
    unknown = session.post("/ac-test/admin/connexion", {"login": "personne", "password": "non"})
    for page in (wrong, unknown):
        assert page.status_code == 200
        assert "Identifiant ou mot de passe incorrect." in page.text
    assert session.get("/ac-test/admin/").status_code == 302
    assert _audit_actions(app, academy).count("staff.login_failed") == 2


def test_empty_fields_are_reported_next_to_them(app, academy):
    session = staff_session(app, "ac-test")
    session.get("/ac-test/admin/connexion")
    page = session.post("/ac-test/admin/connexion", {"login": "", "password": ""})
    assert "Saisissez votre identifiant." in page.text
    assert "Saisissez votre mot de passe." in page.text


def test_staff_of_another_academy_cannot_log_in_here(app, academy, other_academy):
    make_staff(app, other_academy, "chef.moulin", StaffRole.HEAD, uai="0900001M")
    session = staff_session(app, "ac-test")
    page = session.login("chef.moulin")
    assert "Identifiant ou mot de passe incorrect." in page.text


def test_a_session_opened_in_one_academy_is_not_valid_in_another(app, academy, other_academy):
    make_staff(app, academy, "admin.test", StaffRole.HEAD, uai="0251711Z")
    session = staff_session(app, "ac-test")
    session.login("admin.test")
    response = session.get("/ac-autre/admin/")
    assert response.status_code == 302
    assert "/ac-autre/admin/connexion" in response.headers["Location"]


def test_login_is_rate_limited_per_address(make_app, academy):
    app = make_app(ADMIN_LOGIN_RATE_LIMIT="3 per minute")
    session = staff_session(app, "ac-test")
    session.get("/ac-test/admin/connexion")
    for number in range(3):
        page = session.post(
            "/ac-test/admin/connexion", {"login": f"x{number}", "password": "mauvais"}
        )
        assert page.status_code == 200
    blocked = session.post("/ac-test/admin/connexion", {"login": "x9", "password": "mauvais"})
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.text


def test_login_is_rate_limited_per_identifier_across_addresses(make_app, academy):
    app = make_app(ADMIN_LOGIN_RATE_LIMIT="3 per minute")
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    statuses = []
    for number in range(4):
        session = staff_session(app, "ac-test")
        address = {"REMOTE_ADDR": f"10.0.0.{number + 1}"}
        session.get("/ac-test/admin/connexion", environ_base=address)
        page = session.post(
            "/ac-test/admin/connexion",
            {"login": "chef.hugo", "password": "mauvais"},
            environ_base=address,
        )
        statuses.append(page.status_code)
    assert statuses == [200, 200, 200, 429]


def test_default_limit_is_ten_attempts_a_minute(app, academy):
    session = staff_session(app, "ac-test")
    session.get("/ac-test/admin/connexion")
    statuses = [
        session.post("/ac-test/admin/connexion", {"login": "a", "password": "b"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_academy_admin_enrols_totp_then_needs_a_code_at_each_login(app, academy):
    make_staff(app, academy, "admin.rectorat", StaffRole.ACADEMY_ADMIN)
    session = staff_session(app, "ac-test")
    session.get("/ac-test/admin/connexion")
    page = session.post(
        "/ac-test/admin/connexion",
        {"login": "admin.rectorat", "password": PASSWORD},
        follow_redirects=True,
    )
    assert page.request.path == "/ac-test/admin/connexion/double-authentification"
    assert "data:image/svg+xml" in page.text
    secret = secret_from(page.text)
    # Not logged in before the second factor.
    assert session.get("/ac-test/admin/").status_code == 302
    page = session.get("/ac-test/admin/connexion/double-authentification")
    assert secret_from(page.text) == secret, "the secret stays the same during enrolment"
    wrong = session.post("/ac-test/admin/connexion/double-authentification", {"code": "000000"})
    assert "Code incorrect" in wrong.text
    page = session.post(
        "/ac-test/admin/connexion/double-authentification",
        {"code": session.fresh_code(secret)},
        follow_redirects=True,
    )
    assert page.request.path == "/ac-test/admin/"
    assert "La double authentification est activée" in page.text
    assert "Lycée Louis Pasteur" in page.text and "Collège Victor Hugo" in page.text
    assert "staff.totp_enrolled" in _audit_actions(app, academy)

    again = staff_session(app, "ac-test")
    again._used_steps = session._used_steps
    again.get("/ac-test/admin/connexion")
    page = again.post(
        "/ac-test/admin/connexion",
        {"login": "admin.rectorat", "password": PASSWORD},
        follow_redirects=True,
    )
    assert page.request.path == "/ac-test/admin/connexion/code"
    assert again.get("/ac-test/admin/").status_code == 302
    page = again.post(
        "/ac-test/admin/connexion/code", {"code": again.fresh_code(secret)}, follow_redirects=True
    )
    assert page.request.path == "/ac-test/admin/"


def test_a_totp_code_cannot_be_replayed(app, academy):
    secret = pyotp.random_base32()
    make_staff(app, academy, "admin.rectorat", StaffRole.ACADEMY_ADMIN, totp_secret=secret)
    first = staff_session(app, "ac-test")
    page = first.login("admin.rectorat", totp_secret=secret)
    assert page.request.path == "/ac-test/admin/"
    used = next(iter(first._used_steps))
    code = pyotp.TOTP(secret).generate_otp(used)

    second = staff_session(app, "ac-test")
    second.get("/ac-test/admin/connexion")
    second.post("/ac-test/admin/connexion", {"login": "admin.rectorat", "password": PASSWORD})
    second.get("/ac-test/admin/connexion/code")
    replay = second.post("/ac-test/admin/connexion/code", {"code": code})
    assert "Code incorrect ou déjà utilisé" in replay.text
    assert second.get("/ac-test/admin/").status_code == 302


def test_code_step_without_password_step_goes_back_to_login(app, academy):
    session = staff_session(app, "ac-test")
    response = session.get("/ac-test/admin/connexion/code")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ac-test/admin/connexion")


def test_logout_revokes_the_session_cookie(app, academy):
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    with session.client.session_transaction() as cookie:
        stolen = dict(cookie)
    page = session.post("/ac-test/admin/deconnexion", follow_redirects=True)
    assert "Vous êtes déconnecté" in page.text
    thief = app.test_client()
    with thief.session_transaction() as cookie:
        cookie.update(stolen)
    assert thief.get("/ac-test/admin/").status_code == 302


def test_next_parameter_brings_back_to_the_page_asked(app, academy):
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    session = staff_session(app, "ac-test")
    asked = session.get("/ac-test/admin/etablissements/0251711Z/journal")
    assert asked.status_code == 302
    login_page = session.get(asked.headers["Location"])
    assert 'value="/ac-test/admin/etablissements/0251711Z/journal"' in login_page.text
    page = session.post(
        "/ac-test/admin/connexion",
        {
            "login": "chef.hugo",
            "password": PASSWORD,
            "next": "/ac-test/admin/etablissements/0251711Z/journal",
        },
        follow_redirects=True,
    )
    assert page.request.path == "/ac-test/admin/etablissements/0251711Z/journal"
    elsewhere = staff_session(app, "ac-test")
    elsewhere.get("/ac-test/admin/connexion")
    page = elsewhere.post(
        "/ac-test/admin/connexion",
        {"login": "chef.hugo", "password": PASSWORD, "next": "//evil.example/"},
    )
    assert page.headers["Location"] == "/ac-test/admin/"


def test_platform_admin_enrols_and_reaches_every_academy(app, academy, other_academy):
    make_platform_admin(app, "national")
    session = staff_session(app, None)
    session.get("/admin/connexion")
    page = session.post(
        "/admin/connexion", {"login": "national", "password": PASSWORD}, follow_redirects=True
    )
    assert page.request.path == "/admin/connexion/double-authentification"
    secret = secret_from(page.text)
    page = session.post(
        "/admin/connexion/double-authentification",
        {"code": session.fresh_code(secret)},
        follow_redirects=True,
    )
    assert page.request.path == "/admin/"
    assert "Académie de Test" in page.text and "Autre Académie" in page.text
    assert "Collège Jean Moulin" in session.get("/ac-autre/admin/").text
    assert session.get("/ac-test/admin/etablissements/0250001R/teleservices").status_code == 200
    with app.app_context(), all_academies():
        admin = db.session.execute(select(PlatformAdmin)).scalar_one()
        assert admin.totp_secret_encrypted and secret not in admin.totp_secret_encrypted


def test_staff_cannot_use_the_platform_login(app, academy):
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    session = staff_session(app, None)
    page = session.login("chef.hugo")
    assert "Identifiant ou mot de passe incorrect." in page.text


@pytest.mark.parametrize("role", [StaffRole.HEAD, StaffRole.DELEGATE])
def test_heads_and_delegates_need_no_second_factor(app, academy, role):
    make_staff(app, academy, "personnel", role, uai="0251711Z")
    page = staff_session(app, "ac-test").login("personnel")
    assert page.request.path == "/ac-test/admin/"


def test_cli_creates_staff_and_platform_admins(app, academy):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "staff",
            "create",
            "--academy",
            "ac-test",
            "--login",
            "chef.hugo",
            "--role",
            "head",
            "--uai",
            "0251711Z",
            "--name",
            "Claire Martin",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "chef.hugo" in result.output
    weak = runner.invoke(
        args=[
            "staff",
            "create",
            "--academy",
            "ac-test",
            "--login",
            "faible",
            "--role",
            "academy_admin",
            "--password-stdin",
        ],
        input="court1\n",
    )
    assert weak.exit_code != 0
    assert "12 à 128 caractères" in weak.output
    missing_uai = runner.invoke(
        args=[
            "staff",
            "create",
            "--academy",
            "ac-test",
            "--login",
            "sans.uai",
            "--role",
            "head",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert missing_uai.exit_code != 0
    platform = runner.invoke(
        args=["staff", "create-platform-admin", "--login", "national", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert platform.exit_code == 0, platform.output
    page = staff_session(app, "ac-test").login("chef.hugo")
    assert page.request.path == "/ac-test/admin/"
    assert "Claire Martin" in page.text
    assert "staff.created" in _audit_actions(app, academy)


def test_cli_resets_a_lost_second_factor(app, academy):
    secret = pyotp.random_base32()
    make_staff(app, academy, "admin.rectorat", StaffRole.ACADEMY_ADMIN, totp_secret=secret)
    result = app.test_cli_runner().invoke(
        args=["staff", "reset-totp", "--academy", "ac-test", "--login", "admin.rectorat"]
    )
    assert result.exit_code == 0, result.output
    session = staff_session(app, "ac-test")
    session.get("/ac-test/admin/connexion")
    page = session.post(
        "/ac-test/admin/connexion",
        {"login": "admin.rectorat", "password": PASSWORD},
        follow_redirects=True,
    )
    assert page.request.path == "/ac-test/admin/connexion/double-authentification"
