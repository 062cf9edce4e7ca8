"""Browser tests (Chromium): a representative's whole first connection, reading the confirmation
e-mail from a real SMTP server and clicking its link; then the recovery screens."""

import re
import time

import pytest

from teleservices.accounts.testing import activate, links_in, make_family, notify_account
from teleservices.testing_browser import screenshot


@pytest.fixture
def server(live_server, smtp_server):
    started = live_server(MAIL_URL=smtp_server.url, ACCOUNT_LOGIN_RATE_LIMIT="3 per minute")
    # Links in e-mails are built on BASE_URL: point it at the live server's port.
    started.server.app.config["BASE_URL"] = started.url
    return started


@pytest.fixture
def family(server, academy):
    return make_family(server.server.app, academy)


def next_mail(smtp_server, count):
    """Wait for the ``count``-th message of the SMTP server; return its text and its subject."""
    deadline = time.monotonic() + 10
    while len(smtp_server.messages) < count:
        assert time.monotonic() < deadline, "no e-mail arrived"
        time.sleep(0.05)
    message = smtp_server.messages[count - 1]
    return message.get_body(preferencelist=("plain",)).get_content(), str(message["Subject"])


def log_in(page, identifier, password):
    page.get_by_label("votre identifiant", exact=True).fill(identifier)
    page.get_by_label("votre mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Valider").click()


def test_first_connection_of_a_representative(server, family, smtp_server, page):
    app = server.server.app
    password = notify_account(app, family.academy_id, family.representative_account_id)
    page.goto(f"{server.url}/ac-test/connexion")
    screenshot(page, "accounts-login")
    log_in(page, "jean.dupont", "mauvais1")
    assert page.get_by_text("Identifiant ou mot de passe incorrect.").is_visible()
    screenshot(page, "accounts-login-error")

    log_in(page, "jean.dupont", password)
    page.wait_for_url("**/ac-test/premiere-connexion")
    assert page.locator("h1").inner_text() == "Première connexion"
    page.get_by_label("nouveau mot de passe", exact=True).fill("ecole2025")
    page.get_by_label("confirmation du mot de passe", exact=True).fill("ecole2025")
    page.get_by_label("votre adresse mail", exact=True).fill("jean.dupont@example.fr")
    page.get_by_label("confirmation de l'adresse mail", exact=True).fill("jean.dupont@example.fr")
    page.get_by_label("date de naissance", exact=True).fill("15/03/2012")
    screenshot(page, "accounts-first-connection")
    page.get_by_role("button", name="Valider").click()
    assert page.get_by_text("La date de naissance ne correspond pas").is_visible()
    screenshot(page, "accounts-first-connection-wrong-birth-date")

    page.get_by_label("nouveau mot de passe", exact=True).fill("ecole2025")
    page.get_by_label("confirmation du mot de passe", exact=True).fill("ecole2025")
    page.get_by_label("date de naissance", exact=True).fill("14/03/2012")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/ac-test/validation-en-attente")
    assert page.locator("h1").inner_text() == "Compte en attente de validation"
    screenshot(page, "accounts-awaiting-confirmation")

    text, subject = next_mail(smtp_server, 1)
    assert subject == "Message des services en ligne - Mise à jour de votre adresse mail"
    assert smtp_server.envelopes[0].rcpt_tos == ["jean.dupont@example.fr"]
    [link] = [url for url in links_in(text) if "/confirmation-adresse/" in url]
    assert link.startswith(server.url)

    # Until the link is clicked, logging in leads back to the waiting screen.
    page.goto(f"{server.url}/ac-test/connexion")
    log_in(page, "jean.dupont", "ecole2025")
    page.wait_for_url("**/ac-test/validation-en-attente")

    page.goto(link)
    assert page.locator("h1").inner_text() == "Création réussie"
    screenshot(page, "accounts-creation-reussie")
    page.goto(link)
    assert page.locator("h1").inner_text() == "Lien déjà utilisé"
    screenshot(page, "accounts-link-used")

    page.goto(f"{server.url}/ac-test/connexion")
    log_in(page, "jean.dupont", "ecole2025")
    page.wait_for_url("**/ac-test/accueil")
    assert page.locator("h1").inner_text() == "Bienvenue M. Dupont"
    assert page.get_by_text("1 enfant est rattaché à votre compte").is_visible()
    assert page.get_by_text("Alice DUPONT").is_visible()
    screenshot(page, "accounts-home")

    page.locator("header").get_by_role("button", name="se déconnecter").first.click()
    page.wait_for_url("**/ac-test/connexion")
    assert page.get_by_text("Vous êtes déconnecté(e).").is_visible()
    screenshot(page, "accounts-logged-out")


