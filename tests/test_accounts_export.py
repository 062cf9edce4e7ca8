"""The command line: ``import siecle`` and ``accounts export`` (JSON, CSV without formulas)."""

import csv
import io
import json
from pathlib import Path

import pytest
import time_machine

from teleservices.accounts.export import csv_safe
from teleservices.testing import create_establishment

FIXTURES = Path(__file__).parent / "fixtures" / "siecle"
SAMPLES = [
    str(FIXTURES / n)
    for n in ("Nomenclature.xml", "ElevesSansAdresses.xml", "ResponsablesAvecAdresses.xml")
]
SAMPLE_UAI = "0009991K"


@pytest.fixture
def runner(app, academy):
    with app.app_context():
        create_establishment(academy, SAMPLE_UAI, "Collège fictif")
    return app.test_cli_runner()


def run(runner, *args):
    return runner.invoke(args=list(args))


def import_samples(runner, *files):
    return run(
        runner, "import", "siecle", "--academy", "ac-test", "--uai", SAMPLE_UAI, *(files or SAMPLES)
    )


def export(runner, output_format, uai=SAMPLE_UAI, academy="ac-test"):
    return run(
        runner, "accounts", "export", "--academy", academy, "--uai", uai, "--format", output_format
    )


def test_import_prints_a_summary(runner):
    result = import_samples(runner)
    assert result.exit_code == 0, result.output
    assert "Élèves : 3 créé(s), 0 mis à jour" in result.stdout
    assert "Comptes pré-créés" in result.stdout


def test_import_json_report(runner):
    result = import_samples(runner, "--json", *SAMPLES)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["applied"] is True
    assert report["students"] == {"created": 3, "updated": 0, "removed": 0}
    assert report["rejected"] == []


def test_a_rejected_import_exits_with_the_reasons(runner, tmp_path):
    wrong = tmp_path / "Eleves.xml"
    wrong.write_bytes(Path(SAMPLES[1]).read_bytes().replace(b"0009991K", b"0251711Z"))
    result = import_samples(runner, str(wrong))
    assert result.exit_code == 1
    assert "erreur : Eleves.xml, ligne 8 : UAJ « 0251711Z » du fichier différent" in result.stderr
    assert "Import refusé : aucune modification n'a été faite." in result.stderr
    as_json = import_samples(runner, "--json", str(wrong))
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["rejected"][0]["line"] == 8


def test_unknown_academy_or_establishment(runner):
    result = run(
        runner, "import", "siecle", "--academy", "ac-nulle", "--uai", SAMPLE_UAI, SAMPLES[0]
    )
    assert result.exit_code == 1 and "Académie « ac-nulle » inconnue." in result.output
    result = export(runner, "csv", uai="0900001M")  # exists, but in another academy
    assert result.exit_code == 1
    assert "Établissement 0900001M inconnu dans l'académie ac-test." in result.output
    result = export(runner, "csv", uai="0251711A")
    assert result.exit_code == 2 and "lettre de contrôle" in result.output


@time_machine.travel("2025-09-20", tick=False)
def test_export_lists_the_establishment_accounts(runner):
    import_samples(runner)
    result = export(runner, "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["uai"] == SAMPLE_UAI
    assert data["accounts"] == [
        {
            "identifier": "helene.duval-etienne",
            "kind": "representative",
            "state": "non_notifie",
            "eleve_id": "900001",
            "ine": "090000001AB",
            "personne_id": "700001",
        },
        {
            "identifier": "jose.dalmeida",
            "kind": "representative",
            "state": "non_notifie",
            "eleve_id": "900002",
            "ine": "090000002CD",
            "personne_id": "700002",
        },
        {
            "identifier": "jean-noel.martin",
            "kind": "student",
            "state": "non_notifie",
            "eleve_id": "900002",
            "ine": "090000002CD",
            "personne_id": "",
        },
        {
            "identifier": "lou.nguyen",
            "kind": "student",
            "state": "non_notifie",
            "eleve_id": "900003",
            "ine": "090000003EF",
            "personne_id": "",
        },
        {
            "identifier": "zoe.duval-etienne",
            "kind": "student",
            "state": "non_notifie",
            "eleve_id": "900001",
            "ine": "090000001AB",
            "personne_id": "",
        },
    ]
    rows = list(csv.reader(io.StringIO(export(runner, "csv").stdout), delimiter=";"))
    assert rows[0] == ["identifier", "kind", "state", "eleve_id", "ine", "personne_id"]
    assert rows[1:] == [list(account.values()) for account in data["accounts"]]


def test_export_of_another_establishment_or_academy_is_empty(runner, other_academy):
    import_samples(runner)
    assert json.loads(export(runner, "json", uai="0251711Z").stdout)["accounts"] == []
    other = export(runner, "json", uai="0900001M", academy="ac-autre")
    assert json.loads(other.stdout)["accounts"] == []


@time_machine.travel("2025-09-20", tick=False)
def test_csv_cells_cannot_become_formulas(runner, tmp_path):
    content = Path(SAMPLES[1]).read_bytes()
    content = content.replace(b'ELEVE_ID="900003"', b'ELEVE_ID="=1+2"')
    content = content.replace(b"<ID_NATIONAL>090000003EF", b"<ID_NATIONAL>@SUM(A1)")
    eleves = tmp_path / "Eleves.xml"
    eleves.write_bytes(content)
    assert import_samples(runner, str(eleves)).exit_code == 0
    rows = list(csv.reader(io.StringIO(export(runner, "csv").stdout), delimiter=";"))
    assert ["lou.nguyen", "student", "non_notifie", "'=1+2", "'@SUM(A1)", ""] in rows
    exported = json.loads(export(runner, "json").stdout)["accounts"]
    assert {"=1+2"} == {a["eleve_id"] for a in exported if a["identifier"] == "lou.nguyen"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("jean.dupont", "jean.dupont"),
        ("", ""),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected
