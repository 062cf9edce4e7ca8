"""Browser test: the academy page and an open téléservice page in a real Chromium."""

from teleservices.testing_browser import screenshot


def test_academy_page_and_service_page_in_the_browser(live_server, page, academy):
    server = live_server()
    page.goto(f"{server.url}/ac-test/")
    assert page.locator("h1").inner_text() == "Académie de Test"
    assert page.get_by_text("Collège Victor Hugo").is_visible()
    screenshot(page, "platform-academy-home")
    page.locator("section", has_text="Collège Victor Hugo").get_by_role(
        "link", name="Notes"
    ).click()
    page.wait_for_url("**/ac-test/services/0251711Z/notes/")
    assert "Les notes" in page.locator("h1").inner_text()
    screenshot(page, "platform-notes-page")
