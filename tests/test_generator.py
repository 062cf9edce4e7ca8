"""The synthetic academy generator writes real SIECLE exports that the importer can take."""

from __future__ import annotations

import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from teleservices.extensions import db
from teleservices.school.generator import (
    ELEVES_FILE,
    NOMENCLATURE_FILE,
    RESPONSABLES_FILE,
    EstablishmentSpec,
    SiecleGenerator,
    plan_academy,
    siecle_files,
    tenant_declaration,
)
from teleservices.school.siecle import import_siecle
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment, EstablishmentType
from teleservices.tenancy.sync import validate
from teleservices.tenancy.uai import is_valid_uai
from teleservices.testing import create_establishment

STUDENTS = 150
ROOTS = {
    ELEVES_FILE: "BEE_ELEVES",
    RESPONSABLES_FILE: "BEE_RESPONSABLES",
    NOMENCLATURE_FILE: "BEE_NOMENCLATURES",
}


def generate(out: Path, count: int = 2, students: int = STUDENTS, seed: int = 7) -> list[Path]:
    generator = SiecleGenerator(plan_academy("ac-gen", count), students, seed=seed)
    return [result.directory for result in generator.write_all(out)]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A collège and a lycée of 150 students each."""
    return generate(tmp_path_factory.mktemp("academy"))


def parse(directory: Path, name: str) -> ET.Element:
    return ET.parse(directory / name).getroot()


def students_of(directory: Path) -> dict[str, ET.Element]:
    return {e.get("ELEVE_ID", ""): e for e in parse(directory, ELEVES_FILE).iter("ELEVE")}


def persons_of(directory: Path) -> dict[str, ET.Element]:
    root = parse(directory, RESPONSABLES_FILE)
    return {p.get("PERSONNE_ID", ""): p for p in root.iter("PERSONNE")}


def links_of(directory: Path) -> list[ET.Element]:
    return list(parse(directory, RESPONSABLES_FILE).iter("RESPONSABLE_ELEVE"))


def name(element: ET.Element) -> tuple[str, str]:
    return (
        element.findtext("PRENOM", ""),
        element.findtext("NOM_USAGE") or element.findtext("NOM_DE_FAMILLE", ""),
    )


def test_files_are_iso_8859_15_with_the_right_root_and_uaj(exports):
    for directory in exports:
        for file_name, root in ROOTS.items():
            raw = (directory / file_name).read_bytes()
            assert raw.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>\n')
            text = raw.decode("iso-8859-15")
            assert "é" in text and b"\xe9" in raw  # é as one ISO-8859-15 byte, not UTF-8
            element = parse(directory, file_name)
            assert element.tag == root
            assert element.findtext("PARAMETRES/UAJ") == directory.name
            assert element.findtext("PARAMETRES/ANNEE_SCOLAIRE") == "2025"


def test_planned_establishments_have_valid_distinct_uais_and_mixed_types():
    specs = plan_academy("ac-gen", 250)
    assert all(is_valid_uai(spec.uai) for spec in specs)
    assert len({spec.uai for spec in specs}) == 250
    assert {spec.type for spec in specs} == {
        EstablishmentType.COLLEGE,
        EstablishmentType.LYCEE,
        EstablishmentType.LP,
    }
    assert plan_academy("ac-gen", 3, departement="039")[0].uai.startswith("0399")


def test_counts_and_references(exports):
    for directory in exports:
        students = students_of(directory)
        persons = persons_of(directory)
        addresses = {
            a.get("ADRESSE_ID") for a in parse(directory, RESPONSABLES_FILE).iter("ADRESSE")
        }
        assert len(students) == STUDENTS
        assert all(p.findtext("ADRESSE_ID") in addresses for p in persons.values())
        level_one: Counter[str] = Counter()
        for link in links_of(directory):
            assert link.findtext("ELEVE_ID") in students
            assert link.findtext("PERSONNE_ID") in persons
            if link.findtext("NIVEAU_RESPONSABILITE") == "1":
                level_one[link.findtext("ELEVE_ID", "")] += 1
        assert {level_one[student] for student in students} == {1, 2}
        # About two representatives or contacts per student, as in real establishments.
        assert 1.6 * STUDENTS < len(persons) < 2.2 * STUDENTS


def test_names_carry_accents_apostrophes_compounds_and_usage_names(exports):
    text = "".join((d / f).read_bytes().decode("iso-8859-15") for d in exports for f in ROOTS)
    for character in "éèïçë":
        assert character in text
    assert "Œ" in text or "œ" in text
    everyone = [e for d in exports for e in students_of(d).values()] + [
        p for d in exports for p in persons_of(d).values()
    ]
    family_names = {e.findtext("NOM_DE_FAMILLE", "") for e in everyone}
    first_names = {e.findtext("PRENOM", "") for e in everyone}
    assert any("'" in n for n in family_names)
    assert any("-" in n for n in family_names)
    assert any(" " in n for n in family_names)
    assert any("-" in n for n in first_names)
    assert any(e.findtext("NOM_USAGE") for e in everyone)


def test_homonyms_and_adult_students_responsible_for_themselves(exports):
    students = {k: v for d in exports for k, v in students_of(d).items()}
    assert max(Counter(name(s) for s in students.values()).values()) > 1
    adults = 0
    for directory in exports:
        persons = persons_of(directory)
        export_date = datetime.strptime(
            parse(directory, ELEVES_FILE).findtext("PARAMETRES/DATE_EXPORT", ""), "%d/%m/%Y"
        ).date()
        for link in links_of(directory):
            if link.findtext("CODE_PARENTE") != "70":
                continue
            student = students[link.findtext("ELEVE_ID", "")]
            assert link.findtext("NIVEAU_RESPONSABILITE") == "1"
            assert name(persons[link.findtext("PERSONNE_ID", "")]) == name(student)
            born = datetime.strptime(student.findtext("DATE_NAISS", ""), "%d/%m/%Y").date()
            assert born <= export_date.replace(year=export_date.year - 18)
            adults += 1
    assert adults > 0


def test_siblings_in_two_establishments_share_their_parents(exports):
    def parents(directory: Path) -> dict[tuple[str, str, str], str]:
        return {
            (p.findtext("PRENOM", ""), p.findtext("NOM_DE_FAMILLE", ""), p.findtext("MEL", "")): key
            for key, p in persons_of(directory).items()
            if p.findtext("MEL")
        }

    college, lycee = (parents(d) for d in exports)
    shared = college.keys() & lycee.keys()
    assert len(shared) >= STUDENTS // 10
    # One person per export: the two establishments' databases give different PERSONNE_IDs.
    assert all(college[person] != lycee[person] for person in shared)


def test_same_seed_writes_the_same_bytes(tmp_path):
    first = generate(tmp_path / "a", students=40)
    second = generate(tmp_path / "b", students=40)
    other = generate(tmp_path / "c", students=40, seed=8)
    for a, b, c in zip(first, second, other, strict=True):
        for file_name in (ELEVES_FILE, RESPONSABLES_FILE):
            assert (a / file_name).read_bytes() == (b / file_name).read_bytes()
            assert (a / file_name).read_bytes() != (c / file_name).read_bytes()
    assert not list(tmp_path.rglob("*.part"))


def test_tenant_declaration_is_a_valid_tenant_file(tmp_path):
    specs = plan_academy("ac-gen", 4)
    path = tmp_path / "ac-gen.toml"
    path.write_text(tenant_declaration("ac-gen", specs), encoding="utf-8")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert validate(path, data, None) == []
    assert [e["uai"] for e in data["establishments"]] == [s.uai for s in specs]


def test_generate_command_writes_the_academy(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=[
            "generate",
            "--academy",
            "ac-gen",
            "--establishments",
            "2",
            "--students-per-establishment",
            "12",
            "--out",
            str(tmp_path),
        ]
    )
    assert result.exit_code == 0, result.output
    uais = [spec.uai for spec in plan_academy("ac-gen", 2)]
    for uai in uais:
        assert len(students_of(tmp_path / uai)) == 12
    assert (tmp_path / "tenants" / "ac-gen.toml").is_file()
    assert "2 établissement(s), 24 élèves" in result.output


def test_generate_command_refuses_a_bad_academy_code(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=[
            "generate",
            "--academy",
            "Ac Gen",
            "--establishments",
            "1",
            "--students-per-establishment",
            "1",
            "--out",
            str(tmp_path),
        ]
    )
    assert result.exit_code != 0
    assert "--academy" in result.output
    assert not list(tmp_path.iterdir())


def test_generated_establishments_import_cleanly_and_reimport_unchanged(app, academy, tmp_path):
    with app.app_context():
        create_establishment(academy, "0250003T", "LP Les Huisselets", EstablishmentType.LP)
        specs = [
            EstablishmentSpec("0251711Z", EstablishmentType.COLLEGE, "Collège", "", "", ""),
            EstablishmentSpec("0250001R", EstablishmentType.LYCEE, "Lycée", "", "", ""),
            EstablishmentSpec("0250003T", EstablishmentType.LP, "LP", "", "", ""),
        ]
        written = list(SiecleGenerator(specs, 30, seed=3).write_all(tmp_path))
        with tenant(academy.id):
            for generated in written:
                establishment = db.session.execute(
                    db.select(Establishment).filter_by(uai=generated.uai)
                ).scalar_one()
                present = {
                    key
                    for key, student in students_of(generated.directory).items()
                    if not student.findtext("DATE_SORTIE")
                }
                level_one = sum(
                    link.findtext("NIVEAU_RESPONSABILITE") == "1"
                    and link.findtext("ELEVE_ID") in present
                    for link in links_of(generated.directory)
                )
                first = import_siecle(establishment, siecle_files(generated.directory))
                assert first.applied, first.rejected
                assert first.warnings == []
                assert first.students.created == 30
                assert first.representatives.created == generated.persons
                # Accounts for the students still enrolled and their level-1 representatives.
                assert first.student_accounts == len(present)
                assert first.representative_accounts == level_one
                again = import_siecle(establishment, siecle_files(generated.directory))
                assert again.applied
                assert (again.students.created, again.students.updated) == (0, 0)
                assert (again.representatives.created, again.representatives.updated) == (0, 0)
                assert again.student_accounts + again.representative_accounts == 0
