"""« Les notes : liste des notes » as a family sees it: only published grades, class statistics
over them, averages, the period selector, the trend chart, the home summary and the guards."""

import re
from html import unescape

import pytest
import time_machine
from sqlalchemy import select

from teleservices import opening
from teleservices.accounts.testing import make_family
from teleservices.extensions import db
from teleservices.stats.accesses import ServiceAccess
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment

COLLEGE = "0251711Z"


def text(response):
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


@pytest.fixture
def school(clock, nd, app, academy, portal, tmp_path):
    """The family's child, two classmates, and grades entered on 20/11/2026 and earlier."""
    child = portal.child(COLLEGE)
    nd.set_mef(app, academy, child)
    a = nd.eleve_id(app, academy, child)
    b, c = nd.classmates(app, academy, 2)
    path = nd.write_csv(
        tmp_path,
        [
            f"M1;T1;MATHEMATIQUES;Interro 1;05/10/2026;1;20;05/10/2026;;4C;{a};10",
            f"M1;T1;MATHEMATIQUES;Interro 1;05/10/2026;1;20;05/10/2026;;4C;{b};14",
            f"M1;T1;MATHEMATIQUES;Interro 1;05/10/2026;1;20;05/10/2026;;4C;{c};Abs",
            f"M2;T1;MATHEMATIQUES;Devoir;09/11/2026;2;20;09/11/2026;;4C;{a};16",
            f"M2;T1;MATHEMATIQUES;Devoir;09/11/2026;2;20;09/11/2026;;4C;{b};6",
            f"F1;T1;FRANCAIS;Dictée;12/11/2026;1;16;12/11/2026;;4C;{a};8",
            f"F1;T1;FRANCAIS;Dictée;12/11/2026;1;16;12/11/2026;;4C;{b};12",
            f"F2;T1;FRANCAIS;Rédaction;20/11/2026;1;20;20/11/2026;;4C;{a};20",
            f"F2;T1;FRANCAIS;Rédaction;20/11/2026;1;20;20/11/2026;;4C;{b};2",
            f"H1;T2;HISTOIRE;Carte;04/01/2027;1;10;04/01/2027;;4C;{a};NR",
        ],
    )
    assert nd.run_import(app, academy, path).exit_code == 0
    return child


@pytest.mark.now("2026-11-20 22:30Z")  # 23:30 in Paris, still the 20th
def test_only_published_grades_and_their_class_statistics(portal, school):
    page = text(portal.get("notes"))
    assert "Les notes : liste des notes" in page
    assert "<strong>10,00</strong>/20" in page and "<strong>8,00</strong>/16" in page
    # Rédaction was entered on the 20th: not shown, and not in any average.
    assert "Rédaction" not in page
    # Class statistics over valued grades: Interro 1 → 10 and 14 (the absent one is left out).
    assert re.search(
        r"Interro 1</td> <td class=\"notes-grade\"><strong>10,00</strong>/20</td> <td>lun. 05/10/2026</td> <td>12,00</td> <td>10,00</td> <td>14,00</td> <td>1,00</td>",
        page,
    )
    # MATHEMATIQUES (10×1 + 16×2)/3 = 14,00 ; FRANCAIS 8/16 = 10,00 ; overall 12,00.
    assert "<td>MATHEMATIQUES</td><td>14,00</td>" in page.replace("> <", "><")
    assert "<td>FRANCAIS</td><td>10,00</td>" in page.replace("> <", "><")
    assert "Moyenne générale</th><td><strong>12,00</strong>" in page.replace("> <", "><")


@pytest.mark.now("2026-11-20 23:30Z")  # 00:30 in Paris on the 21st
def test_a_grade_appears_on_the_day_after_its_entry(portal, school):
    page = text(portal.get("notes"))
    assert "Rédaction" in page and "<strong>20,00</strong>/20" in page
    assert "Moyenne générale</th><td><strong>14,50</strong>" in page.replace("> <", "><")


@pytest.mark.now("2027-01-10 12:00Z")
def test_the_period_selector(portal, school):
    page = text(portal.get("notes"))
    assert 'value="T2" selected' in page and "Non rendu" in page and "Dictée" not in page
    page = text(portal.client.get(portal.url("notes", COLLEGE, "?periode=T1")))
    assert "Dictée" in page and "Non rendu" not in page
    page = text(portal.client.get(portal.url("notes", COLLEGE, "?periode=T9")))
    assert 'value="T2" selected' in page


@pytest.mark.now("2026-12-15 12:00Z")
def test_a_echeance_hides_grades_until_the_date_of_the_class(nd, app, academy, portal, school):
    nd.save_settings(
        app,
        academy,
        {
            "publication_mode": "echeance",
            "publication_dates": [{"classe": "4EME|4C", "date": "2026-12-16"}],
        },
    )
    assert "Aucune note n'est publiée pour le moment." in text(portal.get("notes"))
    with time_machine.travel("2026-12-16 08:00Z", tick=False):
        page = text(portal.get("notes"))
    assert "Interro 1" in page and "Rédaction" in page


