"""The « absences » import: the establishment's complete list, all or nothing, by file or API."""

from datetime import datetime

import pytest
from sqlalchemy import select

from teleservices.extensions import db
from teleservices.imports import tokens
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

COLLEGE = "0251711Z"
LYCEE = "0250001R"
API = f"/ac-test/api/etablissements/{COLLEGE}/import/absences"


def test_created_updated_removed_across_two_imports(absences, portal):
    child = portal.child(COLLEGE)
    eleve = absences.eleve_id(child)
    report = absences.load(
        f"A1;{eleve};absence;04/01/2027 08:00;04/01/2027 12:00;Maladie;oui;oui;non",
        f"A2;{eleve};retard;2027-01-05 08:10;;Transport;non;non;non",
        f"A3;{eleve};ABSENCE;2027-01-06 14:00;2027-01-06 17:00;;0;1;vrai",
    )
    assert (report.created, report.updated, report.removed) == (3, 0, 0)
    assert absences.events() == [
        (
            "A1",
            child,
            "absence",
            datetime(2027, 1, 4, 8),
            datetime(2027, 1, 4, 12),
            "Maladie",
            True,
            True,
            False,
        ),
        (
            "A2",
            child,
            "retard",
            datetime(2027, 1, 5, 8, 10),
            None,
            "Transport",
            False,
            False,
            False,
        ),
        (
            "A3",
            child,
            "absence",
            datetime(2027, 1, 6, 14),
            datetime(2027, 1, 6, 17),
            "",
            False,
            True,
            True,
        ),
    ]
    report = absences.load(
        f"A1;{eleve};absence;04/01/2027 08:00;04/01/2027 12:00;Maladie;oui;oui;non",  # unchanged
        f"A2;{eleve};retard;2027-01-05 08:10;;Transport;oui;oui;non",  # now justified
        f"A4;{eleve};absence;07/01/2027 08:00;07/01/2027 17:00;;faux;FAUX;non",
    )
    assert (report.created, report.updated, report.removed) == (1, 1, 1)
    assert [e[0] for e in absences.events()] == ["A1", "A2", "A4"]
    assert absences.events()[1][6:8] == (True, True)


def test_events_of_another_establishment_are_kept(absences, portal):
    college = absences.eleve_id(portal.child(COLLEGE))
    lycee = absences.eleve_id(portal.child(LYCEE))
    absences.load(f"A1;{college};absence;04/01/2027 08:00;04/01/2027 12:00;;non;non;non")
    report, errors = absences.run(
        absences.csv(f"A1;{lycee};absence;04/01/2027 08:00;04/01/2027 12:00;;non;non;non"), LYCEE
    )
    assert errors == [] and report.created == 1  # the same identifiant in another establishment
    report, errors = absences.run(
        absences.csv(f"L1;{lycee};retard;04/01/2027 08:05;;;non;non;non"), LYCEE
    )
    assert (report.created, report.removed) == (1, 1)
    assert sorted(e[0] for e in absences.events()) == ["A1", "L1"]


def test_a_student_of_another_establishment_is_unknown(absences, portal):
    portal.child(COLLEGE)
    lycee = absences.eleve_id(portal.child(LYCEE))
    _, errors = absences.run(
        absences.csv(f"A1;{lycee};absence;04/01/2027 08:00;04/01/2027 12:00;;non;non;non")
    )
    assert errors == [f"ligne 2 : élève inconnu dans l'établissement : « {lycee} »"]


GOOD = "A1;{eleve};absence;04/01/2027 08:00;04/01/2027 12:00;Maladie;oui;oui;non"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            "identifiant;eleve;type;debut;couleur\nA9;{eleve};absence;04/01/2027 08:00;bleu\n",
            "ligne 1 : colonne(s) inconnue(s) : couleur",
        ),
        (
            "identifiant;type;debut\nA9;absence;04/01/2027 08:00\n",
            "ligne 1 : colonne(s) obligatoire(s) absente(s) : eleve",
        ),
        (
            "@A9;999999;absence;04/01/2027 08:00;04/01/2027 12:00;;non;non;non",
            "ligne 3 : élève inconnu dans l'établissement : « 999999 »",
        ),
        (
            "@A9;{eleve};absence;31/02/2027 08:00;04/03/2027 12:00;;non;non;non",
            "ligne 3 : debut « 31/02/2027 08:00 » illisible (JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM)",
        ),
        (
            "@A9;{eleve};absence;04/01/2027;04/01/2027 12:00;;non;non;non",
            "ligne 3 : debut « 04/01/2027 » illisible (JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM)",
        ),
        (
            "@A9;{eleve};absence;04/01/2027 10:00;04/01/2027 09:00;;non;non;non",
            "ligne 3 : fin antérieure au début",
        ),
        (
            "@A9;{eleve};absence;04/01/2027 10:00;;;non;non;non",
            "ligne 3 : fin vide (obligatoire pour une absence)",
        ),
        (
            "@A9;{eleve};exclusion;04/01/2027 08:00;04/01/2027 12:00;;non;non;non",
            "ligne 3 : type « exclusion » inconnu (absence ou retard)",
        ),
        (
            "@A9;{eleve};absence;04/01/2027 08:00;04/01/2027 12:00;;peut-être;non;non",
            "ligne 3 : justifiee « peut-être » : oui ou non attendu",
        ),
        (
            "@A1;{eleve};retard;05/01/2027 08:00;;;non;non;non",
            "ligne 3 : identifiant « A1 » en double (déjà en ligne 2)",
        ),
        ("", "Le fichier est vide."),
        ("@", "Le fichier ne contient aucun événement"),
    ],
    ids=[
        "unknown-column",
        "missing-column",
        "unknown-eleve",
        "bad-date",
        "date-without-time",
        "end-before-start",
        "absence-without-end",
        "bad-type",
        "bad-boolean",
        "duplicate",
        "empty-file",
        "no-event",
    ],
)
def test_rejected_imports_change_nothing(absences, portal, data, expected):
    eleve = absences.eleve_id(portal.child(COLLEGE))
    absences.load(f"A0;{eleve};retard;2027-01-05 08:10;;;non;non;non")
    before = absences.events()
    if data.startswith("@"):
        lines = [GOOD.format(eleve=eleve)]
        if data != "@":
            lines.append(data[1:].format(eleve=eleve))
        data = absences.csv(*lines) if data != "@" else absences.csv()
    else:
        data = data.format(eleve=eleve)
    _report, errors = absences.run(data)
    assert any(error.startswith(expected) for error in errors), errors
    assert absences.events() == before


