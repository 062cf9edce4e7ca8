"""« Bourses »: mandatory in lycées, closable in collèges, contact e-mails per campaign."""

import pytest
from sqlalchemy import select

from teleservices import opening
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment, EstablishmentType
from teleservices.testing import create_establishment

CODE = "bourses"
COLLEGE = "0251711Z"
LYCEE = "0250001R"


def page(portal, uai=COLLEGE):
    return portal.get(CODE, uai)


def set_open(app, academy, is_open, uai=COLLEGE):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.execute(select(Establishment).filter_by(uai=uai)).scalar_one()
        registry = app.extensions["teleservices_registry"]
        opening.set_open(
            registry, establishment, db.session.get(Academy, academy.id), CODE, is_open
        )
        db.session.commit()


def save_settings(app, academy, values, uai=COLLEGE):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.execute(select(Establishment).filter_by(uai=uai)).scalar_one()
        opening.save_settings(establishment, CODE, values)
        db.session.commit()


def test_college_shows_the_bourse_de_college(portal, academy):
    response = page(portal)
    assert response.status_code == 200
    assert "<h1>Demande de bourse</h1>" in response.text
    assert "Collège Victor Hugo" in response.text
    assert "Bourse de collège" in response.text
    assert "Bourse de lycée" not in response.text


def test_lycee_shows_the_bourse_de_lycee(portal, academy):
    response = page(portal, LYCEE)
    assert response.status_code == 200
    assert "Lycée Louis Pasteur" in response.text
    assert "Bourse de lycée" in response.text
    assert "Bourse de collège" not in response.text


def test_closable_in_a_college(app, portal, academy):
    set_open(app, academy, False)
    assert page(portal).status_code == 404
    assert page(portal, LYCEE).status_code == 200


def test_locked_open_in_a_lycee(app, portal, academy):
    with pytest.raises(opening.ServiceLockedError):
        set_open(app, academy, False, LYCEE)
    assert page(portal, LYCEE).status_code == 200


def test_locked_open_in_a_lycee_professionnel(app, portal, academy):
    with app.app_context():
        create_establishment(
            academy, "0250002S", "Lycée professionnel Jean Jaurès", EstablishmentType.LP
        )
    with pytest.raises(opening.ServiceLockedError):
        set_open(app, academy, False, "0250002S")
    assert "Bourse de lycée" in page(portal, "0250002S").text


def test_college_contact_email(app, portal, academy):
    save_settings(app, academy, {"college_contact_email": "bourses@clg-hugo.fr"})
    assert 'href="mailto:bourses@clg-hugo.fr"' in page(portal).text


def test_nous_contacter_tab_only_with_a_lycee_contact_email(app, portal, academy):
    assert "Nous contacter" not in page(portal, LYCEE).text
    save_settings(app, academy, {"lycee_contact_email": "bourses@lyc-pasteur.fr"}, LYCEE)
    text = page(portal, LYCEE).text
    assert "Nous contacter" in text
    assert 'href="mailto:bourses@lyc-pasteur.fr"' in text
