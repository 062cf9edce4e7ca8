"""Browser test: a head logs in, activates the téléservices, opens « Paiement », configures it, and
a family of the establishment finds it on its portal home and opens it; screenshots of the staff screens go to test-artifacts/."""

import pyotp

from teleservices.admin.models import StaffRole
from teleservices.admin.testing import PASSWORD, make_staff
from teleservices.testing_browser import screenshot


def test_head_activates_opens_and_configures_paiement(live_server, page, academy, family_page):
    server = live_server()
    make_staff(
        server.server.app,
        academy,
        "chef.hugo",
        StaffRole.HEAD,
        uai="0251711Z",
        display_name="Claire Martin",
    )
    page.goto(f"{server.url}/ac-test/admin/")
    page.wait_for_url("**/ac-test/admin/connexion**")
    screenshot(page, "admin-login")
    page.get_by_label("Identifiant").fill("chef.hugo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/ac-test/admin/")
    screenshot(page, "admin-home")

    page.get_by_role("link", name="Ouverture / fermeture").first.click()
    assert page.get_by_text("ne sont pas encore activés").is_visible()
    screenshot(page, "admin-activation")
    page.get_by_role("button", name="Activer les téléservices").click()
    assert page.get_by_text("Les téléservices de l'établissement sont activés.").is_visible()

    toggle = page.locator("#toggle-paiement")
    assert not toggle.is_checked()
    assert page.locator("#toggle-fiche").is_disabled()
    page.locator("label[for=toggle-paiement]").click()
    assert toggle.is_checked()
    page.get_by_role("button", name="Enregistrer les modifications").click()
    assert page.get_by_text("« Paiement des factures » est ouvert aux familles.").is_visible()
    screenshot(page, "admin-opening")

    page.locator("#service-paiement").get_by_role("link", name="Configurer").click()
    page.get_by_label("Numéro de client PayFiP").fill("123456")
    page.get_by_label("Montant minimum").fill("3,50")
    page.get_by_label("Adresse électronique de contact").fill("intendance@college-hugo.fr")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text(
        "La configuration de « Paiement des factures » est enregistrée"
    ).is_visible()
    screenshot(page, "admin-paiement-configuration")

    family = family_page(server, academy, "0251711Z")
    screenshot(family, "portal-home-with-paiement")
    family.get_by_role("link", name="Paiement des factures").click()
    family.wait_for_url("**/ac-test/services/*/paiement/")
    assert family.get_by_text("à partir de 3,50 €").is_visible()
    assert family.get_by_text("intendance@college-hugo.fr").first.is_visible()
    screenshot(family, "admin-paiement-portal")


def test_welcome_message_live_preview_and_audit_screens(live_server, page, academy):
    server = live_server()
    make_staff(
        server.server.app,
        academy,
        "chef.hugo",
        StaffRole.HEAD,
        uai="0251711Z",
        display_name="Claire Martin",
    )
    page.goto(f"{server.url}/ac-test/admin/connexion")
    page.get_by_label("Identifiant").fill("chef.hugo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/ac-test/admin/")
    page.goto(f"{server.url}/ac-test/admin/etablissements/0251711Z/parametrage/message-accueil")
    page.locator("#message").fill('Bienvenue <b>à tous</b> ! <img src=x onerror="alert(1)">')
    preview = page.locator("#welcome-preview")
    preview.locator("b").wait_for()
    assert preview.inner_html() == "Bienvenue <b>à tous</b> ! "
    screenshot(page, "admin-welcome-message")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("Le message d'accueil est enregistré").is_visible()
    page.goto(f"{server.url}/ac-test/admin/etablissements/0251711Z/parametrage/ent")
    screenshot(page, "admin-ent")
    page.goto(f"{server.url}/ac-test/admin/etablissements/0251711Z/parametrage/liens-utiles")
    page.get_by_label("Libellé").fill("Le site de l'établissement")
    page.get_by_label("Adresse (URL)").fill("https://college-hugo.example/")
    page.get_by_role("button", name="Ajouter").click()
    screenshot(page, "admin-useful-links")
    page.goto(f"{server.url}/ac-test/admin/etablissements/0251711Z/journal")
    assert page.get_by_text("Message d'accueil").first.is_visible()
    screenshot(page, "admin-audit")


def test_academy_admin_totp_enrolment_screen(live_server, page, academy):
    server = live_server()
    make_staff(
        server.server.app,
        academy,
        "admin.rectorat",
        StaffRole.ACADEMY_ADMIN,
        display_name="Anne Rectorat",
    )
    page.goto(f"{server.url}/ac-test/admin/connexion")
    page.get_by_label("Identifiant").fill("admin.rectorat")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/double-authentification")
    assert page.locator("img.admin-qr").evaluate("img => img.naturalWidth") > 0
    screenshot(page, "admin-totp-enrolment")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Activer et me connecter").click()
    page.wait_for_url("**/ac-test/admin/")
    assert page.get_by_text("Lycée Louis Pasteur").is_visible()
    screenshot(page, "admin-academy-home")
    page.get_by_role("link", name="Journal de l'académie").click()
    assert (
        page.locator("table").get_by_text("Activation de la double authentification").is_visible()
    )
    screenshot(page, "admin-academy-audit")
