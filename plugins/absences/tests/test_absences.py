"""« Absences »: open by default where Vie scolaire is used, events shown as configured."""

from sqlalchemy import select

from teleservices import opening, sdk
from teleservices.accounts.testing import make_family
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment
from teleservices.testing import create_establishment

CODE = "absences"
COLLEGE = "0251711Z"
TITLE = "Vie scolaire : absences et retards"


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


def test_open_by_default_with_both_kinds_of_events(portal, academy):
    response = page(portal)
    assert response.status_code == 200
    assert f"<h1>{TITLE}</h1>" in response.text
    assert "Collège Victor Hugo" in response.text
    assert "Événements affichés : Absences, Retards." in response.text


def test_lateness_hidden_from_families_when_configured(app, portal, academy):
    save_settings(app, academy, {"show_lateness": False})
    response = page(portal)
    assert "Événements affichés : Absences." in response.text
    assert "Retards" not in response.text


def test_no_event_kind_shown(app, portal, academy):
    save_settings(app, academy, {"show_absences": False, "show_lateness": False})
    assert "n'affiche aucun événement" in page(portal).text


def test_closed_service_has_no_page_and_settings_are_kept(app, portal, academy):
    save_settings(app, academy, {"show_lateness": False})
    set_open(app, academy, False)
    assert page(portal).status_code == 404
    set_open(app, academy, True)
    response = page(portal)
    assert response.status_code == 200
    assert "Retards" not in response.text


def test_no_page_without_the_vie_scolaire_module(app, portal, academy):
    with app.app_context():
        create_establishment(academy, "0251999X", "Collège sans vie scolaire", modules=["notes"])
    assert page(portal, "0251999X").status_code == 404


def test_not_reachable_from_another_academy(portal, academy, other_academy):
    assert page(portal, "0900001M").status_code == 404


def test_home_entry_leads_to_the_page(app, portal, academy):
    child = portal.child(COLLEGE)
    with app.test_request_context("/ac-test/accueil"):
        app.preprocess_request()
        establishment = db.session.execute(
            select(Establishment).filter_by(uai=COLLEGE)
        ).scalar_one()
        entry = app.extensions["teleservices_registry"].call_one(
            CODE,
            "teleservices_home_entry",
            context=sdk.HomeContext(establishment, {}, student_id=child),
        )
    assert entry.label == "Absences"
    assert entry.url == f"/ac-test/services/{child}/{CODE}/"
    assert TITLE in portal.client.get(entry.url).text


def test_a_child_not_attached_to_the_account_is_404(app, portal, academy, other_academy):
    portal.child(COLLEGE)
    stranger = make_family(app, academy, first_name="Zoé", last_name="MARTIN")
    assert portal.client.get(f"/ac-test/services/{stranger.student_id}/{CODE}/").status_code == 404


def test_not_logged_in_goes_to_the_login_page(app, client, portal):
    child = portal.child(COLLEGE)
    response = client.get(f"/ac-test/services/{child}/{CODE}/")
    assert response.status_code == 302 and response.headers["Location"] == "/ac-test/connexion"
