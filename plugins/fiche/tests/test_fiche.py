"""« Fiche de renseignements »: nationally mandatory, open everywhere, cannot be closed."""

import pytest
from sqlalchemy import select
from teleservices_fiche.forms import FicheSettingsForm

from teleservices import opening
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment
from teleservices.testing import create_establishment

CODE = "fiche"
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


@pytest.mark.parametrize(
    ("uai", "name"), [(COLLEGE, "Collège Victor Hugo"), (LYCEE, "Lycée Louis Pasteur")]
)
def test_open_in_every_establishment(portal, academy, uai, name):
    response = page(portal, uai)
    assert response.status_code == 200
    assert "<h1>Fiche de renseignements</h1>" in response.text
    assert name in response.text


def test_open_even_without_any_siecle_module(app, portal, academy):
    with app.app_context():
        create_establishment(academy, "0251999X", "Collège sans module", modules=[])
    assert page(portal, "0251999X").status_code == 200


def test_cannot_be_closed(app, portal, academy):
    with pytest.raises(opening.ServiceLockedError, match="Obligatoire au niveau national"):
        set_open(app, academy, False)
    assert page(portal).status_code == 200


def test_contact_email_shown_once_configured(app, portal, academy):
    assert "mailto:" not in page(portal).text
    save_settings(app, academy, {"contact_email": "secretariat@clg-hugo.fr"})
    assert 'href="mailto:secretariat@clg-hugo.fr"' in page(portal).text


def test_contact_email_must_be_an_email_address(app):
    with app.test_request_context(method="POST", data={"contact_email": "secretariat"}):
        form = FicheSettingsForm(meta={"csrf": False})
        assert not form.validate()
        assert form.errors == {"contact_email": ["Adresse électronique invalide."]}
    with app.test_request_context(method="POST", data={"contact_email": ""}):
        assert FicheSettingsForm(meta={"csrf": False}).validate()
