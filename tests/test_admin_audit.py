"""The audit log (ADM-6): entries for each action, filterable pages, CSV export without formulas."""

import csv
import io
from datetime import UTC, datetime, timedelta
from html import unescape

import pyotp
import pytest
from sqlalchemy import select

from teleservices.admin import audit
from teleservices.admin.audit import AuditEntry
from teleservices.admin.audit_export import escape_cell
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

COLLEGE = "/ac-test/admin/etablissements/0251711Z"
LYCEE = "/ac-test/admin/etablissements/0250001R"


def text(response):
    return unescape(response.get_data(as_text=True))


def _rows(response):
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


@pytest.fixture
def sessions(app, academy):
    secret = pyotp.random_base32()
    make_staff(
        app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="Claire Martin"
    )
    make_staff(
        app, academy, "chef.pasteur", StaffRole.HEAD, uai="0250001R", display_name="Jean Bernard"
    )
    make_staff(app, academy, "admin.rectorat", StaffRole.ACADEMY_ADMIN, totp_secret=secret)
    hugo = staff_session(app, "ac-test")
    hugo.login("chef.hugo")
    pasteur = staff_session(app, "ac-test")
    pasteur.login("chef.pasteur")
    admin = staff_session(app, "ac-test")
    admin.login("admin.rectorat", totp_secret=secret)
    return hugo, pasteur, admin


def test_every_staff_change_is_audited_with_before_and_after(app, academy, sessions):
    hugo, _pasteur, _admin = sessions
    hugo.get(f"{COLLEGE}/teleservices")
    hugo.post(f"{COLLEGE}/teleservices/activer")
    hugo.post(
        f"{COLLEGE}/teleservices",
        {"open": ["notes", "absences", "emploi_du_temps", "bourses", "paiement"]},
    )
    hugo.get(f"{COLLEGE}/teleservices/notes/configuration")
    hugo.post(f"{COLLEGE}/teleservices/notes/configuration", {"publication_mode": "echeance"})
    hugo.get(f"{COLLEGE}/parametrage/message-accueil")
    hugo.post(f"{COLLEGE}/parametrage/message-accueil", {"message": "Bonjour", "action": "save"})
    hugo.post(
        f"{COLLEGE}/parametrage/ent",
        {"courier_type": "ent_seul", "specific_url": "https://ent.example/"},
    )
    hugo.post(
        f"{COLLEGE}/parametrage/liens-utiles", {"label": "Site", "url": "https://site.example/"}
    )
    hugo.get(f"{COLLEGE}/delegations")
    hugo.post(
        f"{COLLEGE}/delegations",
        {
            "login": "cpe.hugo",
            "display_name": "Paul CPE",
            "email": "",
            "password": "delegation-2024",
        },
    )
    with app.app_context(), tenant(academy.id):
        entries = db.session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        college_id = db.session.execute(
            select(Establishment.id).filter_by(uai="0251711Z")
        ).scalar_one()
    actions = [e.action for e in entries]
    for action in (
        "teleservices.activated",
        "teleservice.opened",
        "teleservice.configured",
        "settings.welcome_message",
        "settings.ent",
        "settings.useful_link_added",
        "delegation.granted",
    ):
        assert action in actions
    changes = [e for e in entries if not e.action.startswith("staff.")]
    assert all(e.establishment_id == college_id for e in changes)
    assert all(e.actor_display == "Claire Martin (chef.hugo)" for e in changes)
    assert all(e.actor_kind == "staff" and e.created_at is not None for e in changes)


