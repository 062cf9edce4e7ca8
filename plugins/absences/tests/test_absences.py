"""« Absences »: open by default where Vie scolaire is used, events shown as configured."""

from sqlalchemy import select

from teleservices import opening, sdk
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment
from teleservices.testing import create_establishment

CODE = "absences"
COLLEGE = "0251711Z"
TITLE = "Vie scolaire : absences et retards"


def page(client, uai=COLLEGE):
    return client.get(f"/ac-test/services/{uai}/{CODE}/")


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


def test_open_by_default_with_both_kinds_of_events(client, academy):
    response = page(client)
    assert response.status_code == 200
    assert f"<h1>{TITLE}</h1>" in response.text
    assert "Collège Victor Hugo" in response.text
    assert "Événements affichés : Absences, Retards." in response.text


def test_lateness_hidden_from_families_when_configured(app, client, academy):
    save_settings(app, academy, {"show_lateness": False})
    response = page(client)
    assert "Événements affichés : Absences." in response.text
    assert "Retards" not in response.text


def test_no_event_kind_shown(app, client, academy):
    save_settings(app, academy, {"show_absences": False, "show_lateness": False})
    assert "n'affiche aucun événement" in page(client).text


def test_closed_service_has_no_page_and_settings_are_kept(app, client, academy):
    save_settings(app, academy, {"show_lateness": False})
    set_open(app, academy, False)
    assert page(client).status_code == 404
    set_open(app, academy, True)
    response = page(client)
    assert response.status_code == 200
    assert "Retards" not in response.text


def test_no_page_without_the_vie_scolaire_module(app, client, academy):
    with app.app_context():
        create_establishment(academy, "0251999X", "Collège sans vie scolaire", modules=["notes"])
    assert page(client, "0251999X").status_code == 404


def test_not_reachable_from_another_academy(client, academy, other_academy):
    assert page(client, "0900001M").status_code == 404


def test_home_entry_leads_to_the_page(app, client, academy):
    with app.test_request_context(f"/ac-test/services/{COLLEGE}/{CODE}/"):
        app.preprocess_request()
        establishment = db.session.execute(
            select(Establishment).filter_by(uai=COLLEGE)
        ).scalar_one()
        entry = app.extensions["teleservices_registry"].call_one(
            CODE, "teleservices_home_entry", context=sdk.HomeContext(establishment, {})
        )
    assert entry.label == "Absences"
    assert TITLE in client.get(entry.url).text
