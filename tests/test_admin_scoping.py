"""Role scoping over every staff URL: a crawler walks the URL map of the admin blueprints with
each role, other establishments' and other academies' ids, and must get 403/404, never data."""

import pyotp
import pytest
from sqlalchemy import func, select

from teleservices.accounts.testing import make_family
from teleservices.admin.audit import AuditEntry
from teleservices.admin.establishment_settings import settings_row
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import (
    make_platform_admin,
    make_staff,
    staff_session,
)
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

BLUEPRINTS = ("admin.", "platform_admin.")
PUBLIC = {
    "admin.login",
    "admin.login_code",
    "admin.enrol",
    "admin.logout",
    "platform_admin.login",
    "platform_admin.login_code",
    "platform_admin.enrol",
    "platform_admin.logout",
}
FOREIGN_NAMES = ("Lycée Louis Pasteur", "Collège Jean Moulin")


@pytest.fixture
def world(app, academy, other_academy):
    """Staff of every role, and objects (a delegate, a useful link) in other establishments."""
    secret = pyotp.random_base32()
    ids = {
        "admin": make_staff(
            app, academy, "admin.rectorat", StaffRole.ACADEMY_ADMIN, totp_secret=secret
        ),
        "head": make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z"),
        "delegate": make_staff(app, academy, "deleg.hugo", StaffRole.DELEGATE, uai="0251711Z"),
        "other_head": make_staff(app, academy, "chef.pasteur", StaffRole.HEAD, uai="0250001R"),
        "other_delegate": make_staff(
            app, academy, "deleg.pasteur", StaffRole.DELEGATE, uai="0250001R"
        ),
        "foreign_delegate": make_staff(
            app, other_academy, "deleg.moulin", StaffRole.DELEGATE, uai="0900001M"
        ),
        "platform": make_platform_admin(app, "national", totp_secret=secret),
    }
    links = {}
    for code, uai in (("ac-test", "0250001R"), ("ac-autre", "0900001M")):
        target = academy if code == "ac-test" else other_academy
        with app.app_context(), tenant(target.id):
            establishment = db.session.execute(
                select(Establishment).filter_by(uai=uai)
            ).scalar_one()
            row = settings_row(establishment)
            row.activated_at = func.now()
            row.welcome_message = f"Secret de {establishment.name}"
            row.useful_links = [
                {"id": f"lien{uai}", "label": "Privé", "url": "https://prive.example/"}
            ]
            db.session.commit()
            links[uai] = f"lien{uai}"
    foreign_family = make_family(app, academy, uai="0250001R", first_name="Léa", last_name="ROUX")
    return {
        "ids": ids,
        "secret": secret,
        "links": links,
        "account": foreign_family.representative_account_id,
    }


def _session(app, world, who):
    if who == "platform":
        session = staff_session(app, None)
        page = session.login("national", totp_secret=world["secret"])
        session.prefix = "/ac-test/admin"
        session.get("/ac-test/admin/")
    else:
        login = {"admin": "admin.rectorat", "head": "chef.hugo", "delegate": "deleg.hugo"}[who]
        session = staff_session(app, "ac-test")
        page = session.login(login, totp_secret=world["secret"] if who == "admin" else None)
    assert page.status_code == 200
    return session


def _rules(app):
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint.startswith(BLUEPRINTS)),
        key=lambda r: r.rule,
    )


def _url(rule, uai, world, foreign_objects=True):
    values = {
        "academy": "ac-test",
        "code": "notes",
        "audience": "responsables",
        "action": "renotifier",
        "kind": "representative_new",
        "account_id": world["account"],
        "notification_id": 1,
    }
    if "uai" in rule.arguments:
        values["uai"] = uai
    if "staff_id" in rule.arguments:
        values["staff_id"] = world["ids"]["other_delegate" if foreign_objects else "delegate"]
    if "link_id" in rule.arguments:
        values["link_id"] = world["links"]["0250001R"]
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", str(value)).replace(f"<int:{name}>", str(value))
    return path


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _call(session, method, path):
    if method == "GET":
        return session.client.get(path)
    return session.client.post(
        path, data={"csrf_token": session.token, "open": ["notes"], "message": "x"}
    )


def _assert_refused(response, path, method, who):
    assert response.status_code in (403, 404), (who, method, path, response.status_code)
    for name in FOREIGN_NAMES:
        assert name not in response.text, (who, method, path, name)
    assert "Secret de" not in response.text
    assert "prive.example" not in response.text
    assert "ROUX" not in response.text


@pytest.mark.parametrize("who", ["head", "delegate", "admin", "platform"])
def test_every_establishment_url_outside_the_scope_is_refused(app, world, who):
    session = _session(app, world, who)
    foreign_uais = ["0900001M", "9999999Z"]
    if who in ("head", "delegate"):
        foreign_uais.insert(0, "0250001R")
    crawled = set()
    for rule in _rules(app):
        if rule.endpoint in PUBLIC or "uai" not in rule.arguments:
            continue
        for uai in foreign_uais:
            path = _url(rule, uai, world)
            for method in _methods(rule):
                _assert_refused(_call(session, method, path), path, method, who)
                crawled.add(rule.endpoint)
    expected = {r.endpoint for r in _rules(app) if "uai" in r.arguments}
    assert crawled == expected


