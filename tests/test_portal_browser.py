"""The seeds' journey in Chromium, at 1280 px and 375 px: the notification e-mail, first connection,
the confirmation link, the home with one child, merging a second child's account from another
establishment, the child selector, a plugin page of each child, contact and useful links, logout.
axe-core checks every page (no serious or critical violation); screenshots go to test-artifacts/."""

import re
import time
from datetime import date

import pytest

from teleservices.accounts.models import NotificationMode
from teleservices.accounts.testing import links_in, make_family, notify_account
from teleservices.admin.establishment_settings import settings_row
from teleservices.extensions import db
from teleservices.mail import deliver_pending
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment
from teleservices.testing_browser import accessibility_violations, screenshot


def wait_for_mail(smtp_server, count):
    deadline = time.monotonic() + 10
    while len(smtp_server.messages) < count:
        assert time.monotonic() < deadline, "no e-mail arrived"
        time.sleep(0.05)
    return smtp_server.messages[count - 1].get_body(preferencelist=("plain",)).get_content()


def check(page, name):
    assert accessibility_violations(page) == [], name
    screenshot(page, name)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_family_journey(live_server, smtp_server, browser, academy, width):
    server = live_server(MAIL_URL=smtp_server.url)
    app = server.server.app
    app.config["BASE_URL"] = server.url
    first = make_family(app, academy, representative_email="jean@example.fr")
    second = make_family(
        app,
        academy,
        uai="0250001R",
        first_name="Hugo",
        representative_email="jean@example.fr",
        birth_date=date(2009, 6, 2),
        division="2NDE1",
    )
    with app.app_context(), tenant(academy.id):
        college = db.session.query(Establishment).filter_by(uai="0251711Z").one()
        college.emails = ["secretariat@college.fr"]
        college.phone = "03 81 00 00 00"
        row = settings_row(college)
        row.contact_email, row.contact_active = "secretariat@college.fr", True
        row.useful_links = [{"id": "a1", "label": "Cantine", "url": "https://cantine.example/"}]
        db.session.commit()
    notify_account(app, academy.id, first.representative_account_id, NotificationMode.EMAIL)
    second_password = notify_account(app, academy.id, second.representative_account_id)
    with app.app_context(), tenant(academy.id):
        deliver_pending()
    letter = wait_for_mail(smtp_server, 1)
    provisional = re.search(r"Mot de passe \* : (\S+)", letter).group(1)
    prefix = f"{width}px"

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{server.url}/ac-test/connexion")
    check(page, f"journey-{prefix}-01-login")
    page.get_by_label("votre identifiant", exact=True).fill(first.representative_identifier)
    page.get_by_label("votre mot de passe", exact=True).fill(provisional)
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/premiere-connexion")
    page.get_by_label("nouveau mot de passe", exact=True).fill("ecole2025")
    page.get_by_label("confirmation du mot de passe", exact=True).fill("ecole2025")
    page.get_by_label("votre adresse mail", exact=True).fill("jean@example.fr")
    page.get_by_label("confirmation de l'adresse mail", exact=True).fill("jean@example.fr")
    page.get_by_label("date de naissance", exact=True).fill("14/03/2012")
    check(page, f"journey-{prefix}-02-first-connection")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/validation-en-attente")
    check(page, f"journey-{prefix}-03-awaiting")
    with app.app_context(), tenant(academy.id):
        deliver_pending()
    confirmation = wait_for_mail(smtp_server, 2)
    link = next(url for url in links_in(confirmation) if "confirmation-adresse" in url)
    page.goto(link)
    assert page.get_by_text("Création réussie").first.is_visible()

    page.goto(f"{server.url}/ac-test/connexion")
    page.get_by_label("votre identifiant", exact=True).fill(first.representative_identifier)
    page.get_by_label("votre mot de passe", exact=True).fill("ecole2025")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/ac-test/accueil")
    assert page.get_by_text("1 enfant est rattaché à votre compte").is_visible()
    check(page, f"journey-{prefix}-04-home-one-child")

    page.goto(f"{server.url}/ac-test/compte")
    check(page, f"journey-{prefix}-05-manage")
    page.get_by_role("link", name="Regrouper des comptes").click()
    page.get_by_label("identifiant", exact=True).fill(second.representative_identifier)
    page.get_by_label("mot de passe", exact=True).fill(second_password)
    page.get_by_label("date de naissance de l'enfant").fill("02/06/2009")
    check(page, f"journey-{prefix}-06-merge")
    page.get_by_role("button", name="suivant").click()
    page.wait_for_url("**/compte/regrouper/confirmation")
    check(page, f"journey-{prefix}-07-merge-confirm")
    page.get_by_role("button", name="valider").click()
    assert page.get_by_text("effectuée avec succès").is_visible()
    page.get_by_role("link", name="valider").click()

    page.wait_for_url("**/ac-test/accueil")
    assert page.get_by_text("2 enfants sont rattachés à votre compte").is_visible()
    check(page, f"journey-{prefix}-08-home-two-children")
    page.locator("main ul.ts-services").get_by_role("link", name="Notes").click()
    assert "Les notes" in page.locator("h1").inner_text()
    assert page.get_by_text("Alice DUPONT").first.is_visible()
    check(page, f"journey-{prefix}-09-notes-alice")
    page.goto(f"{server.url}/ac-test/accueil")
    page.get_by_label("Choisir un enfant").select_option(label="Hugo DUPONT — Lycée Louis Pasteur")
    page.get_by_role("button", name="Afficher").click()
    assert page.get_by_text("Lycée Louis Pasteur").first.is_visible()
    page.locator("main ul.ts-services").get_by_role("link", name="Fiche de renseignements").click()
    assert page.get_by_text("Hugo DUPONT").first.is_visible()
    check(page, f"journey-{prefix}-10-fiche-hugo")

    page.goto(f"{server.url}/ac-test/accueil?enfant={first.student_id}")
    page.get_by_role("link", name="Contacter l'établissement").click()
    assert page.get_by_text("03 81 00 00 00").is_visible()
    check(page, f"journey-{prefix}-11-contact")
    page.goto(f"{server.url}/ac-test/liens-utiles")
    assert page.get_by_role("link", name="Cantine").is_visible()
    check(page, f"journey-{prefix}-12-useful-links")
    page.goto(f"{server.url}/ac-test/accueil?lang=en")
    assert page.get_by_text("Français").first.is_visible()
    check(page, f"journey-{prefix}-13-english")
    page.goto(f"{server.url}/ac-test/accueil?lang=fr")
    if width < 992:  # the DSFR header folds its links into the « Menu » dialog
        page.get_by_role("button", name="Menu").click()
    page.locator("header button:visible", has_text="se déconnecter").first.click()
    page.wait_for_url("**/ac-test/connexion")
    check(page, f"journey-{prefix}-14-logged-out")
    context.close()


