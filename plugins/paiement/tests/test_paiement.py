"""« Paiement des factures »: closed by default, opened per establishment, PayFiP settings."""

from decimal import Decimal

import pytest
from sqlalchemy import select
from teleservices_paiement.forms import PaiementSettingsForm

from teleservices import opening
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment

CODE = "paiement"
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


def settings_errors(app, **data):
    with app.test_request_context(method="POST", data=data):
        form = PaiementSettingsForm(meta={"csrf": False})
        form.validate()
        return form.errors


def test_closed_by_default(portal, academy):
    assert page(portal).status_code == 404
    assert page(portal, LYCEE).status_code == 404


def test_open_in_one_establishment_only(app, portal, academy):
    set_open(app, academy, True)
    response = page(portal)
    assert response.status_code == 200
    assert "<h1>Paiement des factures</h1>" in response.text
    assert "Collège Victor Hugo" in response.text
    assert "à partir de 1,00 €" in response.text
    assert page(portal, LYCEE).status_code == 404


def test_minimum_amount_and_contact_take_effect_at_once(app, portal, academy):
    set_open(app, academy, True)
    save_settings(app, academy, {"minimum_amount": "15.5", "contact_email": "intendance@clg.fr"})
    text = page(portal).text
    assert "à partir de 15,50 €" in text
    assert 'href="mailto:intendance@clg.fr"' in text


def test_closing_again_hides_the_page(app, portal, academy):
    set_open(app, academy, True)
    set_open(app, academy, False)
    assert page(portal).status_code == 404


@pytest.mark.parametrize("amount", ["1", "2,50", "2.50", " 10 "])
def test_valid_settings(app, amount):
    assert settings_errors(app, payfip_client="012345", minimum_amount=amount) == {}


def test_minimum_amount_is_shown_with_a_decimal_comma(app):
    with app.test_request_context():
        form = PaiementSettingsForm(meta={"csrf": False}, data={"minimum_amount": Decimal("2.5")})
        assert 'value="2,50"' in form.minimum_amount()
    with app.test_request_context(method="POST", data={"minimum_amount": "2,5"}):
        form = PaiementSettingsForm(meta={"csrf": False})
        assert form.minimum_amount.data == Decimal("2.5")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"payfip_client": "", "minimum_amount": "1"}, "payfip_client", "obligatoire"),
        ({"payfip_client": "12345", "minimum_amount": "1"}, "payfip_client", "six chiffres"),
        ({"payfip_client": "12345a", "minimum_amount": "1"}, "payfip_client", "six chiffres"),
        ({"payfip_client": "1234567", "minimum_amount": "1"}, "payfip_client", "six chiffres"),
        ({"payfip_client": "١٢٣٤٥٦", "minimum_amount": "1"}, "payfip_client", "six chiffres"),
        ({"payfip_client": "123456", "minimum_amount": "0.99"}, "minimum_amount", "au moins 1 €"),
        ({"payfip_client": "123456", "minimum_amount": ""}, "minimum_amount", "obligatoire"),
        (
            {"payfip_client": "123456", "minimum_amount": "1", "contact_email": "intendance"},
            "contact_email",
            "invalide",
        ),
    ],
)
def test_invalid_settings_are_refused_with_a_reason(app, data, field, message):
    errors = settings_errors(app, **data)
    assert list(errors) == [field]
    assert message in errors[field][0]