def test_every_error_of_every_line_is_reported(absences, portal):
    eleve = absences.eleve_id(portal.child(COLLEGE))
    _, errors = absences.run(
        absences.csv(
            f"A1;{eleve};absence;hier;;;non;non;non",
            f"A2;{eleve};retard;04/01/2027 08:00;;;non;non;ok",
            "A1;000;absence;04/01/2027 08:00;04/01/2027 09:00;;non;non;non",
        )
    )
    assert errors == [
        "ligne 2 : debut « hier » illisible (JJ/MM/AAAA HH:MM ou AAAA-MM-JJ HH:MM)",
        "ligne 2 : fin vide (obligatoire pour une absence)",
        "ligne 3 : motif_legitime « ok » : oui ou non attendu",
        "ligne 4 : élève inconnu dans l'établissement : « 000 »",
        "ligne 4 : identifiant « A1 » en double (déjà en ligne 2)",
    ]


def issue_token(app, academy, uai=COLLEGE):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.execute(select(Establishment).filter_by(uai=uai)).scalar_one()
        token = tokens.issue(establishment, "test")
        db.session.commit()
    return token


def test_json_api_with_the_establishment_token(app, client, absences, portal, academy):
    eleve = absences.eleve_id(portal.child(COLLEGE))
    token = issue_token(app, academy)
    body = [
        {
            "identifiant": "J1",
            "eleve": eleve,
            "type": "absence",
            "debut": "2027-01-04 08:00",
            "fin": "2027-01-04 17:00",
            "motif": "Rendez-vous médical",
            "justifiee": "oui",
            "traitee": 1,
        },
        {"identifiant": "J2", "eleve": eleve, "type": "retard", "debut": "2027-01-05 08:10"},
    ]
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(API, json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json["crees"] == 2 and response.json["supprimes"] == 0
    assert [(e[0], e[7]) for e in absences.events()] == [("J1", True), ("J2", False)]

    response = client.post(API, json=[{**body[0], "fin": "2027-01-03 17:00"}], headers=headers)
    assert response.status_code == 422
    assert response.json["erreurs"] == ["élément 1 : fin antérieure au début"]
    assert len(absences.events()) == 2

    response = client.post(API, json=body[:1], headers=headers)
    assert response.status_code == 200
    assert (response.json["modifies"], response.json["supprimes"]) == (0, 1)


def test_json_api_without_a_valid_token_is_401(app, client, absences, portal, academy):
    eleve = absences.eleve_id(portal.child(COLLEGE))
    issue_token(app, academy)
    body = [{"identifiant": "J1", "eleve": eleve, "type": "retard", "debut": "2027-01-05 08:10"}]
    assert client.post(API, json=body).status_code == 401
    wrong = {"Authorization": "Bearer tsv_not-the-token"}
    assert client.post(API, json=body, headers=wrong).status_code == 401
    lycee_token = issue_token(app, academy, LYCEE)
    other = {"Authorization": f"Bearer {lycee_token}"}
    assert client.post(API, json=body, headers=other).status_code == 401
    assert absences.events() == []


def test_the_import_command(app, absences, portal, tmp_path):
    eleve = absences.eleve_id(portal.child(COLLEGE))
    path = tmp_path / "absences.csv"
    path.write_text(
        absences.csv(f"C1;{eleve};absence;04/01/2027 08:00;04/01/2027 12:00;;oui;oui;non"),
        encoding="cp1252",
    )
    runner = app.test_cli_runner()
    args = ["import", "absences", "--academy", "ac-test", "--uai", COLLEGE, str(path)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Import terminé (0251711Z) : 1 créé(s), 0 modifié(s), 0 supprimé(s)." in result.output

    path.write_text(absences.csv(f"C1;{eleve};absence;04/01/2027 08:00;;;oui;oui;non"))
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "Import refusé, rien n'a été modifié" in result.output
    assert "ligne 2 : fin vide (obligatoire pour une absence)" in result.output
    assert len(absences.events()) == 1
    assert absences.events()[0][0] == "C1"
