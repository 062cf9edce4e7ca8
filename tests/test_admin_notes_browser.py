"""Browser test: a head configures « Notes » « à échéance », adds two publication dates with « + »,
removes one with « − », saves; then issues the establishment's API token. Screenshots of both
screens go to test-artifacts/; axe-core finds no serious or critical violation."""

from teleservices.accounts.testing import make_family
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import PASSWORD, make_staff
from teleservices.extensions import db
from teleservices.school.models import Mef, Student
from teleservices.tenancy.context import tenant
from teleservices.testing_browser import accessibility_violations, screenshot


def test_publication_dates_and_the_api_token(live_server, page, academy):
    server = live_server()
    app = server.server.app
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="Claire")
    family = make_family(app, academy, division="4C")
    with app.app_context(), tenant(academy.id):
        student = db.session.get(Student, family.student_id)
        mef = Mef(establishment_id=student.establishment_id, code="4EME", label="4EME")
        db.session.add(mef)
        db.session.flush()
        student.mef_id = mef.id
        db.session.commit()
    page.goto(f"{server.url}/ac-test/admin/")
    page.get_by_label("Identifiant").fill("chef.hugo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/ac-test/admin/")
    page.get_by_role("link", name="Ouverture / fermeture").first.click()
    page.get_by_role("button", name="Activer les téléservices").click()
    page.goto(
        f"{server.url}/ac-test/admin/etablissements/0251711Z/teleservices/notes/configuration"
    )

    page.locator("label[for=publication_mode-1]").click()
    page.get_by_role("button", name="Ajouter une ligne : Dates de publication (à échéance)").click()
    page.get_by_role("button", name="Ajouter une ligne : Dates de publication (à échéance)").click()
    page.get_by_label("Date de publication (ligne 1)").fill("2026-12-12")
    page.get_by_label("Date de publication (ligne 2)").fill("2027-03-20")
    page.get_by_role("button", name="Supprimer la ligne 1").click()
    assert page.get_by_label("Date de publication (ligne 1)").input_value() == "2027-03-20"
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("La configuration de « Notes » est enregistrée").is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, "admin-notes-configuration")

    page.get_by_role("link", name="Jeton d'API").click()
    assert page.get_by_text("Aucun jeton : l'API refuse tout envoi").is_visible()
    screenshot(page, "admin-api-token-none")
    page.get_by_role("button", name="Générer un jeton").click()
    assert page.locator("#new-token").inner_text().startswith("tsv_")
    assert accessibility_violations(page) == []
    screenshot(page, "admin-api-token")