@pytest.mark.parametrize("who", ["head", "admin"])
def test_objects_of_another_establishment_are_404_under_ones_own_uai(app, world, who):
    session = _session(app, world, who)
    for rule in _rules(app):
        if not ({"staff_id", "link_id", "account_id"} & set(rule.arguments)):
            continue
        path = _url(rule, "0251711Z", world)
        for method in _methods(rule):
            response = _call(session, method, path)
            assert response.status_code == 404, (who, method, path)
            assert "Privé" not in response.text and "ROUX" not in response.text


def test_roles_above_ones_own_are_403_and_audited(app, world, academy):
    delegate = _session(app, world, "delegate")
    refused = [
        ("GET", "/ac-test/admin/etablissements/0251711Z/delegations"),
        ("POST", "/ac-test/admin/etablissements/0251711Z/delegations"),
        (
            "POST",
            f"/ac-test/admin/etablissements/0251711Z/delegations/{world['ids']['delegate']}/retirer",
        ),
        ("GET", "/ac-test/admin/journal"),
        ("GET", "/ac-test/admin/journal.csv"),
        ("GET", "/admin/"),
    ]
    for method, path in refused:
        response = _call(delegate, method, path)
        if path == "/admin/":
            # No platform session: back to the platform login, no data.
            assert (
                response.status_code == 302 and "/admin/connexion" in response.headers["Location"]
            )
            continue
        assert response.status_code == 403, (method, path)
    head = _session(app, world, "head")
    assert head.client.get("/ac-test/admin/journal").status_code == 403
    with app.app_context(), tenant(academy.id):
        denied = (
            db.session.execute(select(AuditEntry).filter_by(action="access.denied")).scalars().all()
        )
    assert len(denied) == 6
    assert {e.actor_display for e in denied} >= {"Deleg Hugo (deleg.hugo)", "Chef Hugo (chef.hugo)"}


def test_attempts_outside_the_scope_are_audited(app, world, academy):
    head = _session(app, world, "head")
    assert (
        head.client.get("/ac-test/admin/etablissements/0250001R/parametrage/ent").status_code == 404
    )
    assert head.client.get("/ac-test/admin/etablissements/0900001M/teleservices").status_code == 404
    with app.app_context(), tenant(academy.id):
        targets = [
            e.target
            for e in db.session.execute(
                select(AuditEntry).filter_by(action="access.denied")
            ).scalars()
        ]
    assert targets == [
        "GET /ac-test/admin/etablissements/0250001R/parametrage/ent",
        "GET /ac-test/admin/etablissements/0900001M/teleservices",
    ]


@pytest.mark.parametrize("who", ["head", "delegate", "admin"])
def test_staff_session_is_worth_nothing_in_another_academy(app, world, who):
    session = _session(app, world, who)
    for rule in _rules(app):
        if rule.endpoint in PUBLIC or not rule.endpoint.startswith("admin."):
            continue
        path = _url(rule, "0900001M", world).replace("/ac-test/", "/ac-autre/", 1)
        for method in _methods(rule):
            response = _call(session, method, path)
            assert response.status_code in (302, 400), (who, method, path)
            if response.status_code == 302:
                assert "/ac-autre/admin/connexion" in response.headers["Location"]
            assert "Collège Jean Moulin" not in response.text
            assert "Secret de" not in response.text


def test_anonymous_visitors_are_sent_to_the_login_page(app, world):
    client = app.test_client()
    for rule in _rules(app):
        if rule.endpoint in PUBLIC:
            continue
        path = _url(rule, "0251711Z", world, foreign_objects=False)
        if "GET" in rule.methods:
            response = client.get(path)
            assert response.status_code == 302, path
            assert "/connexion" in response.headers["Location"]
        if "POST" in rule.methods:
            assert client.post(path).status_code in (302, 400), path


def test_each_role_sees_its_own_scope(app, world):
    head = _session(app, world, "head")
    home = head.client.get("/ac-test/admin/")
    assert "Collège Victor Hugo" in home.text and "Lycée Louis Pasteur" not in home.text
    assert head.client.get("/ac-test/admin/etablissements/0251711Z/teleservices").status_code == 200
    admin = _session(app, world, "admin")
    home = admin.client.get("/ac-test/admin/")
    assert "Collège Victor Hugo" in home.text and "Lycée Louis Pasteur" in home.text
    assert "Collège Jean Moulin" not in home.text
    for uai in ("0251711Z", "0250001R"):
        assert (
            admin.client.get(
                f"/ac-test/admin/etablissements/{uai}/parametrage/message-accueil"
            ).status_code
            == 200
        )
    assert admin.client.get("/ac-test/admin/journal").status_code == 200
    platform = _session(app, world, "platform")
    assert (
        platform.client.get("/ac-autre/admin/etablissements/0900001M/teleservices").status_code
        == 200
    )


def test_withdrawn_delegate_loses_access_at_once(app, world):
    delegate = _session(app, world, "delegate")
    assert delegate.client.get("/ac-test/admin/").status_code == 200
    head = _session(app, world, "head")
    head.get("/ac-test/admin/etablissements/0251711Z/delegations")
    page = head.post(
        f"/ac-test/admin/etablissements/0251711Z/delegations/{world['ids']['delegate']}/retirer",
        follow_redirects=True,
    )
    assert "La délégation de Deleg Hugo est retirée." in page.text
    assert delegate.client.get("/ac-test/admin/").status_code == 302
    again = staff_session(app, "ac-test").login("deleg.hugo")
    assert "Identifiant ou mot de passe incorrect." in again.text