@pytest.mark.now("2026-11-25 12:00Z")
def test_the_trend_chart_has_a_text_alternative(portal, school):
    page = text(portal.get("notes"))
    assert "Évolution sur l'année" in page
    assert (
        "Évolution des notes en MATHEMATIQUES (sur 20) : 10,00/20 le 05/10/2026, "
        "16,00/20 le 09/11/2026." in page
    )
    assert 'role="img"' in page


@pytest.mark.now("2026-11-25 12:00Z")
def test_the_home_entry_counts_new_grades(portal, school):
    page = text(portal.client.get("/ac-test/accueil"))
    # Dictée (visible 13/11) is older than 7 days; Rédaction (visible 21/11) is new.
    assert "1 nouvelle note depuis 7 jours" in page


@pytest.mark.now("2026-11-25 12:00Z")
def test_each_access_is_counted_in_the_notes_category(app, academy, portal, school):
    portal.get("notes")
    portal.get("notes")
    with app.app_context(), tenant(academy.id):
        rows = db.session.scalars(select(ServiceAccess)).all()
    assert [(r.category, r.audience, r.count, str(r.day)) for r in rows] == [
        ("Notes", "representatives", 2, "2026-11-25")
    ]


def test_a_closed_service_is_404_and_another_child_too(app, academy, portal, school):
    assert portal.get("notes").status_code == 200
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).filter_by(uai=COLLEGE))
        registry = app.extensions["teleservices_registry"]
        opening.set_open(
            registry, establishment, db.session.get(Academy, academy.id), "notes", False
        )
        db.session.commit()
    assert portal.get("notes").status_code == 404
    stranger = make_family(app, academy, first_name="Zoé", last_name="MARTIN")
    assert portal.client.get(f"/ac-test/services/{stranger.student_id}/notes/").status_code == 404


def test_a_child_of_another_academy_is_404(portal, school, other_academy):
    assert portal.get("notes", "0900001M").status_code == 404


@pytest.mark.now("2026-11-25 12:00Z")
def test_a_student_sees_their_own_grades(clock, nd, app, academy, student_portal, tmp_path):
    child = student_portal.child(COLLEGE)
    path = nd.write_csv(
        tmp_path,
        [f"M1;T1;MATHS;Interro;05/10/2026;1;20;;;4C;{nd.eleve_id(app, academy, child)};15"],
    )
    assert nd.run_import(app, academy, path).exit_code == 0
    assert "<strong>15,00</strong>/20" in text(student_portal.get("notes"))


@pytest.mark.now("2026-11-25 12:00Z")
def test_the_page_and_the_home_entry_in_english(portal, school):
    page = text(portal.client.get(portal.url("notes", COLLEGE, "?lang=en")))
    assert "Grades: list of grades" in page and "Class average" in page
    assert "Overall average" in page and "1st term (T1)" in page
    assert "Grades in MATHEMATIQUES (out of 20): 10,00/20 on 05/10/2026" in page
    home = text(portal.client.get("/ac-test/accueil"))
    assert "1 new grade in the last 7 days" in home


@pytest.mark.now("2026-12-15 12:00Z")
def test_a_echeance_the_home_counts_the_grades_shown_at_the_last_date(
    nd, app, academy, portal, school
):
    nd.save_settings(
        app,
        academy,
        {
            "publication_mode": "echeance",
            "publication_dates": [{"classe": "4EME|4C", "date": "2026-12-16"}],
        },
    )
    assert "Aucune nouvelle note depuis 7 jours" in text(portal.client.get("/ac-test/accueil"))
    with time_machine.travel("2026-12-17 08:00Z", tick=False):
        home = text(portal.client.get("/ac-test/accueil"))
    # Interro 1, Devoir, Dictée and Rédaction (the history map waits for a later date).
    assert "4 nouvelles notes depuis 7 jours" in home


@pytest.mark.now("2026-11-25 12:00Z")
def test_a_student_who_moved_sees_only_the_new_establishment_s_grades(app, academy, portal, school):
    from teleservices.school.models import Student

    assert "Interro 1" in text(portal.get("notes"))
    with app.app_context(), tenant(academy.id):
        lycee = db.session.scalar(select(Establishment).filter_by(uai="0250001R"))
        db.session.get(Student, school).establishment_id = lycee.id
        db.session.commit()
    page = text(portal.client.get(f"/ac-test/services/{school}/notes/"))
    assert "Lycée Louis Pasteur" in page
    assert "Aucune note n'est publiée pour le moment." in page and "Interro 1" not in page
    home = text(portal.client.get("/ac-test/accueil"))
    assert "Aucune nouvelle note depuis 7 jours" in home
