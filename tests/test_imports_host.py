"""The host side of data imports: the « Jeton d'API » screen (shown once, stored as a hash,
replaced, revoked, audited), the reading of CSV and JSON, and the access counter of plugin pages
(not written during a staff simulation)."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from teleservices.accounts.testing import activate, make_family
from teleservices.admin.audit import AuditEntry
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.declarations import Importer, ImportReport
from teleservices.extensions import db
from teleservices.imports.reading import ImportRejected, read_csv, read_json
from teleservices.imports.tokens import ApiToken
from teleservices.stats.accesses import ServiceAccess
from teleservices.tenancy.context import tenant

PAGE = "/ac-test/admin/etablissements/0251711Z/api"
API = "/ac-test/api/etablissements/0251711Z/import/notes"
IMPORTER = Importer("essai", "Essai", ("a", "b"), lambda e, rows: ImportReport(), ("a",))


def text(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def head(app, academy):
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="Claire")
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    return session


def _actions(app, academy):
    with app.app_context(), tenant(academy.id):
        return db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("api_token.%"))
        ).all()


def test_a_token_is_shown_once_and_kept_only_as_a_hash(app, academy, head, client):
    page = text(head.get(PAGE))
    assert "Aucun jeton" in page and "/ac-test/api/etablissements/0251711Z/import/notes" in page
    page = text(head.post(PAGE, {"action": "issue"}))
    token = re.search(r'<code id="new-token" class="admin-token">(tsv_[\w-]+)</code>', page)[1]
    assert "il ne sera plus jamais affiché" in page
    with app.app_context(), tenant(academy.id):
        stored = db.session.scalar(select(ApiToken.token_hash))
    assert token not in stored and len(stored) == 64
    assert token not in text(head.get(PAGE))
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(API, json=[], headers=headers).status_code == 200
    assert "Dernière utilisation le" in text(head.get(PAGE))
    # A new token replaces the old one.
    page = text(head.post(PAGE, {"action": "issue"}))
    newer = re.search(r'id="new-token" class="admin-token">(tsv_[\w-]+)<', page)[1]
    assert client.post(API, json=[], headers=headers).status_code == 401
    headers = {"Authorization": f"Bearer {newer}"}
    assert client.post(API, json=[], headers=headers).status_code == 200
    head.post(PAGE, {"action": "revoke"})
    assert client.post(API, json=[], headers=headers).status_code == 401
    assert "Aucun jeton" in text(head.get(PAGE))
    assert _actions(app, academy) == ["api_token.issued", "api_token.issued", "api_token.revoked"]


def test_the_token_form_needs_its_csrf_token(app, academy, head):
    response = head.client.post(PAGE, data={"action": "issue"}, follow_redirects=True)
    assert "Le formulaire a expiré" in text(response)
    assert _actions(app, academy) == []


def test_csv_reading_names_the_line_and_the_columns():
    rows = read_csv(IMPORTER, b"A;B\r\n1;2\r\n\r\n3;\r\n")
    assert [(r.where, dict(r.values)) for r in rows] == [
        ("ligne 2", {"a": "1", "b": "2"}),
        ("ligne 4", {"a": "3", "b": ""}),
    ]
    with pytest.raises(ImportRejected) as rejected:
        read_csv(IMPORTER, b"b;c\n1;2\n")
    assert rejected.value.errors == (
        "ligne 1 : colonne(s) inconnue(s) : c",
        "ligne 1 : colonne(s) obligatoire(s) absente(s) : a",
        "Colonnes attendues : a, b",
    )
    with pytest.raises(ImportRejected) as rejected:
        read_csv(IMPORTER, b"a;b\n1;2;3\n4\n")
    assert rejected.value.errors == (
        "ligne 2 : 3 champs au lieu de 2",
        "ligne 3 : 1 champs au lieu de 2",
    )


def test_json_reading_refuses_what_is_not_an_array_of_flat_objects():
    assert [dict(r.values) for r in read_json(IMPORTER, [{"a": 1.5, "b": None}])] == [
        {"a": "1.5", "b": ""}
    ]
    with pytest.raises(ImportRejected) as rejected:
        read_json(IMPORTER, {"a": 1})
    assert rejected.value.errors == ("Le corps doit être un tableau JSON d'objets.",)
    with pytest.raises(ImportRejected) as rejected:
        read_json(IMPORTER, [{"a": True}, {"a": [1]}, {"b": "x"}])
    assert rejected.value.errors[:3] == (
        "élément 1 : « a » doit être un texte ou un nombre",
        "élément 2 : « a » doit être un texte ou un nombre",
        "élément 3 : colonne(s) obligatoire(s) absente(s) : a",
    )


def test_a_staff_simulation_counts_no_access(app, academy, head, portal):
    family = make_family(app, academy, first_name="Paul", last_name="SIMON")
    activate(app, academy.id, family.representative_account_id, "soleil2024", "p@example.fr")
    account = f"/ac-test/admin/etablissements/0251711Z/comptes/responsables/{family.representative_account_id}"
    head.get(account + "/simuler")
    head.post(account + "/simuler")
    assert head.get(f"/ac-test/services/{family.student_id}/notes/").status_code == 200
    with app.app_context(), tenant(academy.id):
        assert db.session.scalar(select(func.count(ServiceAccess.id))) == 0
    portal.get("absences")
    with app.app_context(), tenant(academy.id):
        assert db.session.scalars(select(ServiceAccess.category)).all() == ["Vie scolaire"]


def test_the_api_refuses_a_body_over_its_limit(app, academy, head, client):
    page = text(head.post(PAGE, {"action": "issue"}))
    token = re.search(r'id="new-token" class="admin-token">(tsv_[\w-]+)<', page)[1]
    app.config["IMPORT_API_MAX_BYTES"] = 1024 * 1024
    response = client.post(
        API,
        data=b"x" * (1024 * 1024 + 1),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    assert response.status_code == 413
    assert response.json["erreur"].startswith("Corps absent ou trop grand (au plus 1 Mo)")
