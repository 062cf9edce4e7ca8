"""The grades page in Chromium at 1280 and 375 px: screenshots in test-artifacts/ and axe-core."""

import pytest
from sqlalchemy import select

from teleservices.extensions import db
from teleservices.school.models import Student
from teleservices.tenancy.context import tenant
from teleservices.testing_browser import accessibility_violations, screenshot


@pytest.mark.parametrize("width", [1280, 375])
def test_the_grades_page_in_a_browser(nd, live_server, academy, family_page, tmp_path, width):
    server = live_server()
    app = server.server.app
    page = family_page(server, academy, width=width)
    with app.app_context(), tenant(academy.id):
        student = db.session.scalar(select(Student).where(Student.last_name == "FAMILLE"))
        child, eleve = student.id, student.eleve_id
    nd.set_mef(app, academy, child)
    (other,) = nd.classmates(app, academy, 1)
    lines = []
    for key, subject, label, day, coefficient, scale, mine, theirs in [
        ("M1", "MATHEMATIQUES", "Interrogation", "05/10/2025", "1", "20", "12", "9"),
        ("M2", "MATHEMATIQUES", "Devoir surveillé", "09/11/2025", "2", "20", "15,5", "11"),
        ("M3", "MATHEMATIQUES", "Contrôle", "01/12/2025", "1", "20", "17", "13"),
        ("F1", "FRANCAIS", "Dictée", "12/11/2025", "1", "16", "8", "12"),
        ("F2", "FRANCAIS", "Rédaction", "20/11/2025", "2", "20", "Abs", "14"),
        ("A1", "ANGLAIS", "Oral", "25/11/2025", "0,5", "10", "7", "6"),
    ]:
        lines.append(f"{key};T1;{subject};{label};{day};{coefficient};{scale};;;4C;{eleve};{mine}")
        lines.append(
            f"{key};T1;{subject};{label};{day};{coefficient};{scale};;;4C;{other};{theirs}"
        )
    assert nd.run_import(app, academy, nd.write_csv(tmp_path, lines)).exit_code == 0
    page.goto(f"{server.url}/{academy.code}/accueil")
    page.get_by_role("link", name="Notes").first.click()
    page.wait_for_url("**/notes/")
    assert page.get_by_role("heading", name="Les notes : liste des notes").is_visible()
    assert page.get_by_text("8,00").first.is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, f"notes-{width}")
    page.goto(page.url + "?lang=en")  # the switch is in the mobile menu at 375 px
    assert page.get_by_role("heading", name="Grades: list of grades").is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, f"notes-{width}-en")
