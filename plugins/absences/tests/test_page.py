"""The family page of « Absences »: month selector, half-days per week, the month's events, and the
home summary. "Today" is fixed with time_machine (Paris time)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from teleservices import opening, sdk
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

CODE = "absences"
COLLEGE = "0251711Z"
PARIS = ZoneInfo("Europe/Paris")


def travel(*when):
    return time_machine.travel(datetime(*when, tzinfo=PARIS), tick=False)


def week_rows(html):
    """The rows of the week table: (number, du, au, demi-journées)."""
    table = html.split("Numéro semaine", 1)[1].split("</table>", 1)[0]
    rows = re.findall(
        r"<tr>\s*<th scope=\"row\">(\d+)</th>\s*<td[^>]*>([\d/]+)</td>\s*<td[^>]*>([\d/]+)</td>\s*"
        r"<td>(\d+)</td>",
        table,
    )
    return [(int(n), du, au, int(count)) for n, du, au, count in rows]


def save_settings(app, academy, values):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.execute(
            select(Establishment).filter_by(uai=COLLEGE)
        ).scalar_one()
        opening.save_settings(establishment, CODE, values)
        db.session.commit()


@pytest.fixture
def clock():
    """Wednesday 6 January 2027, 10:00 in Paris, from before the family logs in (a session signed
    at another time would not be valid)."""
    with travel(2027, 1, 6, 10) as traveller:
        yield traveller


@pytest.fixture
def winter(clock, absences, portal):
    """Events around the new year 2026 → 2027 (ISO week 53 runs 28/12/2026 → 02/01/2027)."""
    eleve = absences.eleve_id(portal.child(COLLEGE))
    absences.load(
        # week 53: counted 30/12 (2 half-days) and 02/01 (1); not counted: unprocessed, lateness
        f"E1;{eleve};absence;30/12/2026 08:00;30/12/2026 17:00;Grippe;oui;oui;non",
        f"E2;{eleve};absence;02/01/2027 08:00;02/01/2027 11:00;;non;oui;oui",
        f"E3;{eleve};absence;29/12/2026 08:00;29/12/2026 10:00;;non;non;non",
        f"E4;{eleve};retard;28/12/2026 08:10;;Bus en retard;oui;oui;non",
        # week 1: Monday afternoon → Tuesday morning (2), two absences the same morning (1)
        f"E5;{eleve};absence;04/01/2027 14:00;05/01/2027 10:00;;oui;oui;non",
        f"E6;{eleve};absence;07/01/2027 08:00;07/01/2027 09:00;;non;oui;non",
        f"E7;{eleve};absence;07/01/2027 10:00;07/01/2027 11:00;;non;oui;non",
        # December, week 50
        f"E8;{eleve};absence;09/12/2026 08:00;09/12/2026 12:00;;oui;oui;non",
    )
    return eleve


def test_january_week_table_crosses_the_year(portal, winter):
    response = portal.get(CODE)
    assert response.status_code == 200
    html = response.text
    assert (
        "Le nombre par semaine des demi-journées où au moins une absence a été signalée et traitée"
        in html
    )
    assert week_rows(html) == [
        (53, "28/12/2026", "02/01/2027", 3),
        (1, "04/01/2027", "09/01/2027", 3),
        (2, "11/01/2027", "16/01/2027", 0),
        (3, "18/01/2027", "23/01/2027", 0),
        (4, "25/01/2027", "30/01/2027", 0),
    ]
    assert '<option value="2027-01" selected>janvier 2027</option>' in html
    assert '<option value="2026-09">septembre 2026</option>' in html
    assert '<option value="2027-08">août 2027</option>' in html
    assert "2026-08" not in html and "2027-09" not in html


def test_december_shares_week_53_with_january(portal, winter):
    response = portal.get(CODE, path="?mois=2026-12")
    html = response.text
    assert week_rows(html) == [
        (49, "30/11/2026", "05/12/2026", 0),
        (50, "07/12/2026", "12/12/2026", 1),
        (51, "14/12/2026", "19/12/2026", 0),
        (52, "21/12/2026", "26/12/2026", 0),
        (53, "28/12/2026", "02/01/2027", 3),
    ]
    assert '<option value="2026-12" selected>décembre 2026</option>' in html
    events = html.split("Événements de décembre 2026", 1)[1]
    # the month's events only: 09/12, then 28, 29, 30/12; not 02/01
    assert re.findall(r"<td[^>]*>(\w+\. \d\d/\d\d/\d{4})</td>", events) == [
        "mer. 09/12/2026",
        "lun. 28/12/2026",
        "mar. 29/12/2026",
        "mer. 30/12/2026",
    ]
    assert "02/01/2027 08:00" not in events
    assert "Bus en retard" in events and "à 08:10" in events
    assert "de 08:00 à 17:00" in events and "Grippe" in events
    assert "En cours de traitement" in events  # E3, listed but not counted


def test_events_show_justification_and_legitimate_reason(portal, winter):
    html = portal.get(CODE).text
    events = html.split("Événements de janvier 2027", 1)[1]
    assert "du 04/01/2027 14:00 au 05/01/2027 10:00" in events
    assert events.count("Non justifiée") == 3  # E2, E6, E7
    assert events.count("Justifiée") == 1  # E5
    assert events.count("Motif légitime") == 1  # E2
    assert "En cours de traitement" not in events


@pytest.mark.parametrize("value", ["2026-13", "garbage", "2025-12", "2027-09", "%00", "2027-1"])
def test_an_invalid_month_shows_the_current_one(portal, winter, value):
    response = portal.get(CODE, path=f"?mois={value}")
    assert response.status_code == 200
    assert '<option value="2027-01" selected>janvier 2027</option>' in response.text


def test_processed_absences_only_count(clock, absences, portal):
    eleve = absences.eleve_id(portal.child(COLLEGE))
    line = f"P1;{eleve};absence;03/03/2027 08:00;03/03/2027 17:00;;non;{{}};non"
    absences.load(line.format("non"))
    march = "?mois=2027-03"
    assert [row[3] for row in week_rows(portal.get(CODE, path=march).text)] == [0, 0, 0, 0, 0]
    absences.load(line.format("oui"))
    assert [row[3] for row in week_rows(portal.get(CODE, path=march).text)] == [2, 0, 0, 0, 0]


def test_lateness_hidden(app, academy, portal, winter):
    save_settings(app, academy, {"show_lateness": False})
    html = portal.get(CODE, path="?mois=2026-12").text
    assert "Bus en retard" not in html and ">Retard<" not in html
    assert week_rows(html)[-1] == (53, "28/12/2026", "02/01/2027", 3)


def test_absences_hidden(app, academy, portal, winter):
    save_settings(app, academy, {"show_absences": False})
    html = portal.get(CODE, path="?mois=2026-12").text
    assert "Numéro semaine" not in html and "Grippe" not in html
    assert "Bus en retard" in html and "Événements affichés : Retards." in html


def test_a_month_without_events(portal, winter):
    html = portal.get(CODE, path="?mois=2027-05").text
    assert "Aucun événement signalé en mai 2027." in html
    assert all(row[3] == 0 for row in week_rows(html))


def home_entry(app, child, settings):
    with app.test_request_context("/ac-test/accueil"):
        app.preprocess_request()
        establishment = db.session.execute(
            select(Establishment).filter_by(uai=COLLEGE)
        ).scalar_one()
        return app.extensions["teleservices_registry"].call_one(
            CODE,
            "teleservices_home_entry",
            context=sdk.HomeContext(establishment, settings, student_id=child),
        )


def test_home_summary_counts_this_week_s_absences(app, clock, portal, winter):
    child = portal.child(COLLEGE)
    shown = {"show_absences": True, "show_lateness": True}
    with travel(2026, 12, 31, 9):  # week 53: E1, E2, E3 (the lateness E4 is not counted)
        assert home_entry(app, child, shown).summary == "3 absences cette semaine"
    with travel(2026, 12, 9, 18):  # week 50: E8
        assert home_entry(app, child, shown).summary == "1 absence cette semaine"
    with travel(2027, 1, 13, 9):
        assert home_entry(app, child, shown).summary == "Aucune absence cette semaine"
        hidden = {"show_absences": False, "show_lateness": True}
        assert home_entry(app, child, hidden).summary == ""


def test_home_page_shows_the_summary(portal, winter):
    html = portal.client.get("/ac-test/accueil").text
    assert "3 absences cette semaine" in html


def test_the_page_and_the_home_entry_in_english(portal, winter):
    page = portal.client.get(portal.url(CODE, COLLEGE, "?lang=en&mois=2026-12")).text
    assert "Half-days of absence in December 2026" in page
    assert "Week number" in page and "Number of half-days" in page
    assert "Being processed" in page and "from 08:00 to 17:00" in page  # E3, E1
    assert "Wed 09/12/2026" in page and "Late arrival" in page  # E8, E4
    assert week_rows(page.replace("Week number", "Numéro semaine"))[-1][0] == 53
    home = portal.client.get("/ac-test/accueil").text
    assert "3 absences this week" in home
