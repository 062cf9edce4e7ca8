"""Student account lists (NOT-5, §4.3) as PDF and CSV, and the CSV formula escaping."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from teleservices import csv_safe
from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
from teleservices.extensions import db
from teleservices.notifications.student_lists import (
    division_lists,
    group_list,
    list_csv,
    list_pdf,
)
from teleservices.school.models import Division, Group, Student, StudentGroup
from teleservices.security.secrets_box import encrypt
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment


def college() -> Establishment:
    return db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()


@pytest.fixture
def classes(app, academy):
    """3A: a notified, a used, a non-notified account, a student without account, one who left,
    and a name that a spreadsheet would read as a formula; 3B: one student; group LATIN."""
    with app.app_context(), tenant(academy.id):
        establishment = college()
        ids = {}

        def add(model):
            model.academy_id = academy.id
            model.establishment_id = establishment.id
            db.session.add(model)
            db.session.flush()
            return model

        a = add(Division(code="3A", label="3A"))
        b = add(Division(code="3B", label="3B"))
        latin = add(Group(code="LATIN", label="Latin"))
        notified_at = datetime(2025, 9, 2, 8, 0, tzinfo=UTC)
        for eleve_id, first, last, division, state, password, left in (
            ("1", "Zoé", "ARNAUD", a, AccountState.NOTIFIE, "bxwjkdad", False),
            ("2", "Hugo", "BLANC", a, AccountState.UTILISE, "stale999", False),
            ("3", "Luna", "DURAND", a, AccountState.NON_NOTIFIE, None, False),
            ("4", "Nina", "COLIN", a, None, None, False),
            ("5", "Paul", "PARTI", a, AccountState.NOTIFIE, "parti000", True),
            ("6", '=HYPERLINK("http://x")', "@SOMME", a, AccountState.NOTIFIE, "formula1", False),
            ("7", "Eva", "EMERY", b, AccountState.NOTIFIE, "3gg4b4zx", False),
        ):
            student = add(
                Student(
                    eleve_id=eleve_id,
                    first_name=first,
                    last_name=last,
                    division_id=division.id,
                    birth_date=date(2010, 7, 19),
                    left_at=date(2025, 9, 1) if left else None,
                )
            )
            ids[last] = student.id
            if state is None:
                continue
            account = Account(
                academy_id=academy.id,
                identifier=f"{first.lower()}.{last.lower()}",
                identifier_base=f"{first.lower()}.{last.lower()}",
                kind=AccountKind.STUDENT,
                state=state,
                provisional_password_encrypted=encrypt(password) if password else None,
                notified_at=None if state is AccountState.NON_NOTIFIE else notified_at,
                last_login_at=notified_at if state is AccountState.UTILISE else None,
            )
            db.session.add(account)
            db.session.flush()
            db.session.add(
                AccountChild(academy_id=academy.id, account_id=account.id, student_id=student.id)
            )
        for last in ("ARNAUD", "BLANC", "EMERY"):
            db.session.add(
                StudentGroup(
                    academy_id=academy.id,
                    establishment_id=establishment.id,
                    student_id=ids[last],
                    group_id=latin.id,
                )
            )
        db.session.commit()
        return {"3A": a.id, "3B": b.id, "LATIN": latin.id}


def test_division_list_rows(app, academy, classes):
    with app.app_context(), tenant(academy.id):
        (section,) = division_lists(college(), [classes["3A"]])
    rows = {row.last_name: row for row in section.rows}
    assert section.title == "Division 3A"
    assert list(rows) == ["@SOMME", "ARNAUD", "BLANC", "COLIN", "DURAND"], "alphabetical, left out"
    assert (rows["ARNAUD"].identifier, rows["ARNAUD"].password) == ("zoé.arnaud", "bxwjkdad")
    assert rows["ARNAUD"].state == "Notifié"
    assert (rows["BLANC"].identifier, rows["BLANC"].password) == ("hugo.blanc", "*****")
    assert rows["BLANC"].state == "Utilisé"
    for name in ("DURAND", "COLIN"):
        assert rows[name].identifier == rows[name].password == "Compte à notifier"
        assert rows[name].state == "Non notifié"


def test_the_pdf_has_a_table_per_division(app, academy, classes):
    with app.app_context(), tenant(academy.id):
        establishment = college()
        pdf = list_pdf(establishment, division_lists(establishment), on=date(2025, 9, 3))
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 2
    first, second = pages
    assert "Collège Victor Hugo — Division 3A" in first
    assert "éditée le 3 septembre 2025 — 5 élève(s)" in first
    assert "Identifiant du compte Mot de passe provisoire" in first
    assert "ARNAUD Zoé 3A 19/07/2010 zoé.arnaud bxwjkdad 02/09/2025 Notifié" in first
    assert "BLANC Hugo 3A 19/07/2010 hugo.blanc ***** 02/09/2025 Utilisé 02/09/2025" in first
    assert "DURAND Luna 3A 19/07/2010 Compte à notifier Non notifié" in first
    assert "stale999" not in first and "PARTI" not in first
    assert "Division 3B" in second and "EMERY Eva" in second and "3gg4b4zx" in second
    assert "ARNAUD" not in second


def test_a_group_list_shows_division_and_group(app, academy, classes):
    with app.app_context(), tenant(academy.id):
        establishment = college()
        section = group_list(establishment, classes["LATIN"])
        pdf = list_pdf(establishment, [section])
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Groupe LATIN" in text
    assert "ARNAUD Zoé 3A LATIN" in text and "EMERY Eva 3B LATIN" in text
    assert "COLIN" not in text


def test_the_csv_is_excel_ready_and_escaped(app, academy, classes):
    with app.app_context(), tenant(academy.id):
        data = list_csv(division_lists(college(), [classes["3A"]]))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Nom",
        "Prénom",
        "Division",
        "Groupe",
        "Date de naissance",
        "Identifiant",
        "Mot de passe provisoire",
        "Date de notification",
        "État du compte",
        "Dernier accès",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["ARNAUD"][4:9] == [
        "19/07/2010",
        "zoé.arnaud",
        "bxwjkdad",
        "02/09/2025",
        "Notifié",
    ]
    assert by_name["BLANC"][6] == "*****"
    assert by_name["DURAND"][5:7] == ["Compte à notifier", ""]
    formula = by_name["'@SOMME"]
    assert formula[1] == '\'=HYPERLINK("http://x")'
    assert formula[5] == '\'=hyperlink("http://x").@somme'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 00", "'+33 6 00"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcaché", "'\tcaché"),
        ("\rretour", "'\rretour"),
        ("Dupont", "Dupont"),
        ("jean-luc", "jean-luc"),
        (None, ""),
        (12, "12"),
    ],
)
def test_csv_cells_that_start_a_formula_are_quoted(value, expected):
    assert csv_safe.escape_cell(value) == expected


def test_csv_file_shape():
    data = csv_safe.to_csv(["A", "=B"], [["x;y", "-1"], ['"q"', "ok"]])
    assert data == '\ufeffA;\'=B\r\n"x;y";\'-1\r\n"""q""";ok\r\n'
