"""« Notes » import: the CSV command, the JSON API with the establishment's token, and every
rejection leaving the data as it was."""

import pytest
from sqlalchemy import select

from teleservices.admin.audit import AuditEntry
from teleservices.extensions import db
from teleservices.imports import tokens
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

COLLEGE = "0251711Z"
API = "/ac-test/api/etablissements/0251711Z/import/notes"


@pytest.fixture
def pupils(nd, app, academy, portal):
    child = portal.child(COLLEGE)
    return [nd.eleve_id(app, academy, child), *nd.classmates(app, academy, 2)]


def grades_file(nd, tmp_path, pupils, name="notes.csv", extra=()):
    a, b, c = pupils
    return nd.write_csv(
        tmp_path,
        [
            f"C1;T1;MATHEMATIQUES;Interro 1;05/10/2026;1;20;05/10/2026;;4C;{a};12",
            f"C1;T1;MATHEMATIQUES;Interro 1;05/10/2026;1;20;05/10/2026;;4C;{b};8,5",
            f"C1;T1;MATHEMATIQUES;Interro 1;05/10/2026;1;20;05/10/2026;;4C;{c};Abs",
            f"C2;T1;FRANCAIS;Dictée;2026-10-12;2;16;;;4C;{a};8",
            *extra,
        ],
        name=name,
    )


def test_import_creates_then_updates_and_removes(nd, app, academy, pupils, tmp_path):
    result = nd.run_import(app, academy, grades_file(nd, tmp_path, pupils))
    assert result.exit_code == 0, result.output
    assert "2 créé(s), 0 modifié(s), 0 supprimé(s)" in result.output
    assert "4 note(s) pour 2 contrôle(s)" in result.output
    assert nd.counts(app, academy) == (2, 4)
    a, b, _ = pupils
    second = nd.write_csv(
        tmp_path,
        [
            f"C1;T1;MATHEMATIQUES;Interro n°1;05/10/2026;1;20;05/10/2026;;4C;{a};13",
            f"C3;T2;HISTOIRE-GEOGRAPHIE;Carte;04/01/2027;1;10;;;4C;{b};7",
        ],
        name="second.csv",
    )
    result = nd.run_import(app, academy, second)
    assert result.exit_code == 0, result.output
    assert "1 créé(s), 1 modifié(s), 1 supprimé(s)" in result.output
    assert nd.counts(app, academy) == (2, 2)
    with app.app_context(), tenant(academy.id):
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "data.imported")
        ).all()
    assert len(entry) == 2 and entry[0].actor_display == "Ligne de commande"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("C9;T1;MATHS;X;05/10/2026;1;20;;;4C;000000;12", "élève « 000000 » inconnu"),
        ("C9;T1;MATHS;X;31/02/2026;1;20;;;4C;{a};12", "« date » : date invalide « 31/02/2026 »"),
        ("C9;T1;MATHS;X;05/10/2026;1;16;;;4C;{a};17", "« note » : 17 hors du barème (0 à 16)"),
        ("C9;T1;MATHS;X;05/10/2026;1;20;;;4C;{a};bien", "« note » : nombre invalide « bien »"),
        ("C9;T4;MATHS;X;05/10/2026;1;20;;;4C;{a};12", "« periode » : « T4 » inconnue"),
        ("C9;S1;MATHS;X;05/10/2026;1;20;;;4C;{a};12", "mélange trimestres (T1–T3) et semestres"),
        ("C9;T1;MATHS;X;05/10/2026;-1;20;;;4C;{a};12", "« coefficient » : entre 0 et 100"),
        ("C9;T1;MATHS;X;05/10/2026;1;0;;;4C;{a};0", "« bareme » : entier entre 1 et 100"),
        ("C1;T1;MATHS;Autre;05/10/2026;1;20;;;4C;{a};12", "« C1 » est décrit autrement"),
        ("C2;T1;FRANCAIS;Dictée;2026-10-12;2;16;;;4C;{a};9", "deux notes pour l'élève"),
        ("C9;T1;MATHS;X;05/10/2026;1;20;;;4C;{a}", "11 champs au lieu de 12"),
    ],
)
def test_a_wrong_line_rejects_the_whole_file(nd, app, academy, pupils, tmp_path, line, reason):
    assert nd.run_import(app, academy, grades_file(nd, tmp_path, pupils)).exit_code == 0
    before = nd.counts(app, academy)
    bad = grades_file(nd, tmp_path, pupils, "bad.csv", extra=[line.format(a=pupils[0])])
    result = nd.run_import(app, academy, bad)
    assert result.exit_code == 1
    assert "Import refusé, rien n'a été modifié" in result.output
    assert "ligne 6 : " in result.output and reason in result.output
    assert nd.counts(app, academy) == before


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            "controle;periode;matiere;libelle;date;eleve;note;couleur",
            "colonne(s) inconnue(s) : couleur",
        ),
        ("controle;periode;matiere;libelle;date;eleve", "obligatoire(s) absente(s) : note"),
    ],
)
def test_wrong_columns_are_named(nd, app, academy, pupils, tmp_path, header, reason):
    path = nd.write_csv(tmp_path, ["C1;T1;M;L;05/10/2026;x;12;bleu"], header=header)
    result = nd.run_import(app, academy, path)
    assert result.exit_code == 1 and reason in result.output
    assert nd.counts(app, academy) == (0, 0)


