"""« Import des données SIECLE » screen: the sample exports (UAJ 0009991K) import and the report
shows counts, accounts and warnings; rejected files show every error with file, line and reason
and change nothing; size and type limits; who may upload; audit."""

import io
import re
import zipfile
from datetime import date
from html import unescape
from pathlib import Path

import pyotp
import pytest
import time_machine
from sqlalchemy import func, select

from teleservices.accounts.models import Account
from teleservices.admin.audit import AuditEntry
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.school.models import Representative, Student
from teleservices.tenancy.context import all_academies, tenant
from teleservices.testing import create_establishment

FIXTURES = Path(__file__).parent / "fixtures" / "siecle"
NOMENCLATURE = FIXTURES / "Nomenclature.xml"
ELEVES = FIXTURES / "ElevesSansAdresses.xml"
RESPONSABLES = FIXTURES / "ResponsablesAvecAdresses.xml"
SAMPLES = [NOMENCLATURE, ELEVES, RESPONSABLES]
UPLOAD = "/ac-test/admin/etablissements/0009991K/import-siecle"
RENTREE = date(2025, 9, 20)  # before the sample's DATE_SORTIE of Lou NGUYEN
SECRET = pyotp.random_base32()


def text(response):
    return unescape(response.get_data(as_text=True))


def variant(source, *replacements):
    """The bytes of a sample with text replaced (the samples are ISO-8859-15)."""
    content = source.read_bytes().decode("iso-8859-15")
    for old, new in replacements:
        assert old in content
        content = content.replace(old, new)
    return content.encode("iso-8859-15")


def line_of(content, needle):
    lines = content.decode("iso-8859-15").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def files(*items):
    """Multipart file tuples from paths or (name, bytes)."""
    result = []
    for item in items:
        if isinstance(item, Path):
            result.append((io.BytesIO(item.read_bytes()), item.name))
        else:
            name, content = item
            result.append((io.BytesIO(content), name))
    return result


def counts(app, academy):
    with app.app_context(), tenant(academy.id):
        return tuple(
            db.session.scalar(select(func.count()).select_from(model))
            for model in (Student, Representative, Account)
        )


def error_rows(page):
    """(file, line, reason) of every row of the errors table."""
    rows = re.findall(
        r'<tr class="import-error"><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', text(page)
    )
    return [(f, line, reason) for f, line, reason in rows]


@pytest.fixture
def school(app, academy, other_academy):
    """The samples' establishment (UAJ 0009991K) in ac-test, its head, and other staff."""
    with app.app_context():
        create_establishment(academy, "0009991K", "Collège fictif")
    make_staff(app, academy, "chef.fictif", StaffRole.HEAD, uai="0009991K")
    make_staff(app, academy, "deleg.fictif", StaffRole.DELEGATE, uai="0009991K")
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    make_staff(app, academy, "admin.rectorat", StaffRole.ACADEMY_ADMIN, totp_secret=SECRET)
    make_staff(app, other_academy, "admin.autre", StaffRole.ACADEMY_ADMIN, totp_secret=SECRET)
    return academy


def login(app, code, name, secret=None):
    session = staff_session(app, code)
    assert session.login(name, totp_secret=secret).status_code == 200
    session.get(f"/{code}/admin/")
    return session


def head_of_school(app):
    """The head of 0009991K, logged in (inside the test, so under its travelled clock)."""
    session = login(app, "ac-test", "chef.fictif")
    session.get(UPLOAD)
    return session


def upload(session, *items, path=UPLOAD):
    return session.post(path, {"files": files(*items)}, content_type="multipart/form-data")


@time_machine.travel(RENTREE, tick=False)
def test_the_samples_import_and_the_report_shows_what_changed(app, school):
    head = head_of_school(app)
    page = head.get(UPLOAD)
    assert "Import des données SIECLE" in text(page)
    assert 'accept=".xml,.zip"' in text(page) and "multiple" in text(page)
    page = upload(head, *SAMPLES)
    assert page.status_code == 200
    report = text(page)
    assert "Import réussi" in report
    students = re.search(r'<tr id="count-students">(.*?)</tr>', report).group(1)
    assert re.findall(r"<td>(\d+)</td>", students) == ["3", "0", "0"]
    representatives = re.search(r'<tr id="count-representatives">(.*?)</tr>', report).group(1)
    assert re.findall(r"<td>(\d+)</td>", representatives) == ["3", "0", "0"]
    assert "Comptes créés : 3 élève(s), 2 représentant(s) légal(aux)" in report
    assert counts(app, school) == (3, 3, 5)
    with app.app_context(), tenant(school.id):
        entry = db.session.scalars(
            select(AuditEntry).filter_by(action="school.siecle_import")
        ).one()
        assert entry.actor_display == "Chef Fictif (chef.fictif)"
        assert entry.after["students"]["created"] == 3
        assert entry.after["accounts"] == {"students": 3, "representatives": 2}
        assert (
            entry.target == "Nomenclature.xml, ElevesSansAdresses.xml, ResponsablesAvecAdresses.xml"
        )

    # Again: nothing created, nothing duplicated.
    head.get(UPLOAD)
    report = text(upload(head, *SAMPLES))
    students = re.search(r'<tr id="count-students">(.*?)</tr>', report).group(1)
    assert re.findall(r"<td>(\d+)</td>", students)[0] == "0"
    assert counts(app, school) == (3, 3, 5)