def test_establishment_page_shows_only_its_entries_and_filters(app, academy, sessions):
    hugo, pasteur, _admin = sessions
    hugo.get(f"{COLLEGE}/teleservices")
    hugo.post(f"{COLLEGE}/teleservices/activer")
    hugo.get(f"{COLLEGE}/parametrage/message-accueil")
    hugo.post(
        f"{COLLEGE}/parametrage/message-accueil", {"message": "Bonjour Hugo", "action": "save"}
    )
    pasteur.get(f"{LYCEE}/parametrage/message-accueil")
    pasteur.post(
        f"{LYCEE}/parametrage/message-accueil", {"message": "Bonjour Pasteur", "action": "save"}
    )

    page = text(hugo.get(f"{COLLEGE}/journal"))
    assert "Activation des téléservices" in page and "Message d'accueil" in page
    assert "Claire Martin (chef.hugo)" in page
    assert "Bonjour Pasteur" not in page and "Jean Bernard" not in page
    filtered = text(hugo.get(f"{COLLEGE}/journal?action=teleservices.activated"))
    assert "Activation des téléservices" in filtered and "Bonjour Hugo" not in filtered
    assert "1 action" in filtered
    nobody = text(hugo.get(f"{COLLEGE}/journal?actor=inconnu"))
    assert "Aucune action enregistrée." in nobody
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    assert "Aucune action enregistrée." in text(hugo.get(f"{COLLEGE}/journal?start={tomorrow}"))
    assert "Bonjour Hugo" in text(hugo.get(f"{COLLEGE}/journal?end={tomorrow}"))


def test_academy_page_shows_every_establishment_with_a_filter(app, academy, sessions):
    hugo, pasteur, admin = sessions
    hugo.get(f"{COLLEGE}/parametrage/message-accueil")
    hugo.post(
        f"{COLLEGE}/parametrage/message-accueil", {"message": "Bonjour Hugo", "action": "save"}
    )
    pasteur.get(f"{LYCEE}/parametrage/message-accueil")
    pasteur.post(
        f"{LYCEE}/parametrage/message-accueil", {"message": "Bonjour Pasteur", "action": "save"}
    )
    page = text(admin.get("/ac-test/admin/journal"))
    assert "Bonjour Hugo" in page and "Bonjour Pasteur" in page
    only = text(admin.get("/ac-test/admin/journal?establishment=0250001R"))
    assert "Bonjour Pasteur" in only and "Bonjour Hugo" not in only
    rows = _rows(admin.get("/ac-test/admin/journal.csv?action=settings.welcome_message"))
    assert rows[0][:3] == ["Date", "Établissement", "Auteur"]
    assert sorted(row[1] for row in rows[1:]) == ["0250001R", "0251711Z"]


def test_csv_export_escapes_formula_cells(app, academy, sessions):
    hugo, _pasteur, _admin = sessions
    hugo.get(f"{COLLEGE}/parametrage/liens-utiles")
    for label in ('=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "Normal"):
        hugo.post(
            f"{COLLEGE}/parametrage/liens-utiles", {"label": label, "url": "https://x.example/"}
        )
    response = hugo.get(f"{COLLEGE}/journal.csv?action=settings.useful_link_added")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    targets = sorted(row[6] for row in _rows(response)[1:])
    assert targets == sorted(
        ['\'=HYPERLINK("http://evil")', "'+1+1", "'-2+3", "'@SUM(A1)", "Normal"]
    )
    for row in _rows(response)[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33", "'+33"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def test_failed_logins_are_in_the_academy_log(app, academy, sessions):
    _hugo, _pasteur, admin = sessions
    intruder = staff_session(app, "ac-test")
    intruder.get("/ac-test/admin/connexion")
    intruder.post("/ac-test/admin/connexion", {"login": "=cmd|' /C calc'!A0", "password": "x"})
    page = text(admin.get("/ac-test/admin/journal?action=staff.login_failed"))
    assert "Échec de connexion" in page
    rows = _rows(admin.get("/ac-test/admin/journal.csv?action=staff.login_failed"))
    assert rows[1][2].startswith("Identifiant saisi : =cmd")


def test_record_without_establishment_belongs_to_the_academy(app, academy):
    with app.app_context(), tenant(academy.id):
        entry = audit.record("staff.login", audit.COMMAND_LINE, academy_id=academy.id)
        db.session.commit()
        assert entry.academy_id == academy.id and entry.establishment_id is None
