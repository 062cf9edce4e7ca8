"""Browser test: the academy page, a family's login, its home and an open téléservice's page."""

from teleservices.testing_browser import screenshot


def test_academy_page_then_a_family_opens_a_service(live_server, page, academy, family_page):
    server = live_server()
    page.goto(f"{server.url}/ac-test/")
    assert page.locator("h1").inner_text() == "Académie de Test"
    assert page.get_by_text("Collège Victor Hugo").is_visible()
    screenshot(page, "platform-academy-home")
    page.get_by_role("link", name="Se connecter").click()
    page.wait_for_url("**/ac-test/connexion")

    family = family_page(server, academy, "0251711Z")
    assert "Bienvenue M. Famille" in family.locator("h1").inner_text()
    family.locator("ul.ts-services").get_by_role("link", name="Notes").click()
    family.wait_for_url("**/ac-test/services/*/notes/")
    assert "Les notes" in family.locator("h1").inner_text()
    screenshot(family, "platform-notes-page")