def test_a_kept_home_in_the_browser(live_server, browser, academy, redis_url):
    """As in production (Redis): coming back from a service page, the home is the kept page — no
    SQL query — it passes axe-core, and its logout form (CSRF token put back) works."""
    from teleservices.accounts.portal_testing import PASSWORD
    from teleservices.accounts.testing import activate
    from teleservices.testing import RQ_QUEUE, sql_statements

    server = live_server(REDIS_URL=redis_url, JOBS_QUEUE=RQ_QUEUE)
    app = server.server.app
    family = make_family(app, academy)
    activate(app, academy.id, family.representative_account_id, PASSWORD, "jean@example.fr")
    context = browser.new_context(viewport={"width": 375, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{server.url}/ac-test/connexion")
    page.get_by_label("votre identifiant", exact=True).fill(family.representative_identifier)
    page.get_by_label("votre mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/ac-test/accueil")
    page.locator("main ul.ts-services").get_by_role("link", name="Notes").click()
    assert "Les notes" in page.locator("h1").inner_text()

    with sql_statements(app) as statements:
        page.goto(f"{server.url}/ac-test/accueil")
    assert page.get_by_text("1 enfant est rattaché à votre compte").is_visible()
    # (The host-name map of the tenant middleware may be reloaded meanwhile: not the home's.)
    assert [s for s in statements if "host_names" not in s] == []
    check(page, "kept-home-375px")
    page.get_by_role("button", name="Menu").click()
    page.locator("header button:visible", has_text="se déconnecter").first.click()
    page.wait_for_url("**/ac-test/connexion")
    context.close()