@time_machine.travel(RENTREE, tick=False)
def test_a_zip_as_siecle_delivers_it_imports_and_warnings_are_shown(app, school):
    head = head_of_school(app)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in SAMPLES:
            bundle.writestr(path.name, path.read_bytes())
        bundle.writestr("LISEZMOI.txt", "notes")
    page = upload(head, ("Export.zip", archive.getvalue()))
    assert "Import réussi" in text(page)
    assert "Avertissements (1)" in text(page)
    assert "« LISEZMOI.txt » ignoré (pas un fichier .xml)" in text(page)
    assert counts(app, school) == (3, 3, 5)


@time_machine.travel(RENTREE, tick=False)
def test_a_wrong_uaj_is_rejected_with_file_line_and_reason_and_changes_nothing(app, school):
    head = head_of_school(app)
    upload(head, *SAMPLES)
    before = counts(app, school)
    wrong = variant(ELEVES, ("<UAJ>0009991K</UAJ>", "<UAJ>0251711Z</UAJ>"))
    head.get(UPLOAD)
    page = upload(head, NOMENCLATURE, ("Eleves.xml", wrong))
    assert "Import refusé : aucune modification n'a été faite" in text(page)
    rows = error_rows(page)
    assert len(rows) == 1
    name, line, reason = rows[0]
    assert name == "Eleves.xml"
    assert line == str(line_of(wrong, "<PARAMETRES>"))
    assert "0251711Z" in reason
    assert counts(app, school) == before
    with app.app_context(), tenant(school.id):
        entry = db.session.scalars(
            select(AuditEntry).filter_by(action="school.siecle_import_rejected")
        ).one()
        assert entry.after["applied"] is False and entry.after["error_count"] == 1
        assert "Eleves.xml, ligne" in entry.after["errors"][0]


def test_malformed_xml_is_rejected_with_its_line(app, school):
    head = head_of_school(app)
    broken = variant(ELEVES, ("<PRENOM>Lou</PRENOM>", "<PRENOM>Lou</PREN>"))
    page = upload(head, NOMENCLATURE, ("Eleves.xml", broken), RESPONSABLES)
    assert "Import refusé : aucune modification n'a été faite" in text(page)
    rows = error_rows(page)
    assert [(name, line) for name, line, _reason in rows] == [
        ("Eleves.xml", str(line_of(broken, "</PREN>")))
    ]
    assert "XML mal formé" in rows[0][2]
    assert counts(app, school) == (0, 0, 0)


def test_wrong_kinds_of_file_and_oversized_uploads_get_a_clear_message(make_app, academy):
    app = make_app(SIECLE_UPLOAD_MAX_BYTES=1024 * 1024)
    with app.app_context():
        create_establishment(academy, "0009991K", "Collège fictif")
    make_staff(app, academy, "chef.fictif", StaffRole.HEAD, uai="0009991K")
    session = login(app, "ac-test", "chef.fictif")
    session.get(UPLOAD)
    page = upload(session, ("notes.pdf", b"%PDF-1.4"))
    assert page.status_code == 400
    assert "« notes.pdf » n'est pas un fichier .xml ou .zip." in text(page)
    page = session.post(UPLOAD, {}, content_type="multipart/form-data")
    assert "Choisissez au moins un fichier SIECLE (.xml ou .zip)." in text(page)
    page = upload(session, ("Gros.xml", b"<a>" + b" " * (2 * 1024 * 1024) + b"</a>"))
    assert page.status_code == 413
    assert "dépassent la taille maximale autorisée (1 Mo en tout)" in text(page)
    # Just under the limit in all, but two files over it together.
    half = b"<a>" + b" " * (600 * 1024) + b"</a>"
    session.get(UPLOAD)
    page = upload(session, ("Un.xml", half), ("Deux.xml", half))
    assert page.status_code in (400, 413)
    assert "dépassent la taille maximale autorisée" in text(page)
    # Without the form's token, nothing is imported.
    page = session.client.post(
        UPLOAD, data={"files": files(NOMENCLATURE)}, content_type="multipart/form-data"
    )
    assert "Le formulaire a expiré" in text(page)
    with app.app_context(), all_academies():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .filter_by(action="school.siecle_import_rejected")
            )
            == 0
        )


def test_who_may_upload(app, school):
    delegate = login(app, "ac-test", "deleg.fictif")
    assert delegate.get(UPLOAD).status_code == 200
    admin = login(app, "ac-test", "admin.rectorat", SECRET)
    assert admin.get(UPLOAD).status_code == 200
    other_head = login(app, "ac-test", "chef.hugo")
    assert other_head.client.get(UPLOAD).status_code == 404
    response = other_head.client.post(
        UPLOAD, data={"csrf_token": other_head.token, "files": files(*SAMPLES)}
    )
    assert response.status_code == 404
    assert "Collège fictif" not in text(response)
    other_admin = login(app, "ac-autre", "admin.autre", SECRET)
    response = other_admin.client.get(UPLOAD.replace("/ac-test/", "/ac-autre/"))
    assert response.status_code == 404
    response = other_admin.client.get(UPLOAD)
    assert response.status_code == 302 and "/ac-test/admin/connexion" in response.location
    assert counts(app, school) == (0, 0, 0)
