"""Delegation: a head delegates the module to named staff and withdraws it."""

from html import unescape

import pytest
from sqlalchemy import select

from teleservices.admin.models import StaffMember, StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.tenancy.context import tenant

DELEGATIONS = "/ac-test/admin/etablissements/0251711Z/delegations"


def text(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def head(app, academy):
    make_staff(
        app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="Claire Martin"
    )
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    session.get(DELEGATIONS)
    return session


def _delegate(app, academy, login):
    with app.app_context(), tenant(academy.id):
        member = db.session.execute(select(StaffMember).filter_by(login=login)).scalar_one()
        db.session.expunge(member)
        return member


def test_head_creates_a_delegate_who_can_log_in(app, academy, head):
    page = head.post(
        DELEGATIONS,
        {
            "login": "Paul.CPE",
            "display_name": "Paul Durand",
            "email": "paul@college.fr",
            "password": "delegation-2024",
        },
        follow_redirects=True,
    )
    assert "Paul Durand (paul.cpe) administre désormais les téléservices" in text(page)
    assert "Délégation active" in text(page)
    delegate = _delegate(app, academy, "paul.cpe")
    assert delegate.role is StaffRole.DELEGATE and delegate.active
    with app.app_context(), tenant(academy.id):
        head_id = db.session.execute(
            select(StaffMember.id).filter_by(login="chef.hugo")
        ).scalar_one()
    assert delegate.delegated_by_id == head_id
    page = staff_session(app, "ac-test").login("paul.cpe", password="delegation-2024")
    assert page.request.path == "/ac-test/admin/"
    assert "Collège Victor Hugo" in text(page)


def test_delegate_form_checks_login_and_password(head):
    page = head.post(DELEGATIONS, {"login": "a b", "display_name": "X", "password": "court"})
    assert "L'identifiant comporte de 2 à 80 caractères" in text(page)
    assert "12 à 128 caractères" in text(page)
    page = head.post(
        DELEGATIONS, {"login": "chef.hugo", "display_name": "X", "password": "delegation-2024"}
    )
    assert "Cet identifiant est déjà utilisé par un autre personnel." in text(page)


def test_withdraw_and_grant_again(app, academy, head):
    head.post(
        DELEGATIONS,
        {"login": "paul.cpe", "display_name": "Paul Durand", "password": "delegation-2024"},
    )
    delegate = _delegate(app, academy, "paul.cpe")
    page = head.post(f"{DELEGATIONS}/{delegate.id}/retirer", follow_redirects=True)
    assert "La délégation de Paul Durand est retirée." in text(page)
    assert "Délégation retirée" in text(page)
    assert not _delegate(app, academy, "paul.cpe").active
    assert "Identifiant ou mot de passe incorrect." in text(
        staff_session(app, "ac-test").login("paul.cpe", password="delegation-2024")
    )
    page = head.post(f"{DELEGATIONS}/{delegate.id}/accorder", follow_redirects=True)
    assert "La délégation de Paul Durand est rétablie." in text(page)
    assert (
        staff_session(app, "ac-test").login("paul.cpe", password="delegation-2024").request.path
        == "/ac-test/admin/"
    )
    # Granting again through the form re-activates the same account.
    head.post(f"{DELEGATIONS}/{delegate.id}/retirer")
    head.post(
        DELEGATIONS,
        {"login": "paul.cpe", "display_name": "Paul Durand", "password": "delegation-2024"},
    )
    assert _delegate(app, academy, "paul.cpe").active


def test_delegate_of_another_establishment_cannot_be_withdrawn(app, academy, head):
    other = make_staff(app, academy, "deleg.pasteur", StaffRole.DELEGATE, uai="0250001R")
    assert head.post(f"{DELEGATIONS}/{other}/retirer").status_code == 404
    assert _delegate(app, academy, "deleg.pasteur").active
