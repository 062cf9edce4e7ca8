"""SIECLE import (DAT-1, DAT-2, ACC-1): samples, re-imports, moves, rejections, isolation."""

import io
import tracemalloc
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select, text

from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
from teleservices.extensions import db
from teleservices.school.generator import EstablishmentSpec, SiecleGenerator, siecle_files
from teleservices.school.models import (
    Division,
    Group,
    Mef,
    Representative,
    Student,
    StudentGroup,
    StudentRepresentative,
    Subject,
)
from teleservices.school.regimes import Regime
from teleservices.school.siecle import UploadedFile, import_siecle
from teleservices.tenancy.context import all_academies, tenant
from teleservices.tenancy.models import Establishment, EstablishmentType
from teleservices.testing import create_establishment

FIXTURES = Path(__file__).parent / "fixtures" / "siecle"
NOMENCLATURE = FIXTURES / "Nomenclature.xml"
ELEVES = FIXTURES / "ElevesSansAdresses.xml"
RESPONSABLES = FIXTURES / "ResponsablesAvecAdresses.xml"
SAMPLES = [NOMENCLATURE, ELEVES, RESPONSABLES]
SAMPLE_UAI = "0009991K"
COLLEGE, LYCEE = "0251711Z", "0250001R"
TABLES = (
    Mef,
    Subject,
    Division,
    Group,
    Student,
    StudentGroup,
    Representative,
    StudentRepresentative,
    Account,
    AccountChild,
)
# Before Lou NGUYEN's DATE_SORTIE (19/12/2025) in the sample, and after it.
RENTREE, NEXT_YEAR = date(2025, 9, 20), date(2026, 9, 20)


# --- SIECLE files written by the tests ----------------------------------------------------------


@dataclass
class Pupil:
    eleve_id: str
    ine: str
    last_name: str
    first_name: str
    usage_name: str = ""
    birth: str = "01/02/2010"
    entry: str = "01/09/2025"
    exit: str = ""
    division: str = "3A"
    groups: tuple[str, ...] = ()


@dataclass
class Person:
    personne_id: str
    last_name: str
    first_name: str
    civility: str = "MME"


@dataclass
class Link:
    eleve_id: str
    personne_id: str
    level: str = "1"
    parente: str = "10"
    resp_legal: str = ""


def bee(path, root, uai, body, encoding="ISO-8859-15"):
    path.write_bytes(
        (
            f'<?xml version="1.0" encoding="{encoding}"?>\n'
            f"<{root}>\n"
            f"<PARAMETRES><UAJ>{uai}</UAJ><ANNEE_SCOLAIRE>2025</ANNEE_SCOLAIRE>"
            "<DATE_EXPORT>15/09/2025</DATE_EXPORT></PARAMETRES>\n"
            f"<DONNEES>\n{body}</DONNEES>\n</{root}>\n"
        ).encode(encoding)
    )
    return path


def eleves_file(directory, uai, pupils, encoding="ISO-8859-15"):
    eleves = "".join(
        f'<ELEVE ELEVE_ID="{p.eleve_id}" ELENOET="{p.eleve_id}"><ID_NATIONAL>{p.ine}</ID_NATIONAL>'
        f"<NOM_DE_FAMILLE>{p.last_name}</NOM_DE_FAMILLE><NOM_USAGE>{p.usage_name}</NOM_USAGE>"
        f"<PRENOM>{p.first_name}</PRENOM><DATE_NAISS>{p.birth}</DATE_NAISS><CODE_SEXE>2</CODE_SEXE>"
        f"<CODE_REGIME>2</CODE_REGIME><CODE_MEF>10310019110</CODE_MEF>"
        f"<DATE_ENTREE>{p.entry}</DATE_ENTREE><DATE_SORTIE>{p.exit}</DATE_SORTIE></ELEVE>\n"
        for p in pupils
    )
    structures = "".join(
        f'<STRUCTURES_ELEVE ELEVE_ID="{p.eleve_id}"><STRUCTURE><CODE_STRUCTURE>{p.division}'
        "</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE>"
        + "".join(
            f"<STRUCTURE><CODE_STRUCTURE>{g}</CODE_STRUCTURE><TYPE_STRUCTURE>G</TYPE_STRUCTURE>"
            "</STRUCTURE>"
            for g in p.groups
        )
        + "</STRUCTURES_ELEVE>\n"
        for p in pupils
    )
    body = f"<ELEVES>\n{eleves}</ELEVES>\n<STRUCTURES>\n{structures}</STRUCTURES>\n"
    return bee(directory / f"eleves-{uai}.xml", "BEE_ELEVES", uai, body, encoding)


