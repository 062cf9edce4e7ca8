"""Browser test of the academy administration and the SIECLE upload: an academy administrator
creates an establishment, declares an experiment, makes a téléservice mandatory, adds an academic
service, reads an establishment's settings and uploads SIECLE files; the platform administrator
opens the national availability. Screenshots go to test-artifacts/."""

from pathlib import Path

import pyotp

from teleservices.admin.models import StaffRole
from teleservices.admin.testing import PASSWORD, make_platform_admin, make_staff
from teleservices.testing_browser import screenshot

FIXTURES = Path(__file__).parent / "fixtures" / "siecle"
SAMPLES = [str(FIXTURES / n) for n in ("Nomenclature.xml", "ElevesSansAdresses.xml")]


def log_in(page, url, login, secret):
    page.goto(url)
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code à 6 chiffres").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Valider").click()


def test_academy_administration_and_siecle_upload(live_server, page, academy, family_page):
    server = live_server()
    app = server.server.app
    secret = pyotp.random_base32()
    make_staff(
        app,
        academy,
        "admin.rectorat",
        StaffRole.ACADEMY_ADMIN,
        totp_secret=secret,
        display_name="Anne Rectorat",
    )
    log_in(page, f"{server.url}/ac-test/admin/connexion", "admin.rectorat", secret)
    page.wait_for_url("**/ac-test/admin/")
    page.get_by_role("link", name="Administration de l'académie").click()
    page.get_by_role("link", name="Créer un établissement").click()
    page.get_by_label("UAI").fill("0009991A")
    page.get_by_label("Nom", exact=True).fill("Collège fictif")
    page.get_by_label("Notes").check(force=True)
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("La lettre de contrôle de cet UAI devrait être « K ».").is_visible()
    screenshot(page, "academy-establishment-form")
    page.get_by_label("UAI").fill("0009991K")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("L'établissement « Collège fictif » est créé.").is_visible()
    screenshot(page, "academy-establishments")

    page.get_by_role("link", name="Téléservices expérimentaux").click()
    page.get_by_label("Téléservice", exact=True).select_option("notes")
    page.get_by_label("Collège Victor Hugo (0251711Z)").check(force=True)
    page.get_by_role("button", name="Déclarer").click()
    assert page.get_by_text("« Notes » est expérimental").is_visible()
    screenshot(page, "academy-experiments")

    page.get_by_role("link", name="Téléservices obligatoires").click()
    page.locator("label[for=mandatory-paiement]").click()
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text(
        "Les téléservices obligatoires de l'académie sont enregistrés."
    ).is_visible()
    screenshot(page, "academy-mandatory")

    page.get_by_role("link", name="Services académiques").click()
    page.get_by_label("Libellé").fill("Cahier de textes académique")
    page.get_by_label("Adresse (URL)").fill("https://cdt.ac-test.example/")
    page.get_by_role("button", name="Ajouter").click()
    screenshot(page, "academy-services")

    # Keys declared by the academy's file are shown read-only.
    tenants = Path(app.config["TENANTS_DIR"])
    tenants.mkdir(parents=True, exist_ok=True)
    (tenants / "ac-test.toml").write_text(
        'code = "ac-test"\nname = "Académie de Test"\nmandatory_teleservices = []\n'
        '[[establishments]]\nuai = "0251711Z"\ntype = "college"\nname = "Collège Victor Hugo"\n'
        'siecle_modules = ["notes", "vie_scolaire", "edt"]\n',
        encoding="utf-8",
    )
    page.goto(f"{server.url}/ac-test/admin/academie/etablissements/0251711Z/modifier")
    assert page.get_by_text("défini par le fichier de l'académie").first.is_visible()
    screenshot(page, "academy-establishment-from-file")
    page.goto(f"{server.url}/ac-test/admin/academie/teleservices-obligatoires")
    assert page.locator("#mandatory-paiement").is_disabled()

    page.goto(f"{server.url}/ac-test/admin/academie/etablissements/0250001R")
    assert page.get_by_text("Téléservice expérimental non proposé à cet établissement").is_visible()
    screenshot(page, "academy-establishment-view")
    family = family_page(server, academy, "0250001R")
    services = family.locator("ul.ts-services")
    assert services.get_by_role("link", name="Paiement des factures").is_visible()
    assert services.get_by_role("link", name="Notes").count() == 0

    page.goto(f"{server.url}/ac-test/admin/etablissements/0009991K/import-siecle")
    page.get_by_label("Fichiers SIECLE").set_input_files(SAMPLES)
    page.get_by_role("button", name="Importer").click()
    assert page.get_by_text("Import réussi").is_visible()
    screenshot(page, "siecle-upload-report")
    broken = (
        (FIXTURES / "ElevesSansAdresses.xml")
        .read_bytes()
        .replace(b"<UAJ>0009991K</UAJ>", b"<UAJ>0251711Z</UAJ>")
    )
    page.get_by_label("Fichiers SIECLE").set_input_files(
        [{"name": "Eleves.xml", "mimeType": "text/xml", "buffer": broken}]
    )
    page.get_by_role("button", name="Importer").click()
    assert page.get_by_text("Import refusé : aucune modification n'a été faite").is_visible()
    screenshot(page, "siecle-upload-rejected")

    make_platform_admin(app, "national", totp_secret=secret)
    log_in(page, f"{server.url}/admin/connexion", "national", secret)
    page.wait_for_url("**/admin/")
    screenshot(page, "platform-home")
    page.get_by_role("link", name="Disponibilité nationale des téléservices").click()
    page.locator("label[for=available-emploi_du_temps]").click()
    page.get_by_role("button", name="Enregistrer les modifications").click()
    assert page.get_by_text("« Emploi du temps » est désactivé au niveau national").is_visible()
    screenshot(page, "platform-availability")
