"""Simulation (ADM-5, §3.2.1): staff see the portal as a used account sees it, read-only; every POST
of the family side is refused and nothing but the two audit entries is written."""

from html import unescape

import pytest
from sqlalchemy import func, select

from teleservices.accounts.models import Account, AccountChild, AccountToken
from teleservices.accounts.testing import account_of, activate, make_family
from teleservices.admin.audit import AuditEntry
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.mail import OutboxMessage
from teleservices.tenancy.context import tenant

ACCOUNT = "/ac-test/admin/etablissements/0251711Z/comptes/responsables/{}"


def text(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def used(app, academy):
    family = make_family(app, academy)
    activate(app, academy.id, family.representative_account_id, "soleil2024", "jean@example.fr")
    return family


@pytest.fixture
def head(app, academy):
    make_staff(
        app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="Claire Martin"
    )
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    return session


def start(head, family):
    url = ACCOUNT.format(family.representative_account_id) + "/simuler"
    assert "consulter Scolarité services comme la famille le voit" in text(head.get(url))
    response = head.post(url)
    assert response.status_code == 302 and response.headers["Location"] == "/ac-test/accueil"


def counts(app, academy_id):
    with app.app_context(), tenant(academy_id):
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Account, AccountChild, AccountToken, OutboxMessage, AuditEntry)
        }


def test_the_portal_is_shown_as_the_family_sees_it_with_the_banner(app, academy, used, head):
    start(head, used)
    page = text(head.get("/ac-test/accueil"))
    assert "Bienvenue M. Dupont" in page
    assert "Alice DUPONT" in page
    assert "Simulation d'accès à Scolarité services" in page
    assert "Terminer la simulation" in page
    assert "se déconnecter" not in page
    with app.app_context():
        assert account_of(academy.id, used.representative_account_id).last_login_at is None


def test_every_post_of_the_site_is_refused_while_simulating(app, academy, used, head):
    start(head, used)
    head.get("/ac-test/accueil")
    before = counts(app, academy.id)
    tried = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or not rule.rule.startswith("/<academy>/"):
            continue
        if rule.endpoint == "admin.end_simulation":
            continue
        path = rule.rule
        for name in rule.arguments:
            value = {"academy": "ac-test", "uai": "0251711Z"}.get(
                name, str(used.representative_account_id) if "id" in name else "x"
            )
            path = path.replace(f"<{name}>", value).replace(f"<int:{name}>", value)
        response = head.client.post(
            path, data={"csrf_token": head.token, "password": "nouveau2026", "open": ["notes"]}
        )
        assert response.status_code == 403, (path, response.status_code)
        assert "aucune modification n'est possible" in text(response)
        tried += 1
    assert tried > 20
    assert counts(app, academy.id) == before


def test_ending_the_simulation_is_audited_and_leaves_the_portal(app, academy, used, head):
    start(head, used)
    head.get("/ac-test/accueil")
    response = head.post("/ac-test/admin/simulation/fin")
    assert response.headers["Location"] == ACCOUNT.format(used.representative_account_id)
    assert head.client.get("/ac-test/accueil").status_code == 302
    with app.app_context(), tenant(academy.id):
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("simulation.%")).order_by(AuditEntry.id)
        ).all()
        assert [(e.action, e.target) for e in entries] == [
            ("simulation.started", used.representative_identifier),
            ("simulation.ended", used.representative_identifier),
        ]
        assert "Claire Martin" in entries[0].actor_display


def test_only_a_used_account_can_be_simulated(app, academy, head):
    family = make_family(app, academy)
    url = ACCOUNT.format(family.representative_account_id)
    assert "Simuler" not in text(head.get(url))
    assert head.get(url + "/simuler").status_code == 404


def test_a_family_session_is_not_a_simulation(app, academy, used, client):
    """The read-only guard concerns staff simulations only: families still post their forms."""
    from teleservices.accounts.testing import submit

    submit(
        client,
        "/ac-test/connexion",
        {"identifier": used.representative_identifier, "password": "soleil2024"},
    )
    response = submit(client, "/ac-test/compte/regrouper", {"identifier": "x", "password": "y"})
    assert response.status_code == 200