def responsables_file(directory, uai, persons, links):
    personnes = "".join(
        f'<PERSONNE PERSONNE_ID="{p.personne_id}"><NOM_DE_FAMILLE>{p.last_name}</NOM_DE_FAMILLE>'
        f"<PRENOM>{p.first_name}</PRENOM><LC_CIVILITE>{p.civility}</LC_CIVILITE></PERSONNE>\n"
        for p in persons
    )
    responsables = "".join(
        f"<RESPONSABLE_ELEVE><ELEVE_ID>{link.eleve_id}</ELEVE_ID>"
        f"<PERSONNE_ID>{link.personne_id}</PERSONNE_ID>"
        + (
            f"<RESP_LEGAL>{link.resp_legal}</RESP_LEGAL>"
            if link.resp_legal
            else f"<NIVEAU_RESPONSABILITE>{link.level}</NIVEAU_RESPONSABILITE>"
        )
        + f"<CODE_PARENTE>{link.parente}</CODE_PARENTE></RESPONSABLE_ELEVE>\n"
        for link in links
    )
    body = f"<PERSONNES>\n{personnes}</PERSONNES>\n<RESPONSABLES>\n{responsables}</RESPONSABLES>\n"
    return bee(directory / f"responsables-{uai}.xml", "BEE_RESPONSABLES", uai, body)


def variant(directory, source, name, *replacements):
    """A copy of a sample with text replaced (the samples are ISO-8859-15)."""
    content = source.read_bytes().decode("iso-8859-15")
    for old, new in replacements:
        assert old in content
        content = content.replace(old, new)
    path = directory / name
    path.write_bytes(content.encode("iso-8859-15"))
    return path


def without(path, *blocks):
    """Remove from a file each block starting at ``start`` and ending with ``end``."""
    content = path.read_bytes().decode("iso-8859-15")
    for start, end in blocks:
        begin = content.index(start)
        content = content[:begin] + content[content.index(end, begin) + len(end) :]
    path.write_bytes(content.encode("iso-8859-15"))
    return path


def line_of(path, needle):
    lines = path.read_bytes().decode("iso-8859-15").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


# --- Database helpers ---------------------------------------------------------------------------


def database_state():
    """Every row of every school and account table (cross-tenant, for before/after checks)."""
    with all_academies():
        return {
            model.__tablename__: sorted(
                tuple(str(value) for value in row)
                for row in db.session.execute(select(model.__table__))
            )
            for model in TABLES
        }


def row_counts():
    return {name: len(rows) for name, rows in database_state().items()}


def accounts_of(academy_id):
    """{identifier: (kind, state, [(student INE, PERSONNE_ID or None)])} of the academy."""
    with tenant(academy_id):
        result = {}
        for account in db.session.scalars(select(Account)):
            children = sorted(
                (c.student.ine, c.representative.personne_id if c.representative else None)
                for c in account.children
            )
            result[account.identifier] = (account.kind, account.state, children)
        return result


@pytest.fixture(autouse=True)
def context(app):
    with app.app_context():
        yield


@pytest.fixture
def school(academy):
    """The establishment of the samples (UAJ 0009991K) in academy ac-test."""
    return create_establishment(academy, SAMPLE_UAI, "Collège fictif")


def establishment(academy_id, uai):
    with tenant(academy_id):
        return db.session.scalars(select(Establishment).filter_by(uai=uai)).one()


# --- The samples --------------------------------------------------------------------------------


