"""« Ouverture / fermeture » and plugin configuration through the staff screens."""

import re
from html import unescape

import pytest
from sqlalchemy import select

from teleservices.accounts.portal_testing import Portal
from teleservices.admin.audit import AuditEntry
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.school.models import Mef, Student
from teleservices.tenancy.context import tenant

BASE = "/ac-test/admin/etablissements/0251711Z"


def text(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def head(app, academy):
    make_staff(
        app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="Claire Martin"
    )
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    return session


@pytest.fixture
def activated(head):
    head.get(f"{BASE}/teleservices")
    head.post(f"{BASE}/teleservices/activer")
    return head


def set_mef(app, academy, student_id, code):
    with app.app_context(), tenant(academy.id):
        student = db.session.get(Student, student_id)
        mef = Mef(establishment_id=student.establishment_id, code=code, label=code)
        db.session.add(mef)
        db.session.flush()
        student.mef_id = mef.id
        db.session.commit()


def _toggle(page, code):
    match = re.search(rf'<input[^>]*id="toggle-{code}"[^>]*>', text(page), re.S)
    assert match, code
    return match.group(0)


def _audit(app, academy, action=None):
    with app.app_context(), tenant(academy.id):
        statement = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            statement = statement.filter_by(action=action)
        return db.session.execute(statement).scalars().all()


def test_first_visit_asks_to_activate_then_lists_the_teleservices(app, academy, head):
    page = head.get(f"{BASE}/teleservices")
    assert "Les téléservices de l'établissement ne sont pas encore activés" in text(page)
    assert 'id="toggle-notes"' not in text(page)
    assert head.get(f"{BASE}/teleservices/notes/configuration").status_code == 302
    page = head.post(f"{BASE}/teleservices/activer", follow_redirects=True)
    assert "Les téléservices de l'établissement sont activés." in text(page)
    for label in ("Notes", "Paiement des factures", "Fiche de renseignements", "Emploi du temps"):
        assert label in text(page)
    assert "activé" in text(head.get("/ac-test/admin/")).lower()
    entries = _audit(app, academy, "teleservices.activated")
    assert len(entries) == 1 and entries[0].after == {"activated": True}


def test_mandatory_is_greyed_open_and_missing_module_greyed_closed(make_app, academy):
    app = make_app()
    portal = Portal(app, academy, app.test_client())
    with app.app_context(), tenant(academy.id):
        from teleservices.tenancy.models import Establishment

        college = db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()
        college.siecle_modules = ["notes"]
        db.session.commit()
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    session.get(f"{BASE}/teleservices")
    page = session.post(f"{BASE}/teleservices/activer", follow_redirects=True)
    fiche = _toggle(page, "fiche")
    assert "disabled" in fiche and "checked" in fiche
    assert "Obligatoire au niveau national" in text(page)
    absences = _toggle(page, "absences")
    assert "disabled" in absences and "checked" not in absences
    assert "Nécessite le module SIECLE « Vie scolaire »" in text(page)
    notes = _toggle(page, "notes")
    assert "disabled" not in notes and "checked" in notes
    paiement = _toggle(page, "paiement")
    assert "disabled" not in paiement and "checked" not in paiement

    # A hand-made POST cannot close the mandatory service nor open the one missing its module.
    page = session.post(
        f"{BASE}/teleservices", {"open": ["absences", "notes"]}, follow_redirects=True
    )
    assert (
        "« Absences » ne peut pas être ouvert : Nécessite le module SIECLE « Vie scolaire »"
        in text(page)
    )
    assert portal.get("fiche", "0251711Z").status_code == 200
    assert portal.get("absences", "0251711Z").status_code == 404


def test_opening_and_closing_take_effect_immediately_and_are_audited(
    app, academy, activated, portal
):
    head = activated
    assert portal.get("paiement", "0251711Z").status_code == 404
    page = head.post(
        f"{BASE}/teleservices",
        {"open": ["notes", "paiement", "absences", "emploi_du_temps", "bourses"]},
        follow_redirects=True,
    )
    assert "« Paiement des factures » est ouvert aux familles." in text(page)
    assert "checked" in _toggle(page, "paiement")
    assert portal.get("paiement", "0251711Z").status_code == 200

    page = head.post(
        f"{BASE}/teleservices",
        {"open": ["paiement", "absences", "emploi_du_temps", "bourses"]},
        follow_redirects=True,
    )
    assert "« Notes » est fermé ; sa configuration est conservée." in text(page)
    assert portal.get("notes", "0251711Z").status_code == 404

    page = head.post(
        f"{BASE}/teleservices",
        {"open": ["paiement", "absences", "emploi_du_temps", "bourses"]},
        follow_redirects=True,
    )
    assert "Aucune modification." in text(page)

    opened = _audit(app, academy, "teleservice.opened")
    closed = _audit(app, academy, "teleservice.closed")
    assert [e.target for e in opened] == ["Paiement des factures (paiement)"]
    assert [e.target for e in closed] == ["Notes (notes)"]
    assert closed[0].before == {"open": True} and closed[0].after == {"open": False}
    assert closed[0].actor_display == "Claire Martin (chef.hugo)"


def test_notes_publication_mode_and_dates_are_saved_and_audited(app, academy, activated, portal):
    head = activated
    child = portal.child("0251711Z")
    set_mef(app, academy, child, "4EME")
    url = f"{BASE}/teleservices/notes/configuration"
    page = head.get(url)
    assert "Mode de publication" in text(page) and "Aucune ligne." in text(page)
    assert re.search(
        r'value="fil_de_l_eau"[^>]*checked|checked[^>]*value="fil_de_l_eau"', text(page)
    )
    # « + » adds a row without saving anything.
    page = head.post(url, {"publication_mode": "echeance", "_add": "publication_dates"})
    assert '<option value="4EME|4C">4EME — 4C</option>' in text(page)
    assert 'name="publication_dates-0-date"' in text(page)
    assert _audit(app, academy, "teleservice.configured") == []
    two_dates = {
        "publication_mode": "echeance",
        "publication_dates-0-classe": "4EME|4C",
        "publication_dates-0-date": "2026-12-12",
        "publication_dates-1-classe": "4EME|4C",
        "publication_dates-1-date": "2027-03-20",
    }
    page = head.post(url, two_dates, follow_redirects=True)
    assert "La configuration de « Notes » est enregistrée" in text(page)
    assert 'value="2027-03-20"' in text(page)
    entry = _audit(app, academy, "teleservice.configured")[0]
    assert entry.before == {"publication_mode": "fil_de_l_eau", "publication_dates": []}
    assert entry.after == {
        "publication_mode": "echeance",
        "publication_dates": [
            {"classe": "4EME|4C", "date": "2026-12-12"},
            {"classe": "4EME|4C", "date": "2027-03-20"},
        ],
    }
    # « − » on the first row removes it from the form; saving keeps the other one.
    page = head.post(url, {**two_dates, "_remove": "publication_dates-0"})
    assert 'value="2026-12-12"' not in text(page) and 'value="2027-03-20"' in text(page)
    page = head.post(
        url,
        {
            "publication_mode": "echeance",
            "publication_dates-1-classe": "4EME|4C",
            "publication_dates-1-date": "",
        },
    )
    assert "fr-input--error" in text(page)
    assert len(_audit(app, academy, "teleservice.configured")) == 1


def test_invalid_configuration_is_refused_next_to_the_field(activated):
    head = activated
    head.post(
        f"{BASE}/teleservices",
        {"open": ["notes", "paiement", "absences", "emploi_du_temps", "bourses"]},
    )
    head.get(f"{BASE}/teleservices/paiement/configuration")
    page = head.post(
        f"{BASE}/teleservices/paiement/configuration",
        {"payfip_client": "12ab", "minimum_amount": "0,50", "contact_email": ""},
    )
    assert page.status_code == 200
    assert "Le numéro de client PayFiP comporte six chiffres." in text(page)
    assert "Le montant minimum est d'au moins 1 €." in text(page)
    assert "fr-input-group--error" in text(page)


def test_paiement_configuration_round_trips_and_is_kept_when_closed(activated, portal):
    head = activated
    head.post(
        f"{BASE}/teleservices",
        {"open": ["notes", "paiement", "absences", "emploi_du_temps", "bourses"]},
    )
    head.get(f"{BASE}/teleservices/paiement/configuration")
    head.post(
        f"{BASE}/teleservices/paiement/configuration",
        {
            "payfip_client": "123456",
            "minimum_amount": "2,50",
            "contact_email": "intendance@college.fr",
        },
    )
    page_seen = portal.get("paiement", "0251711Z")
    assert "2,50 €" in text(page_seen) and "intendance@college.fr" in text(page_seen)
    head.get(f"{BASE}/teleservices")
    head.post(f"{BASE}/teleservices", {"open": ["notes", "absences", "emploi_du_temps", "bourses"]})
    page = head.get(f"{BASE}/teleservices/paiement/configuration")
    assert "la configuration est conservée" in text(page)
    assert 'value="123456"' in text(page) and 'value="2,50"' in text(page)


def test_timetable_configuration_is_read_only_while_closed(app, academy, activated):
    head = activated
    head.post(f"{BASE}/teleservices", {"open": ["notes", "absences", "bourses"]})
    page = head.get(f"{BASE}/teleservices/emploi_du_temps/configuration")
    assert "Configuration en lecture seule" in text(page)
    weeks = re.search(r'<input[^>]*id="weeks"[^>]*>', text(page))
    assert weeks and " disabled" in weeks.group(0)
    assert ">Enregistrer<" not in text(page)
    refused = head.post(
        f"{BASE}/teleservices/emploi_du_temps/configuration", {"weeks": "5"}, follow_redirects=True
    )
    assert "sa configuration ne peut pas être modifiée" in text(refused)
    assert _audit(app, academy, "teleservice.configured") == []
    head.post(f"{BASE}/teleservices", {"open": ["notes", "absences", "bourses", "emploi_du_temps"]})
    head.get(f"{BASE}/teleservices/emploi_du_temps/configuration")
    page = head.post(
        f"{BASE}/teleservices/emploi_du_temps/configuration", {"weeks": "5"}, follow_redirects=True
    )
    assert "enregistrée" in text(page) and 'value="5"' in text(page)


def test_unknown_teleservice_configuration_is_404(activated):
    assert activated.client.get(f"{BASE}/teleservices/inconnu/configuration").status_code == 404
