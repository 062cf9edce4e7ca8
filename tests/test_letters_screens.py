"""Staff screens « Courriers » and « Listes des comptes élèves »: editing through the form, refusal,
reset, previews, downloads, audit and scope."""

from __future__ import annotations

import base64
import io
import re
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
from teleservices.admin.audit import AuditEntry
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.notifications.editing import effective_template
from teleservices.notifications.kinds import LetterKind
from teleservices.school.models import Division, Student
from teleservices.security.secrets_box import encrypt
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

BASE = "/ac-test/admin/etablissements/0251711Z"
EDIT = f"{BASE}/parametrage/courriers/representative_new"


def text(response):
    return unescape(response.get_data(as_text=True))


def college() -> Establishment:
    return db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()


@pytest.fixture
def head(app, academy):
    make_staff(
        app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="Claire Martin"
    )
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    return session


def test_the_letters_page_lists_the_four_kinds(head):
    page = text(head.get(f"{BASE}/parametrage/courriers"))
    for kind in LetterKind:
        assert kind.label in page
    assert page.count("Texte par défaut") == 4


def test_edit_preview_save_refuse_and_reset(app, academy, head):
    page = head.get(EDIT)
    assert page.status_code == 200
    body = text(page)
    assert "[Mot de passe]" in body and "Champs obligatoires pour ce courrier" in body
    png = re.search(r'src="data:image/png;base64,([^"]+)"', body)
    assert png and base64.b64decode(png.group(1)).startswith(b"\x89PNG")

    refused = text(
        head.post(
            EDIT,
            {"header": "<p>[Établissement]</p>", "body": "<p>[Identifiant]</p>", "action": "save"},
        )
    )
    assert "il doit contenir le champ [Mot de passe]" in refused
    with app.app_context(), tenant(academy.id):
        assert effective_template(college(), LetterKind.REPRESENTATIVE_NEW).is_default

    saved = head.post(
        EDIT,
        {
            "header": "<p>Notre collège<script>alert(1)</script></p>",
            "body": "<p>[Identifiant] / [Mot de passe] <img src=x onerror=alert(2)></p>",
            "action": "save",
        },
        follow_redirects=True,
    )
    assert "Le courrier est enregistré" in text(saved)
    with app.app_context(), tenant(academy.id):
        current = effective_template(college(), LetterKind.REPRESENTATIVE_NEW)
        assert current.header_html == "<p>Notre collège</p>"
        assert current.body_html == "<p>[Identifiant] / [Mot de passe] </p>"
        assert current.updated_by == "Claire Martin"
        entry = db.session.execute(
            select(AuditEntry).filter_by(action="letters.template_saved")
        ).scalar_one()
        assert entry.after["header"] == "<p>Notre collège</p>"
        assert "Collège Victor Hugo" not in entry.before["body"]

    pdf = head.client.get(f"{EDIT}/apercu.pdf")
    assert pdf.mimetype == "application/pdf"
    first = " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "Notre collège" in first and "camille.exemple / k7m2p9xa" in first

    head.get(EDIT)
    head.post(EDIT, {"header": "", "body": "", "action": "reset_header"}, follow_redirects=True)
    with app.app_context(), tenant(academy.id):
        current = effective_template(college(), LetterKind.REPRESENTATIVE_NEW)
        assert current.header_is_default and not current.body_is_default
    head.get(EDIT)
    head.post(EDIT, {"header": "", "body": "", "action": "reset_body"}, follow_redirects=True)
    with app.app_context(), tenant(academy.id):
        assert effective_template(college(), LetterKind.REPRESENTATIVE_NEW).is_default


def test_an_unknown_kind_or_another_establishment_is_not_found(app, academy, head):
    assert head.get(f"{BASE}/parametrage/courriers/inconnu").status_code == 404
    other = "/ac-test/admin/etablissements/0250001R/parametrage/courriers"
    assert head.get(other).status_code == 404
    assert head.get("/ac-test/admin/etablissements/0250001R/eleves/listes").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(app, academy):
    response = app.test_client().get(f"{BASE}/eleves/listes?selection=toutes&format=csv")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_student_lists_screen_and_downloads(app, academy, head):
    with app.app_context(), tenant(academy.id):
        establishment = college()
        division = Division(academy_id=academy.id, establishment_id=establishment.id, code="6A")
        db.session.add(division)
        db.session.flush()
        student = Student(
            academy_id=academy.id,
            establishment_id=establishment.id,
            eleve_id="1",
            first_name="Zoé",
            last_name="ARNAUD",
            division_id=division.id,
        )
        db.session.add(student)
        db.session.flush()
        account = Account(
            academy_id=academy.id,
            identifier="zoe.arnaud",
            identifier_base="zoe.arnaud",
            kind=AccountKind.STUDENT,
            state=AccountState.NOTIFIE,
            provisional_password_encrypted=encrypt("bxwjkdad"),
        )
        db.session.add(account)
        db.session.flush()
        db.session.add(
            AccountChild(academy_id=academy.id, account_id=account.id, student_id=student.id)
        )
        db.session.commit()
        choice = f"d-{division.id}"
    page = text(head.get(f"{BASE}/eleves/listes?selection={choice}"))
    assert "Division 6A — 1 élève(s)" in page and "bxwjkdad" in page
    csv_file = head.client.get(f"{BASE}/eleves/listes?selection={choice}&format=csv")
    assert csv_file.headers["Content-Disposition"].startswith("attachment;")
    assert csv_file.headers["Cache-Control"] == "no-store"
    assert "zoe.arnaud;bxwjkdad" in csv_file.data.decode("utf-8-sig")
    pdf = head.client.get(f"{BASE}/eleves/listes?selection=toutes&format=pdf")
    assert pdf.mimetype == "application/pdf"
    assert "ARNAUD Zoé" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
