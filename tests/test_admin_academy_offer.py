"""The academy's offer reaching the establishments and their portal pages: mandatory téléservices
(open and greyed), experimental téléservices (only in the listed establishments), academic
services, predefined ENT links; all audited."""

import re
from html import unescape

import pyotp
import pytest
from sqlalchemy import select

from teleservices import opening
from teleservices.admin import offer
from teleservices.admin.audit import AuditEntry
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment
from teleservices.testing import sql_statements

SECRET = pyotp.random_base32()
ACADEMY = "/ac-test/admin/academie"
EXPERIMENTAL = "Téléservice expérimental non proposé à cet établissement"


def text(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def admin(app, academy):
    make_staff(app, academy, "admin.rectorat", StaffRole.ACADEMY_ADMIN, totp_secret=SECRET)
    session = staff_session(app, "ac-test")
    assert session.login("admin.rectorat", totp_secret=SECRET).status_code == 200
    return session


def head_of(app, academy, uai, login):
    make_staff(app, academy, login, StaffRole.HEAD, uai=uai)
    session = staff_session(app, "ac-test")
    session.login(login)
    session.get(f"/ac-test/admin/etablissements/{uai}/teleservices")
    session.post(f"/ac-test/admin/etablissements/{uai}/teleservices/activer")
    return session


def toggle(page, code):
    match = re.search(rf'<input[^>]*id="toggle-{code}"[^>]*>', text(page), re.S)
    assert match, code
    return match.group(0)


def audit_actions(app, academy):
    with app.app_context(), tenant(academy.id):
        return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_an_academy_mandatory_teleservice_is_open_and_greyed_everywhere(
    app, academy, admin, portal
):
    app.test_client()
    assert portal.get("paiement", "0251711Z").status_code == 404
    page = admin.get(f"{ACADEMY}/teleservices-obligatoires")
    fiche = re.search(r'<input[^>]*id="mandatory-fiche"[^>]*>', text(page)).group(0)
    assert "disabled" in fiche and "checked" in fiche
    page = admin.post(
        f"{ACADEMY}/teleservices-obligatoires", {"mandatory": ["paiement"]}, follow_redirects=True
    )
    assert "Les téléservices obligatoires de l'académie sont enregistrés." in text(page)
    for uai in ("0251711Z", "0250001R"):
        assert portal.get("paiement", uai).status_code == 200, uai
    head = head_of(app, academy, "0251711Z", "chef.hugo")
    page = head.get("/ac-test/admin/etablissements/0251711Z/teleservices")
    paiement = toggle(page, "paiement")
    assert "disabled" in paiement and "checked" in paiement
    assert "Ouvert — Rendu obligatoire par l'académie" in text(page)
    # A hand-made POST cannot close it.
    head.post("/ac-test/admin/etablissements/0251711Z/teleservices", {"open": ["notes"]})
    assert portal.get("paiement", "0251711Z").status_code == 200
    with app.app_context(), tenant(academy.id):
        entry = db.session.scalars(
            select(AuditEntry).filter_by(action="academy.mandatory_teleservices")
        ).one()
        assert (entry.before, entry.after) == (
            {"mandatory_teleservices": []},
            {"mandatory_teleservices": ["paiement"]},
        )
    admin.get(f"{ACADEMY}/teleservices-obligatoires")
    admin.post(f"{ACADEMY}/teleservices-obligatoires", {})
    assert portal.get("paiement", "0251711Z").status_code == 404


def test_an_experimental_teleservice_is_offered_only_to_the_listed_establishments(
    app, academy, admin, portal
):
    client = app.test_client()
    page = admin.get(f"{ACADEMY}/teleservices-experimentaux")
    assert '<option value="fiche"' not in text(page)  # mandatory nationally
    page = admin.post(
        f"{ACADEMY}/teleservices-experimentaux",
        {"code": "notes", "establishments": ["0251711Z"]},
        follow_redirects=True,
    )
    assert "« Notes » est expérimental" in text(page)
    assert "Collège Victor Hugo (0251711Z)" in text(page)
    assert portal.get("notes", "0251711Z").status_code == 200
    assert portal.get("notes", "0250001R").status_code == 404
    assert "Notes" not in text(client.get("/ac-test/")).split("Lycée Louis Pasteur")[1]

    # Greyed closed with the reason on the other establishment's screen; open there is refused.
    head = head_of(app, academy, "0250001R", "chef.pasteur")
    page = head.get("/ac-test/admin/etablissements/0250001R/teleservices")
    notes = toggle(page, "notes")
    assert "disabled" in notes and "checked" not in notes
    assert f"Fermé — {EXPERIMENTAL}" in text(page)
    page = head.post(
        "/ac-test/admin/etablissements/0250001R/teleservices",
        {"open": ["notes"]},
        follow_redirects=True,
    )
    assert f"« Notes » ne peut pas être ouvert : {EXPERIMENTAL}." in text(page)
    # The listed establishment may still close it.
    hugo = head_of(app, academy, "0251711Z", "chef.hugo")
    assert "disabled" not in toggle(
        hugo.get("/ac-test/admin/etablissements/0251711Z/teleservices"), "notes"
    )

    # An experimental téléservice cannot also be mandatory.
    admin.get(f"{ACADEMY}/teleservices-obligatoires")
    page = admin.post(
        f"{ACADEMY}/teleservices-obligatoires", {"mandatory": ["notes"]}, follow_redirects=True
    )
    assert "Un téléservice expérimental ne peut pas être obligatoire : Notes." in text(page)

    # Widen the list, then end the experiment: offered everywhere again.
    admin.get(f"{ACADEMY}/teleservices-experimentaux/notes")
    admin.post(
        f"{ACADEMY}/teleservices-experimentaux/notes",
        {"establishments": ["0251711Z", "0250001R"]},
    )
    assert portal.get("notes", "0250001R").status_code == 200
    admin.get(f"{ACADEMY}/teleservices-experimentaux/notes")
    admin.post(f"{ACADEMY}/teleservices-experimentaux/notes", {"establishments": []})
    assert portal.get("notes", "0251711Z").status_code == 404
    page = admin.get(f"{ACADEMY}/teleservices-experimentaux/notes/terminer")
    assert "Confirmez-vous la fin de l'expérimentation ?" in text(page)
    admin.post(f"{ACADEMY}/teleservices-experimentaux/notes/terminer")
    assert portal.get("notes", "0250001R").status_code == 200
    assert audit_actions(app, academy).count("academy.experiment_updated") == 2
    assert {"academy.experiment_added", "academy.experiment_ended"} <= set(
        audit_actions(app, academy)
    )


def test_an_experiment_of_another_academy_changes_nothing_here(app, academy, other_academy, portal):
    with app.app_context(), tenant(other_academy.id):
        db.session.add(offer.ExperimentalTeleservice(code="notes", establishment_ids=[]))
        db.session.commit()
    app.test_client()
    assert portal.get("notes", "0900001M").status_code == 404
    assert portal.get("notes", "0251711Z").status_code == 200


def test_statuses_load_both_offer_rules_with_one_extra_query(app, academy):
    registry = app.extensions["teleservices_registry"]
    with app.app_context(), tenant(academy.id):
        etab = db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()
        db.session.add(offer.ExperimentalTeleservice(code="notes", establishment_ids=[]))
        db.session.add(offer.ExperimentalTeleservice(code="paiement", establishment_ids=[etab.id]))
        db.session.add(offer.NationalAvailability(code="emploi_du_temps", enabled=False))
        db.session.add(offer.NationalAvailability(code="absences", enabled=True))
        db.session.commit()
        academy_row = db.session.get(Academy, academy.id)
        etab = db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()
        with sql_statements(app) as statements:
            states = opening.statuses(registry, etab, academy_row)
    queries = [s for s in statements if "set_config" not in s]
    assert len(queries) == 2, queries  # the states, then both offer rules
    assert (states["notes"].is_open, states["notes"].reason) == (False, EXPERIMENTAL)
    assert states["paiement"].locked is False
    assert states["emploi_du_temps"].reason == "Téléservice désactivé au niveau national"
    assert states["absences"].is_open is True


def test_academic_services_are_added_listed_and_removed(app, academy, other_academy, admin):
    page = admin.get(f"{ACADEMY}/services-academiques")
    assert "Aucun service académique." in text(page)
    page = admin.post(
        f"{ACADEMY}/services-academiques",
        {"label": "Cahier de textes", "url": "javascript:alert(1)"},
    )
    assert "Saisissez une adresse web complète commençant par http:// ou https://." in text(page)
    for label, url in (
        ("Cahier de textes", "https://cdt.ac-test.example/"),
        ("Orientation", "http://orientation.ac-test.example/"),
    ):
        page = admin.post(
            f"{ACADEMY}/services-academiques", {"label": label, "url": url}, follow_redirects=True
        )
        assert f"Le service académique « {label} » est ajouté." in text(page)
    with app.app_context():
        with tenant(academy.id):
            services = [(s.label, s.url) for s in offer.academic_services()]
            first_id = offer.academic_services()[0].id
        with tenant(other_academy.id):
            assert offer.academic_services() == []
    # What the portals read: the academy's services in creation order.
    assert services == [
        ("Cahier de textes", "https://cdt.ac-test.example/"),
        ("Orientation", "http://orientation.ac-test.example/"),
    ]
    page = admin.get(f"{ACADEMY}/services-academiques/supprimer?service={first_id}")
    assert "Confirmez-vous la suppression de ce service académique ?" in text(page)
    page = admin.post(
        f"{ACADEMY}/services-academiques/supprimer?service={first_id}", follow_redirects=True
    )
    assert "Le service académique « Cahier de textes » est supprimé." in text(page)
    assert (
        admin.client.get(f"{ACADEMY}/services-academiques/supprimer?service=999").status_code == 404
    )
    with app.app_context(), tenant(academy.id):
        assert [s.label for s in offer.academic_services()] == ["Orientation"]
    actions = audit_actions(app, academy)
    assert actions.count("academy.academic_service_added") == 2
    assert actions.count("academy.academic_service_removed") == 1


def test_predefined_ent_links_reach_the_establishments_screen(app, academy, admin):
    page = admin.post(
        f"{ACADEMY}/liens-ent",
        {"label": "ENT Collèges", "url": "https://ent-colleges.ac-test.example/"},
        follow_redirects=True,
    )
    assert "Le lien ENT « ENT Collèges » est ajouté." in text(page)
    page = admin.post(
        f"{ACADEMY}/liens-ent",
        {"label": "Doublon", "url": "https://ent-colleges.ac-test.example/"},
        follow_redirects=True,
    )
    assert "Ce lien ENT existe déjà." in text(page)
    head = head_of(app, academy, "0251711Z", "chef.hugo")
    page = head.get("/ac-test/admin/etablissements/0251711Z/parametrage/ent")
    assert "ENT Collèges — https://ent-colleges.ac-test.example/" in text(page)
    url = "https://ent-colleges.ac-test.example/"
    page = admin.get(f"{ACADEMY}/liens-ent/supprimer?url={url}")
    assert "Confirmez-vous la suppression de ce lien ENT ?" in text(page)
    admin.post(f"{ACADEMY}/liens-ent/supprimer?url={url}")
    page = head.get("/ac-test/admin/etablissements/0251711Z/parametrage/ent")
    assert "ENT Collèges" not in text(page)
    actions = audit_actions(app, academy)
    assert "academy.ent_link_added" in actions and "academy.ent_link_removed" in actions
