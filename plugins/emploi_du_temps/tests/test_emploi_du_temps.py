"""« Emploi du temps »: open where the timetable export is used, for the configured weeks."""

import pytest
from sqlalchemy import select
from teleservices_emploi_du_temps.forms import EmploiDuTempsSettingsForm

from teleservices import opening
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment
from teleservices.testing import create_establishment

CODE = "emploi_du_temps"
COLLEGE = "0251711Z"


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


def test_open_by_default_for_two_weeks(portal, academy):
    response = page(portal)
    assert response.status_code == 200
    assert "<h1>Emploi du temps</h1>" in response.text
    assert "Collège Victor Hugo" in response.text
    assert "sur 2 semaines, dont la semaine en cours" in response.text


def test_number_of_weeks_takes_effect_at_once(app, portal, academy):
    save_settings(app, academy, {"weeks": 5})
    assert "sur 5 semaines" in page(portal).text
    save_settings(app, academy, {"weeks": 1})
    assert "de la semaine en cours." in page(portal).text


def test_no_page_without_the_edt_module(app, portal, academy):
    with app.app_context():
        create_establishment(
            academy, "0251999X", "Collège sans emploi du temps", modules=["notes", "vie_scolaire"]
        )
    assert page(portal, "0251999X").status_code == 404


def test_closed_service_has_no_page(app, portal, academy):
    set_open(app, academy, False)
    assert page(portal).status_code == 404


def test_weeks_not_editable_while_closed(app):
    form = app.extensions["teleservices_registry"].settings_forms[CODE]
    assert form.editable_when_closed is False


@pytest.mark.parametrize(
    ("weeks", "valid"), [("1", True), ("10", True), ("0", False), ("11", False), ("", False)]
)
def test_weeks_between_one_and_ten(app, weeks, valid):
    with app.test_request_context(method="POST", data={"weeks": weeks}):
        assert EmploiDuTempsSettingsForm(meta={"csrf": False}).validate() is valid
