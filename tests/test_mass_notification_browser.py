"""Browser test (Chromium): a head notifies the representatives of the whole establishment and
downloads the letters; screenshots of the selection, confirmation and summary screens."""

from teleservices.accounts.testing import make_family
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import PASSWORD, make_staff
from teleservices.testing_browser import screenshot


def test_head_notifies_the_whole_establishment(live_server, page, academy):
    server = live_server()
    app = server.server.app
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    for first_name, division in (("Alice", "4C"), ("Bruno", "3A"), ("Chloé", "3A")):
        make_family(app, academy, first_name=first_name, last_name="MARTIN", division=division)
    page.goto(f"{server.url}/ac-test/admin/connexion")
    page.get_by_label("Identifiant").fill("chef.hugo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{server.url}/ac-test/admin/etablissements/0251711Z/notification/responsables")
    assert page.locator("#count").inner_text() == "3"
    page.get_by_role("button", name="Tout décocher").click()
    assert page.locator("#count").inner_text() == "0"
    page.get_by_role("button", name="Tout cocher").click()
    page.locator("label[for=mode-3]").click()
    screenshot(page, "mass-notification-selection")
    page.get_by_role("button", name="Notifier", exact=True).click()
    assert page.get_by_text("3 comptes seront notifiés").is_visible()
    screenshot(page, "mass-notification-confirm")
    page.get_by_role("button", name="Confirmer et lancer la notification").click()
    page.wait_for_url("**/notification/suivi/*")
    assert page.get_by_text("Notification terminée").is_visible()
    screenshot(page, "mass-notification-summary")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les courriers (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