def test_an_empty_file_is_refused(nd, app, academy, pupils, tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")
    result = nd.run_import(app, academy, path)
    assert result.exit_code == 1 and "Le fichier est vide." in result.output


def test_windows_1252_and_commas_are_read(nd, app, academy, pupils, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        f"controle,periode,matiere,libelle,date,eleve,note\r\nC1,T1,FRANÇAIS,Dictée,05/10/2026,{pupils[0]},15\r\n".encode(
            "cp1252"
        )
    )
    result = nd.run_import(app, academy, path)
    assert result.exit_code == 0, result.output
    assert nd.counts(app, academy) == (1, 1)


def _token(app, academy, uai=COLLEGE):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).filter_by(uai=uai))
        token = tokens.issue(establishment, "test")
        db.session.commit()
        return token


def test_the_api_imports_json_with_the_establishment_token(nd, app, academy, pupils, client):
    token = _token(app, academy)
    body = [
        {
            "controle": "C1",
            "periode": "T1",
            "matiere": "SVT",
            "libelle": "TP",
            "date": "2026-10-05",
            "coefficient": 0.5,
            "eleve": pupils[0],
            "note": 14,
        },
        {
            "controle": "C1",
            "periode": "T1",
            "matiere": "SVT",
            "libelle": "TP",
            "date": "2026-10-05",
            "coefficient": 0.5,
            "eleve": pupils[1],
            "note": "NR",
        },
    ]
    assert client.post(API, json=body).status_code == 401
    wrong = client.post(API, json=body, headers={"Authorization": "Bearer tsv_faux"})
    assert wrong.status_code == 401 and nd.counts(app, academy) == (0, 0)
    response = client.post(API, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    assert response.json["crees"] == 1 and response.json["etablissement"] == COLLEGE
    assert nd.counts(app, academy) == (1, 2)


def test_the_api_answers_every_error_and_changes_nothing(nd, app, academy, pupils, client):
    token = _token(app, academy)
    headers = {"Authorization": f"Bearer {token}"}
    body = [
        {
            "controle": "C1",
            "periode": "T1",
            "matiere": "SVT",
            "libelle": "TP",
            "date": "hier",
            "eleve": pupils[0],
            "note": 14,
        },
        {
            "controle": "C2",
            "periode": "T1",
            "matiere": "SVT",
            "libelle": "TP",
            "date": "2026-10-05",
            "eleve": pupils[0],
            "note": 25,
        },
        "pas un objet",
    ]
    response = client.post(API, json=body, headers=headers)
    assert response.status_code == 422
    errors = response.json["erreurs"]
    assert errors[0] == "élément 3 : un objet JSON est attendu"
    response = client.post(API, json=body[:2], headers=headers)
    assert response.json["erreurs"] == [
        "élément 1 : « date » : date invalide « hier » (JJ/MM/AAAA attendu)",
        "élément 2 : « note » : 25 hors du barème (0 à 20)",
    ]
    assert client.post(API, data="x", headers=headers).status_code == 415
    assert nd.counts(app, academy) == (0, 0)


def test_a_token_opens_only_its_own_establishment(nd, app, academy, other_academy, pupils, client):
    token = _token(app, academy, uai="0250001R")
    body = [
        {
            "controle": "C1",
            "periode": "T1",
            "matiere": "SVT",
            "libelle": "TP",
            "date": "2026-10-05",
            "eleve": pupils[0],
            "note": 14,
        }
    ]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(API, json=body, headers=headers).status_code == 401
    elsewhere = "/ac-autre/api/etablissements/0251711Z/import/notes"
    assert client.post(elsewhere, json=body, headers=headers).status_code == 401
    assert (
        client.post(API.replace("/notes", "/inconnu"), json=body, headers=headers).status_code
        == 404
    )
    assert nd.counts(app, academy) == (0, 0)


def test_lines_of_a_student_who_left_are_skipped_with_a_warning(nd, app, academy, pupils, tmp_path):
    from datetime import UTC, datetime

    from teleservices.school.models import Student

    with app.app_context(), tenant(academy.id):
        gone = db.session.scalar(select(Student).where(Student.eleve_id == pupils[2]))
        gone.left_at = datetime.now(UTC)
        db.session.commit()
    result = nd.run_import(app, academy, grades_file(nd, tmp_path, pupils))
    assert result.exit_code == 0, result.output
    assert "1 ligne(s) d'élèves sortis de l'établissement ignorée(s) : ligne 4." in result.output
    assert nd.counts(app, academy) == (2, 3)
    unknown = grades_file(
        nd, tmp_path, pupils, "inconnu.csv", extra=["C9;T1;M;X;05/10/2026;1;20;;;4C;123;1"]
    )
    assert nd.run_import(app, academy, unknown).exit_code == 1
