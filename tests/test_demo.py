"""``teleservices demo --no-serve`` on an empty database, twice: it prints every role's login, and
the demo family finds grades and vie-scolaire events imported through the plugins' importers."""

import re
import shutil
from pathlib import Path

from sqlalchemy import select
from teleservices_absences.models import AbsenceEvent
from teleservices_notes.models import Assessment

from teleservices.extensions import db
from teleservices.tenancy.context import all_academies

ROOT = Path(__file__).resolve().parent.parent


def test_the_demo_prints_its_logins_and_fills_the_teleservices(make_app, tmp_path):
    tenants = tmp_path / "tenants-demo"
    tenants.mkdir()
    shutil.copy(ROOT / "tenants" / "ac-demo.toml", tenants)
    app = make_app(TENANTS_DIR=str(tenants))
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    for role in (
        "Administrateur de la plateforme",
        "Administrateur de l'académie",
        "Chef d'établissement",
        "Famille (enfants dans deux établissements)",
        "Élève",
    ):
        assert role in second.output
    family = re.search(r"Famille.*?identifiant : (\S+)\s+mot de passe : (\S+)", second.output, re.S)
    client = app.test_client()
    login = client.get("/ac-demo/connexion")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.text)[1]
    response = client.post(
        "/ac-demo/connexion",
        data={"csrf_token": token, "identifier": family[1], "password": family[2]},
    )
    assert response.status_code == 302
    home = client.get("/ac-demo/accueil").text
    assert "2 enfants sont rattachés à votre compte" in home
    names = re.findall(r'<option value="\d+"[^>]*>([^<—]+) —', home)
    assert len(names) == 2 and names[0] != names[1], names
    college = re.search(r'<option value="(\d+)"[^>]*>[^<]*Collège Victor Hugo', home)[1]
    home = client.get(f"/ac-demo/accueil?enfant={college}").text
    assert re.search(r"\d+ nouvelles? notes? depuis 7 jours", home)
    notes_url = re.search(r'href="(/ac-demo/services/\d+/notes/)"', home)[1]
    notes = client.get(notes_url).text
    assert "Les notes : liste des notes" in notes and "MATHEMATIQUES" in notes
    assert "Moyenne générale" in notes

    with app.app_context(), all_academies():
        days = db.session.scalars(select(Assessment.held_on).distinct()).all()
        starts = db.session.scalars(select(AbsenceEvent.start_at)).all()
    assert days and all(day.weekday() < 5 for day in days)  # contrôles on school days
    assert starts and all(start.weekday() < 5 for start in starts)