def test_a_student_first_connection_screen(server, family, page):
    app = server.server.app
    password = notify_account(app, family.academy_id, family.student_account_id)
    page.goto(f"{server.url}/ac-test/connexion")
    log_in(page, "alice.dupont", password)
    page.wait_for_url("**/ac-test/premiere-connexion")
    screenshot(page, "accounts-first-connection-student")
    page.get_by_label("nouveau mot de passe", exact=True).fill("ecole2025")
    page.get_by_label("confirmation du mot de passe", exact=True).fill("ecole2025")
    page.get_by_label("date de naissance", exact=True).fill("14/03/2012")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/ac-test/accueil")
    assert page.get_by_text("Création réussie").is_visible()
    screenshot(page, "accounts-home-student")


def test_recovery_screens(server, family, smtp_server, page):
    app = server.server.app
    activate(app, family.academy_id, family.representative_account_id, "ancien2024", "jean@ici.fr")
    page.goto(f"{server.url}/ac-test/connexion")
    page.get_by_role("link", name="identifiant oublié ?").click()
    page.wait_for_url("**/ac-test/identifiant-oublie")
    screenshot(page, "accounts-forgotten-identifier")
    page.get_by_label("votre adresse mail", exact=True).fill("personne@ici.fr")
    page.get_by_role("button", name="Valider").click()
    assert page.get_by_text("ne permettent pas de répondre à votre demande").is_visible()
    screenshot(page, "accounts-forgotten-identifier-unknown")
    page.goto(f"{server.url}/ac-test/identifiant-oublie")
    page.get_by_label("votre adresse mail", exact=True).fill("jean@ici.fr")
    page.get_by_role("button", name="Valider").click()
    screenshot(page, "accounts-forgotten-identifier-sent")
    text, _ = next_mail(smtp_server, 1)
    assert "- jean.dupont (M. Dupont)" in text

    page.goto(f"{server.url}/ac-test/connexion")
    page.get_by_role("link", name="mot de passe oublié ?").click()
    page.wait_for_url("**/ac-test/mot-de-passe-oublie")
    screenshot(page, "accounts-forgotten-password")
    page.get_by_label("votre identifiant", exact=True).fill("personne.inconnue")
    page.get_by_role("button", name="Valider").click()
    assert page.get_by_text("Cet identifiant n'est pas reconnu. Veuillez réessayer.").is_visible()
    screenshot(page, "accounts-forgotten-password-unknown")
    page.get_by_label("votre identifiant", exact=True).fill("alice.dupont")
    notify_account(app, family.academy_id, family.student_account_id)
    page.get_by_role("button", name="Valider").click()
    assert page.get_by_text("Vous devez valider votre adresse mail").is_visible()
    screenshot(page, "accounts-forgotten-password-not-confirmed")
    page.get_by_label("votre identifiant", exact=True).fill("jean.dupont")
    page.get_by_role("button", name="Valider").click()
    shown = page.get_by_text("La référence de cette demande est le n°").inner_text()
    reference = re.search(r"\d{13}", shown).group(0)
    screenshot(page, "accounts-password-requested")

    text, subject = next_mail(smtp_server, 2)
    assert reference in subject
    [link] = [url for url in links_in(text) if "/mot-de-passe/" in url]
    page.goto(link)
    assert page.locator("h1").inner_text() == "Votre mot de passe"
    page.get_by_label("votre identifiant", exact=True).fill("jean.dupont")
    page.get_by_label("votre nouveau mot de passe", exact=True).fill("nouveau2025")
    page.get_by_label("confirmation du nouveau mot de passe", exact=True).fill("nouveau2025")
    screenshot(page, "accounts-reset-password")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/ac-test/connexion")
    assert page.get_by_text("Votre mot de passe a été modifié.").is_visible()
    screenshot(page, "accounts-password-changed")

    for _ in range(3):
        log_in(page, "jean.dupont", "mauvais1")
    log_in(page, "jean.dupont", "mauvais1")
    assert page.locator("h1").inner_text() == "Trop de tentatives"
    screenshot(page, "accounts-too-many-attempts")