@time_machine.travel(RENTREE, tick=False)
def test_the_three_samples_import(school, academy):
    report = import_siecle(school, SAMPLES)

    assert report.applied, report.rejected
    assert report.warnings == []
    assert (report.students.created, report.left, report.moved) == (3, 0, 0)
    assert report.representatives.created == 3
    assert report.links.created == 3
    assert (report.mefs.created, report.subjects.created) == (2, 2)
    assert (report.divisions.created, report.groups.created) == (2, 1)
    assert (report.student_accounts, report.representative_accounts) == (3, 2)
    with tenant(academy.id):
        students = {s.eleve_id: s for s in db.session.scalars(select(Student))}
        zoe, jean_noel, lou = students["900001"], students["900002"], students["900003"]
        assert (zoe.first_name, zoe.first_name_2, zoe.last_name) == (
            "Zoé",
            "Anaïs",
            "DUVAL-ÉTIENNE",
        )
        assert zoe.birth_date == date(2014, 3, 14)
        assert (zoe.birth_department_code, zoe.birth_commune_code) == ("025", "25056")
        assert zoe.division.code == "6A" and zoe.groups == []
        assert (zoe.mef.label, zoe.mef.mefstat4) == ("6EME", "2111")
        assert zoe.regime is Regime.DEMI_PENSIONNAIRE and zoe.sex == "2"
        assert (jean_noel.last_name, jean_noel.usage_name, jean_noel.name) == (
            "D'ALMEIDA",
            "MARTIN",
            "MARTIN",
        )
        assert jean_noel.birth_city == "LONDRES" and jean_noel.regime is Regime.EXTERNE
        assert [g.code for g in jean_noel.groups] == ["3LATIN"]
        assert jean_noel.mef.mefstat4 == "2116"
        assert lou.division is None  # "Inactifs": not in a class
        assert lou.exit_date == date(2025, 12, 19) and lou.left_at is None
        assert lou.regime is Regime.INTERNE

        persons = {p.personne_id: p for p in db.session.scalars(select(Representative))}
        helene, jose = persons["700001"], persons["700002"]
        assert (helene.civility, helene.email, helene.accepts_sms) == (
            "MME",
            "helene.duval@example.invalid",
            True,
        )
        assert (helene.address_line_1, helene.postal_code, helene.city) == (
            "12 RUE DES EXEMPLES",
            "25000",
            "BESANCON",
        )
        assert helene.shares_address and helene.country == "FRANCE"
        assert (jose.city, jose.country, jose.accepts_sms) == ("LONDRES", "ROYAUME-UNI", False)
        links = {
            (link.student.eleve_id, link.representative.personne_id): link
            for link in db.session.scalars(select(StudentRepresentative))
        }
        assert links["900001", "700001"].pays_school_fees
        assert links["900001", "700001"].relationship_code == "10"
        assert not links["900002", "700003"].gives_account  # level 3: a contact, no account
        subject = db.session.scalars(select(Subject).filter_by(code="020300")).one()
        assert subject.edition_label == "Langues et cultures de l'Antiquité LATIN"
    assert accounts_of(academy.id) == {
        "zoe.duval-etienne": (
            AccountKind.STUDENT,
            AccountState.NON_NOTIFIE,
            [("090000001AB", None)],
        ),
        "jean-noel.martin": (
            AccountKind.STUDENT,
            AccountState.NON_NOTIFIE,
            [("090000002CD", None)],
        ),
        "lou.nguyen": (AccountKind.STUDENT, AccountState.NON_NOTIFIE, [("090000003EF", None)]),
        "helene.duval-etienne": (
            AccountKind.REPRESENTATIVE,
            AccountState.NON_NOTIFIE,
            [("090000001AB", "700001")],
        ),
        "jose.dalmeida": (
            AccountKind.REPRESENTATIVE,
            AccountState.NON_NOTIFIE,
            [("090000002CD", "700002")],
        ),
    }
    with tenant(academy.id):
        assert all(
            a.password_hash is None and a.provisional_password_encrypted is None
            for a in db.session.scalars(select(Account))
        )


@pytest.mark.parametrize("sample", [NOMENCLATURE, ELEVES])
def test_each_sample_imports_alone(school, sample):
    report = import_siecle(school, [sample])
    assert report.applied, report.rejected
    assert report.files == [{"file": sample.name, "root": report.files[0]["root"]}]


def test_the_responsables_sample_imports_after_the_students(school, academy):
    assert import_siecle(school, [ELEVES]).applied
    report = import_siecle(school, [RESPONSABLES])
    assert report.applied, report.rejected
    assert (report.representatives.created, report.links.created) == (3, 3)
    assert report.representative_accounts == 2


@time_machine.travel(NEXT_YEAR, tick=False)
def test_a_student_whose_exit_date_is_past_has_left_and_gets_no_account(school, academy):
    report = import_siecle(school, SAMPLES)
    assert report.student_accounts == 2
    with tenant(academy.id):
        lou = db.session.scalars(select(Student).filter_by(eleve_id="900003")).one()
        assert lou.left_at == date(2025, 12, 19)
    assert "lou.nguyen" not in accounts_of(academy.id)


