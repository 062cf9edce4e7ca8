"""The « Absences » page in Chromium at 1280 px and 375 px: the month selector, the week table and
the events; axe-core finds no serious or critical violation; screenshots go to test-artifacts/."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from teleservices.extensions import db
from teleservices.school.models import Student
from teleservices.tenancy.context import tenant
from teleservices.testing_browser import accessibility_violations, screenshot

COLLEGE = "0251711Z"


def this_month_events(eleve):
    """Events of the current week (so, of the current month or the week table shown)."""
    now = datetime.now(ZoneInfo("Europe/Paris"))
    monday = (now - timedelta(days=now.weekday())).date()
    day = monday if monday.month == now.month else now.date()

    def at(hour, minute=0, days=0):
        return (datetime.combine(day, datetime.min.time()) + timedelta(days=days)).replace(
            hour=hour, minute=minute
        )

    fmt = "%d/%m/%Y %H:%M"
    return [
        f"B1;{eleve};absence;{at(8):{fmt}};{at(17):{fmt}};Rendez-vous médical;oui;oui;oui",
        f"B2;{eleve};retard;{at(8, 10, 1):{fmt}};;Transport scolaire;non;oui;non",
        f"B3;{eleve};absence;{at(14, 0, 1):{fmt}};{at(16, 0, 1):{fmt}};;non;non;non",
    ]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_absences_page(live_server, family_page, academy, absences, width):
    server = live_server()
    absences.app = server.server.app
    page = family_page(server, academy, COLLEGE, width=width)
    with absences.app.app_context(), tenant(academy.id):
        student = db.session.scalars(select(Student).filter_by(last_name="FAMILLE")).one()
        eleve = student.eleve_id
    absences.load(*this_month_events(eleve))

    page.locator("main ul.ts-services").get_by_role("link", name="Absences").click()
    assert page.locator("h1").inner_text() == "Vie scolaire : absences et retards"
    assert page.get_by_label("Mois", exact=True).is_visible()
    assert page.get_by_role("table").count() == 2
    assert page.get_by_text("Rendez-vous médical").is_visible()
    assert page.get_by_text("Motif légitime").is_visible()
    assert accessibility_violations(page) == []
    screenshot(page, f"absences-{width}px-01-month")

    page.get_by_label("Mois", exact=True).select_option(index=0)
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/absences/?mois=*")
    assert page.locator("h2").first.inner_text().startswith("Demi-journées d'absence en septembre")
    assert accessibility_violations(page) == []
    screenshot(page, f"absences-{width}px-02-september")