def test_a_zip_as_siecle_delivers_it(school, academy, tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for sample in SAMPLES:
            zf.write(sample, sample.name)
        zf.writestr("LISEZMOI.txt", "hors import")
    report = import_siecle(school, [archive])
    assert report.applied, report.rejected
    assert {f["file"] for f in report.files} == {f"export.zip:{s.name}" for s in SAMPLES}
    assert report.students.created == 3
    assert [w.reason for w in report.warnings] == ["« LISEZMOI.txt » ignoré (pas un fichier .xml)"]


def test_an_upload_stream_imports_like_a_file(school):
    upload = UploadedFile("Eleves.xml", io.BytesIO(ELEVES.read_bytes()))
    assert import_siecle(school, [upload]).students.created == 3


def test_utf8_and_iso_8859_15_read_the_same(academy, tmp_path):
    for uai, encoding, ine in ((COLLEGE, "ISO-8859-15", "1"), (LYCEE, "UTF-8", "2")):
        pupils = [
            Pupil("1", f"{ine}23456789AB", "BŒUF", "Lætitia"),
            Pupil("2", f"{ine}23456789AC", "PÉRÈS", "Noé"),
        ]
        path = eleves_file(tmp_path, uai, pupils, encoding)
        assert import_siecle(establishment(academy.id, uai), [path]).applied
    with tenant(academy.id):
        names = db.session.execute(
            select(Student.first_name, Student.last_name).order_by(Student.id)
        ).all()
    assert [tuple(n) for n in names] == [("Lætitia", "BŒUF"), ("Noé", "PÉRÈS")] * 2
    assert set(accounts_of(academy.id)) == {
        "laetitia.boeuf",
        "laetitia.boeuf1",
        "noe.peres",
        "noe.peres1",
    }


def test_structures_name_divisions_and_groups_and_bee_commun_is_ignored(school, academy, tmp_path):
    body = (
        '<DIVISIONS><DIVISION CODE_STRUCTURE="6A"><LIBELLE_LONG>6e A  </LIBELLE_LONG>'
        "<MEFS_APPARTENANCE><MEF_APPARTENANCE><CODE_MEF>10010012110</CODE_MEF>"
        "</MEF_APPARTENANCE></MEFS_APPARTENANCE></DIVISION></DIVISIONS>\n"
        '<GROUPES><GROUPE CODE_STRUCTURE="3LATIN"><LIBELLE_LONG>Latin 3e</LIBELLE_LONG>'
        "</GROUPE></GROUPES>\n"
    )
    structures = bee(tmp_path / "Structures.xml", "BEE_STRUCTURES", SAMPLE_UAI, body)
    commun = bee(tmp_path / "Commun.xml", "BEE_COMMUN", SAMPLE_UAI, "<UAJS/>\n")
    report = import_siecle(school, [structures, NOMENCLATURE, ELEVES, commun])
    assert report.applied, report.rejected
    assert [w.reason for w in report.warnings] == [
        "fichier BEE_COMMUN ignoré : il ne contient rien pour les téléservices"
    ]
    with tenant(academy.id):
        divisions = dict(db.session.execute(select(Division.code, Division.label)).all())
        groups = dict(db.session.execute(select(Group.code, Group.label)).all())
    assert divisions == {"6A": "6e A", "3B": ""}
    assert groups == {"3LATIN": "Latin 3e"}


def test_no_file_is_an_error(school):
    report = import_siecle(school, [])
    assert [str(issue) for issue in report.rejected] == ["aucun fichier à importer"]


# --- Re-imports ---------------------------------------------------------------------------------


@time_machine.travel(RENTREE, tick=False)
def test_reimporting_the_same_files_changes_nothing(school, academy):
    import_siecle(school, SAMPLES)
    before = database_state()

    report = import_siecle(school, SAMPLES)

    assert report.applied
    for counts in (
        report.students,
        report.representatives,
        report.links,
        report.mefs,
        report.subjects,
        report.divisions,
        report.groups,
    ):
        assert (counts.created, counts.updated, counts.removed) == (0, 0, 0)
    assert (report.left, report.moved, report.student_accounts, report.representative_accounts) == (
        0,
        0,
        0,
        0,
    )
    assert database_state() == before


@time_machine.travel(RENTREE, tick=False)
def test_a_reimport_updates_in_place_removes_links_and_marks_who_left(school, academy, tmp_path):
    import_siecle(school, SAMPLES)
    eleves = variant(
        tmp_path,
        ELEVES,
        "Eleves2.xml",
        ("<PRENOM>Lou</PRENOM>", "<PRENOM>Louise</PRENOM>"),
        ("<CODE_STRUCTURE>3LATIN</CODE_STRUCTURE>", "<CODE_STRUCTURE>3GREC</CODE_STRUCTURE>"),
    )
    without(eleves, ('<ELEVE ELEVE_ID="900001"', "</ELEVE>"))
    responsables = variant(
        tmp_path,
        RESPONSABLES,
        "Resp2.xml",
        (
            "<NIVEAU_RESPONSABILITE>1</NIVEAU_RESPONSABILITE>\n        <CODE_PARENTE>20</CODE_PARENTE>",
            "<NIVEAU_RESPONSABILITE>2</NIVEAU_RESPONSABILITE>\n        <CODE_PARENTE>20</CODE_PARENTE>",
        ),
    )
    without(
        responsables, ("<RESPONSABLE_ELEVE>\n        <ELEVE_ID>900001<", "</RESPONSABLE_ELEVE>")
    )

    report = import_siecle(school, [NOMENCLATURE, eleves, responsables])

    assert report.applied, report.rejected
    assert (report.students.created, report.students.updated, report.left) == (0, 2, 1)
    assert (report.links.updated, report.links.removed, report.accounts_detached) == (1, 1, 1)
    assert report.groups.created == 1
    with tenant(academy.id):
        students = {s.eleve_id: s for s in db.session.scalars(select(Student))}
        assert students["900001"].left_at == RENTREE
        assert students["900003"].first_name == "Louise"
        assert [g.code for g in students["900002"].groups] == ["3GREC"]
        assert db.session.scalar(select(func.count(Student.id))) == 3
    accounts = accounts_of(academy.id)
    assert accounts["jose.dalmeida"][2] == []  # no longer level 1: access removed
    assert accounts["zoe.duval-etienne"][2] == [("090000001AB", None)]  # left: account kept
    assert accounts["helene.duval-etienne"][2] == [("090000001AB", "700001")]  # kept too
    assert "louise.nguyen" not in accounts  # a renamed student keeps their identifier

    again = import_siecle(school, SAMPLES)  # Zoé is back, José level 1 again
    assert (again.left, again.students.updated) == (0, 3)
    with tenant(academy.id):
        zoe = db.session.scalars(select(Student).filter_by(eleve_id="900001")).one()
        assert zoe.left_at is None
    assert again.representative_accounts == 1  # José's pair gets a fresh account
    assert "jose.dalmeida1" in accounts_of(academy.id)


@time_machine.travel(RENTREE, tick=False)
def test_persons_no_longer_listed_are_removed_with_their_access(school, academy, tmp_path):
    import_siecle(school, SAMPLES)
    path = variant(tmp_path, RESPONSABLES, "Resp.xml", ("<PRENOM>José", "<PRENOM>José"))
    without(
        path,
        ('<PERSONNE PERSONNE_ID="700002">', "</PERSONNE>"),
        ("<RESPONSABLE_ELEVE>\n        <ELEVE_ID>900002<", "</RESPONSABLE_ELEVE>"),
    )

    report = import_siecle(school, [path])

    assert report.applied, report.rejected
    assert (report.representatives.removed, report.links.removed) == (1, 1)
    with tenant(academy.id):
        assert (
            db.session.scalars(select(Representative).filter_by(personne_id="700002")).all() == []
        )
    assert accounts_of(academy.id)["jose.dalmeida"][2] == []


# --- Account pre-creation rules -----------------------------------------------------------------


def test_adult_student_responsible_for_themself_gets_both_accounts(app, academy, tmp_path):
    college = establishment(academy.id, COLLEGE)
    pupils = [Pupil("1", "123456789AB", "MOREAU", "Inès", birth="03/04/2006")]
    persons = [Person("10", "MOREAU", "Inès")]
    report = import_siecle(
        college,
        [
            eleves_file(tmp_path, COLLEGE, pupils),
            responsables_file(
                tmp_path, COLLEGE, persons, [Link("1", "10", level="2", parente="70")]
            ),
        ],
    )
    assert (report.student_accounts, report.representative_accounts) == (1, 1)
    accounts = accounts_of(academy.id)
    assert accounts["ines.moreau"][0] is AccountKind.STUDENT
    assert accounts["ines.moreau1"] == (
        AccountKind.REPRESENTATIVE,
        AccountState.NON_NOTIFIE,
        [("123456789AB", "10")],
    )


def test_old_files_give_accounts_to_resp_legal_1_and_2_only(app, academy, tmp_path):
    college = establishment(academy.id, COLLEGE)
    persons = [
        Person("10", "ROUX", "Anne"),
        Person("11", "ROUX", "Paul", "M."),
        Person("12", "BLANC", "Léa"),
    ]
    links = [
        Link("1", "10", resp_legal="1"),
        Link("1", "11", resp_legal="2"),
        Link("1", "12", resp_legal="0", parente="38"),
    ]
    report = import_siecle(
        college,
        [
            eleves_file(tmp_path, COLLEGE, [Pupil("1", "123456789AB", "ROUX", "Tom")]),
            responsables_file(tmp_path, COLLEGE, persons, links),
        ],
    )
    assert report.representative_accounts == 2
    assert {"anne.roux", "paul.roux"} <= set(accounts_of(academy.id))
    with tenant(academy.id):
        ranks = dict(
            db.session.execute(
                select(Representative.personne_id, StudentRepresentative.legal_rank).join(
                    StudentRepresentative.representative
                )
            ).all()
        )
    assert ranks == {"10": 1, "11": 2, "12": None}


def test_one_representative_account_per_child_and_homonyms_across_establishments(
    app, academy, tmp_path
):
    college, lycee = establishment(academy.id, COLLEGE), establishment(academy.id, LYCEE)
    import_siecle(
        college,
        [
            eleves_file(
                tmp_path,
                COLLEGE,
                [
                    Pupil("1", "123456789AB", "DUPONT", "Jean"),
                    Pupil("2", "123456789AC", "DUPONT", "Lina"),
                ],
            ),
            responsables_file(
                tmp_path,
                COLLEGE,
                [Person("10", "DUPONT", "Jean", "M.")],
                [Link("1", "10", parente="20"), Link("2", "10", parente="20")],
            ),
        ],
    )
    lycee_dir = tmp_path / "lycee"
    lycee_dir.mkdir()
    import_siecle(
        lycee, [eleves_file(lycee_dir, LYCEE, [Pupil("7", "223456789AB", "DUPONT", "Jean")])]
    )

    accounts = accounts_of(academy.id)
    # The student Jean got jean.dupont; his father (same name) one account per child: 1 and 2;
    # the other Jean DUPONT, at the lycée, the next number.
    assert accounts["jean.dupont"] == (
        AccountKind.STUDENT,
        AccountState.NON_NOTIFIE,
        [("123456789AB", None)],
    )
    assert accounts["jean.dupont1"][2] == [("123456789AB", "10")]
    assert accounts["jean.dupont2"][2] == [("123456789AC", "10")]
    assert accounts["jean.dupont3"][2] == [("223456789AB", None)]


# --- Moves inside the academy (DAT-2) -----------------------------------------------------------


def _emma_at_college(academy, tmp_path):
    college = establishment(academy.id, COLLEGE)
    pupils = [Pupil("1001", "123456789AB", "PETIT", "Emma", groups=("LATIN",))]
    persons = [Person("2001", "PETIT", "Julie"), Person("2002", "PETIT", "Marc", "M.")]
    links = [Link("1001", "2001"), Link("1001", "2002", parente="20")]
    directory = tmp_path / "college"
    directory.mkdir()
    report = import_siecle(
        college,
        [
            eleves_file(directory, COLLEGE, pupils),
            responsables_file(directory, COLLEGE, persons, links),
        ],
    )
    assert report.applied
    return college


def _emma_at_lycee(academy, tmp_path):
    lycee = establishment(academy.id, LYCEE)
    pupils = [Pupil("5001", "123456789AB", "PETIT", "Emma", entry="01/09/2026", division="2NDE1")]
    persons = [Person("6001", "PETIT", "Julie"), Person("6002", "DURAND", "Paul", "M.")]
    links = [Link("5001", "6001"), Link("5001", "6002", parente="50")]
    directory = tmp_path / "lycee"
    directory.mkdir()
    return import_siecle(
        lycee,
        [
            eleves_file(directory, LYCEE, pupils),
            responsables_file(directory, LYCEE, persons, links),
        ],
    )


def _empty_college_export(college, directory):
    directory.mkdir()
    return import_siecle(
        college,
        [eleves_file(directory, COLLEGE, []), responsables_file(directory, COLLEGE, [], [])],
    )


def test_a_student_moving_to_another_establishment_keeps_accounts(app, academy, tmp_path):
    college = _emma_at_college(academy, tmp_path)
    with tenant(academy.id):
        emma_id = db.session.scalars(select(Student.id)).one()
        account_ids = dict(db.session.execute(select(Account.identifier, Account.id)).all())

    report = _emma_at_lycee(academy, tmp_path)

    assert report.applied, report.rejected
    assert (report.moved, report.students.created, report.student_accounts) == (1, 0, 0)
    assert (report.accounts_continued, report.accounts_detached) == (1, 1)
    assert report.representative_accounts == 1  # Paul DURAND, new in the family
    with tenant(academy.id):
        emma = db.session.get(Student, emma_id)
        assert (emma.eleve_id, emma.establishment_id, emma.left_at) == (
            "5001",
            establishment(academy.id, LYCEE).id,
            None,
        )
        assert emma.division.code == "2NDE1" and emma.groups == []
        assert {link.representative.personne_id for link in emma.representative_links} == {
            "6001",
            "6002",
        }
        now = dict(db.session.execute(select(Account.identifier, Account.id)).all())
    assert {k: v for k, v in now.items() if k != "paul.durand"} == account_ids
    accounts = accounts_of(academy.id)
    assert accounts["emma.petit"][2] == [("123456789AB", None)]
    assert accounts["julie.petit"][2] == [("123456789AB", "6001")]  # same account, lycée's Julie
    assert accounts["marc.petit"][2] == []  # not a representative at the lycée: access removed
    assert accounts["paul.durand"][2] == [("123456789AB", "6002")]

    # The collège's next export no longer lists them: nothing of Emma's changes.
    later = _empty_college_export(college, tmp_path / "college-next")
    assert (later.left, later.representatives.removed) == (0, 2)
    assert accounts_of(academy.id) == accounts


def test_a_move_keeps_accounts_when_the_old_establishment_reimports_first(app, academy, tmp_path):
    college = _emma_at_college(academy, tmp_path)
    first = _empty_college_export(college, tmp_path / "college-next")
    assert (first.left, first.representatives.removed) == (1, 0)  # kept for the next school

    report = _emma_at_lycee(academy, tmp_path)

    assert (report.moved, report.accounts_continued, report.student_accounts) == (1, 1, 0)
    assert accounts_of(academy.id)["julie.petit"][2] == [("123456789AB", "6001")]
    assert _empty_college_export(college, tmp_path / "college-after").representatives.removed == 2


def test_the_old_establishment_does_not_take_back_a_student_who_left_it(app, academy, tmp_path):
    college = _emma_at_college(academy, tmp_path)
    _emma_at_lycee(academy, tmp_path)
    directory = tmp_path / "college-again"
    directory.mkdir()
    pupils = [Pupil("1001", "123456789AB", "PETIT", "Emma", exit="05/07/2026")]
    with time_machine.travel(NEXT_YEAR, tick=False):
        report = import_siecle(college, [eleves_file(directory, COLLEGE, pupils)])
    assert (report.moved, report.students.created, report.students.updated) == (0, 0, 0)
    with tenant(academy.id):
        emma = db.session.scalars(select(Student)).one()
        assert emma.establishment_id == establishment(academy.id, LYCEE).id


# --- Rejections: nothing changes ----------------------------------------------------------------


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE BEE_ELEVES [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<BEE_ELEVES><PARAMETRES><UAJ>0009991K</UAJ></PARAMETRES><DONNEES><ELEVES>
<ELEVE ELEVE_ID="1"><NOM_DE_FAMILLE>&lol9;</NOM_DE_FAMILLE></ELEVE></ELEVES></DONNEES></BEE_ELEVES>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE BEE_ELEVES [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<BEE_ELEVES><PARAMETRES><UAJ>&secret;</UAJ></PARAMETRES></BEE_ELEVES>
"""


def _rejections(tmp_path):
    """(name, files, file named in the error, line, words of the reason) for every path."""
    truncated = tmp_path / "Tronque.xml"
    truncated.write_bytes(RESPONSABLES.read_bytes()[:2500])
    bomb = tmp_path / "Bombe.xml"
    bomb.write_text(BILLION_LAUGHS, encoding="ascii")
    external = tmp_path / "Externe.xml"
    external.write_text(EXTERNAL_ENTITY, encoding="ascii")
    wrong_root = variant(tmp_path, NOMENCLATURE, "Racine.xml", ("BEE_NOMENCLATURES", "BEE_AUTRE"))
    wrong_uaj = variant(tmp_path, ELEVES, "Uaj.xml", ("<UAJ>0009991K</UAJ>", "<UAJ>0251711Z</UAJ>"))
    bad_date = variant(tmp_path, ELEVES, "Date.xml", ("02/11/2010", "31/02/2010"))
    unknown = variant(
        tmp_path,
        RESPONSABLES,
        "Inconnu.xml",
        ("<ELEVE_ID>900001</ELEVE_ID>", "<ELEVE_ID>999999</ELEVE_ID>"),
    )
    not_a_zip = tmp_path / "Archive.zip"
    not_a_zip.write_bytes(b"PK\x03\x04 ceci n'est pas une archive")
    changed = variant(
        tmp_path, ELEVES, "Eleves.xml", ("<PRENOM>Lou</PRENOM>", "<PRENOM>Louise</PRENOM>")
    )
    return [
        ("bad XML", [changed, truncated], "Tronque.xml", None, "XML mal formé"),
        ("billion laughs", [changed, bomb], "Bombe.xml", 3, "entités"),
        ("external entity", [changed, external], "Externe.xml", 2, "entités"),
        (
            "wrong root",
            [changed, wrong_root],
            "Racine.xml",
            line_of(wrong_root, "<BEE_AUTRE"),
            "BEE_AUTRE",
        ),
        (
            "wrong UAJ",
            [NOMENCLATURE, wrong_uaj],
            "Uaj.xml",
            line_of(wrong_uaj, "<PARAMETRES>"),
            "0251711Z",
        ),
        (
            "bad date",
            [NOMENCLATURE, bad_date],
            "Date.xml",
            line_of(bad_date, 'ELEVE_ID="900002"'),
            "31/02/2010",
        ),
        (
            "unknown ELEVE_ID",
            [changed, unknown],
            "Inconnu.xml",
            line_of(unknown, "999999") - 1,
            "999999",
        ),
        ("bad zip", [changed, not_a_zip], "Archive.zip", None, "zip"),
        (
            "two élèves files",
            [changed, ELEVES],
            "ElevesSansAdresses.xml",
            line_of(ELEVES, "<PARAMETRES>"),
            "un seul fichier",
        ),
    ]


@time_machine.travel(RENTREE, tick=False)
def test_every_rejection_names_file_line_and_reason_and_changes_nothing(school, tmp_path):
    assert import_siecle(school, SAMPLES).applied
    before = database_state()
    for name, files, file, line, reason in _rejections(tmp_path):
        report = import_siecle(school, files)
        assert not report.applied, name
        issue = report.rejected[0]
        assert (issue.file, reason in issue.reason) == (file, True), (name, report.rejected)
        if line is not None:
            assert issue.line == line, (name, issue)
        assert database_state() == before, name


def test_a_rejected_first_import_leaves_the_tables_empty(school, tmp_path):
    bad_date = variant(tmp_path, ELEVES, "Date.xml", ("14/03/2014", "14/13/2014"))
    line = line_of(bad_date, 'ELEVE_ID="900001"')
    report = import_siecle(school, [NOMENCLATURE, bad_date, RESPONSABLES])
    assert [str(i) for i in report.rejected] == [
        f"Date.xml, ligne {line} : date invalide « 14/13/2014 » dans DATE_NAISS (JJ/MM/AAAA attendu)"
    ]
    assert set(row_counts().values()) == {0}


def test_warnings_do_not_reject(school, tmp_path):
    odd = variant(
        tmp_path,
        ELEVES,
        "Eleves.xml",
        ("<ID_NATIONAL>090000001AB</ID_NATIONAL>", "<ID_NATIONAL>ABC</ID_NATIONAL>"),
        ("<CODE_MEF>10010012110</CODE_MEF>", "<CODE_MEF>99999999999</CODE_MEF>"),
        ("<MEL></MEL>", "<MEL></MEL><ELEMENT_INCONNU>ignoré</ELEMENT_INCONNU>"),
    )
    report = import_siecle(school, [odd])
    assert report.applied
    reasons = [w.reason for w in report.warnings]
    assert "INE « ABC » de forme inconnue (ELEVE_ID 900001)" in reasons
    assert "MEF 99999999999 absent de la nomenclature : créé sans libellé" in reasons


# --- Memory -------------------------------------------------------------------------------------

# The import keeps checked records in its staging database and applies them a page at a time, so
# what it holds in Python objects does not grow with the file. Traced peak for 3,000 students
# (about 6,000 representatives and links), import or re-import: ~9.5 MB, mostly one page of
# 2,000 records and their rows. Reading the whole file into Python objects before applying it, as
# the importer once did, peaked at 25-31 MB here (about 9 kB per student, growing with the file).
MEMORY_STUDENTS = 3000
MEMORY_PEAK_MB = 14


def test_memory_stays_bounded_importing_a_large_establishment(academy, tmp_path):
    spec = EstablishmentSpec(COLLEGE, EstablishmentType.COLLEGE, "Collège", "", "", "")
    generated = next(SiecleGenerator([spec], MEMORY_STUDENTS, seed=5).write_all(tmp_path))
    college = establishment(academy.id, COLLEGE)
    peaks = []
    for _ in ("import", "re-import"):
        tracemalloc.start()
        try:
            report = import_siecle(college, siecle_files(generated.directory))
            peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        finally:
            tracemalloc.stop()
        assert report.applied, report.rejected
    assert (report.students.created, report.students.updated) == (0, 0)
    assert max(peaks) < MEMORY_PEAK_MB, peaks


# --- Tenant isolation ---------------------------------------------------------------------------


def test_school_and_account_tables_are_isolated_between_academies(
    app, academy, other_academy, school, tmp_path, backend
):
    assert import_siecle(school, SAMPLES).applied
    other = establishment(other_academy.id, "0900001M")
    pupils = [Pupil("1", "123456789AB", "DUVAL-ÉTIENNE", "Zoé", groups=("G1",))]
    nomenclature = variant(tmp_path, NOMENCLATURE, "Nomenclature.xml", (SAMPLE_UAI, "0900001M"))
    persons = [Person("9", "DUVAL-ÉTIENNE", "Hélène")]
    report = import_siecle(
        other,
        [
            nomenclature,
            eleves_file(tmp_path, "0900001M", pupils),
            responsables_file(tmp_path, "0900001M", persons, [Link("1", "9")]),
        ],
    )
    assert report.applied
    # Identifiers are unique per academy: the same names give the same identifiers.
    assert set(accounts_of(other_academy.id)) == {"zoe.duval-etienne", "helene.duval-etienne"}
    with tenant(academy.id):
        mine = {
            model.__tablename__: db.session.scalar(select(func.count(model.academy_id)))
            for model in TABLES
        }
        assert db.session.scalars(select(Student).filter_by(eleve_id="1")).all() == []
    with tenant(other_academy.id):
        theirs = {
            model.__tablename__: db.session.scalar(select(func.count(model.academy_id)))
            for model in TABLES
        }
    totals = row_counts()
    assert all(mine[t] + theirs[t] == totals[t] and theirs[t] > 0 for t in totals), (mine, theirs)
    if backend != "postgresql":
        return
    for academy_id, expected in ((academy.id, mine), (other_academy.id, theirs)):
        with tenant(academy_id):
            for table, count in expected.items():
                raw = db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
                assert raw == count, table
            db.session.rollback()
    with db.engine.connect() as connection:  # no tenant set: RLS lets nothing through
        for table in totals:
            assert connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == 0
