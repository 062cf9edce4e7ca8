"""Academy administration (TEN-1, TEN-4): role scoping of every academy and platform screen, the
establishments (create with the UAI check letter, edit, read-only settings), academies and the
national availability switch managed by the platform administrator."""

from html import unescape

import pyotp
import pytest
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from teleservices.accounts.portal_testing import Portal
from teleservices.admin.audit import AuditEntry
from teleservices.admin.establishment_settings import settings_row
from teleservices.admin.models import StaffRole
from teleservices.admin.offer import AcademicService, ExperimentalTeleservice
from teleservices.admin.testing import make_platform_admin, make_staff, staff_session
from teleservices.extensions import db
from teleservices.tenancy.context import all_academies, tenant
from teleservices.tenancy.models import Academy, Establishment

SECRET = pyotp.random_base32()
ACADEMY = "/ac-test/admin/academie"
LOGINS = {
    "admin": ("ac-test", "admin.rectorat"),
    "head": ("ac-test", "chef.hugo"),
    "delegate": ("ac-test", "deleg.hugo"),
    "other_admin": ("ac-autre", "admin.autre"),
}


def text(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def world(app, academy, other_academy):
    """Staff of every role, an experiment, an academic service and a welcome message in ac-test."""
    make_staff(app, academy, "admin.rectorat", StaffRole.ACADEMY_ADMIN, totp_secret=SECRET)
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z")
    make_staff(app, academy, "deleg.hugo", StaffRole.DELEGATE, uai="0251711Z")
    make_staff(app, other_academy, "admin.autre", StaffRole.ACADEMY_ADMIN, totp_secret=SECRET)
    make_platform_admin(app, "national", totp_secret=SECRET)
    with app.app_context(), tenant(academy.id):
        lycee = db.session.execute(select(Establishment).filter_by(uai="0250001R")).scalar_one()
        db.session.add(ExperimentalTeleservice(code="notes", establishment_ids=[lycee.id]))
        service = AcademicService(label="Cahier de textes privé", url="https://cdt.prive.example/")
        db.session.add(service)
        settings_row(lycee).welcome_message = "Secret du lycée"
        db.session.commit()
        service_id = service.id
    return {"service_id": service_id}


def login(app, who):
    if who == "platform":
        session = staff_session(app, None)
        page = session.login("national", totp_secret=SECRET)
    else:
        code, name = LOGINS[who]
        session = staff_session(app, code)
        secret = SECRET if who.endswith("admin") else None
        page = session.login(name, totp_secret=secret)
    assert page.status_code == 200, who
    return session


def academy_urls(service_id):
    """Every academy-level page of ac-test (with existing objects)."""
    return [
        f"{ACADEMY}",
        f"{ACADEMY}/etablissements",
        f"{ACADEMY}/etablissements/nouveau",
        f"{ACADEMY}/etablissements/0250001R",
        f"{ACADEMY}/etablissements/0250001R/modifier",
        f"{ACADEMY}/teleservices-obligatoires",
        f"{ACADEMY}/teleservices-experimentaux",
        f"{ACADEMY}/teleservices-experimentaux/notes",
        f"{ACADEMY}/teleservices-experimentaux/notes/terminer",
        f"{ACADEMY}/services-academiques",
        f"{ACADEMY}/services-academiques/supprimer?service={service_id}",
        f"{ACADEMY}/liens-ent",
        f"{ACADEMY}/liens-ent/supprimer?url=https://ent.example/",
    ]


def methods(app, url):
    """The methods the URL's rule accepts (GET and/or POST)."""
    adapter = app.url_map.bind("localhost")
    path = url.split("?")[0]
    return sorted(m for m in ("GET", "POST") if _matches(adapter, path, m))


def _matches(adapter, path, method):
    try:
        adapter.match(path, method=method)
    except HTTPException:  # MethodNotAllowed or NotFound
        return False
    return True


def assert_no_data(response):
    page = text(response)
    for secret in ("Cahier de textes privé", "Secret du lycée", "Lycée Louis Pasteur"):
        assert secret not in page


def test_every_academy_url_is_refused_to_heads_and_delegates(app, world, academy):
    for who in ("head", "delegate"):
        session = login(app, who)
        for url in academy_urls(world["service_id"]):
            for method in methods(app, url):
                if method == "GET":
                    response = session.client.get(url)
                else:
                    response = session.client.post(
                        url, data={"csrf_token": session.token, "mandatory": ["paiement"]}
                    )
                # The lycée is outside their scope (404), every other page above their role (403).
                expected = 404 if "/etablissements/0250001R" in url else 403
                assert response.status_code == expected, (who, method, url)
                assert_no_data(response)
        own = session.client.get(f"{ACADEMY}/etablissements/0251711Z/modifier")
        assert own.status_code == 403
    with app.app_context(), tenant(academy.id):
        academy_row = db.session.get(Academy, academy.id)
        assert academy_row.mandatory_teleservices == []
        assert db.session.scalars(select(AcademicService)).one().label == ("Cahier de textes privé")
        denied = db.session.scalars(select(AuditEntry).filter_by(action="access.denied")).all()
        attempts = sum(len(methods(app, url)) for url in academy_urls(0))
        assert len(denied) == 2 * (attempts + 1)


def test_another_academys_administrator_gets_404_and_never_data(app, world):
    other = login(app, "other_admin")
    for url in academy_urls(world["service_id"]):
        foreign = url.replace("/ac-test/", "/ac-autre/", 1)
        response = other.client.get(foreign)
        if "0250001R" in url or "/notes" in url or "supprimer" in url:
            assert response.status_code == 404, foreign
        else:
            assert response.status_code in (200, 302), foreign  # /academie redirects
        assert_no_data(response)
        # Their session is worth nothing under ac-test: back to ac-test's login page.
        response = other.client.get(url)
        assert response.status_code == 302 and "/ac-test/admin/connexion" in response.location
    listing = other.client.get("/ac-autre/admin/academie/etablissements")
    assert "Collège Jean Moulin" in text(listing)
    assert "Collège Victor Hugo" not in text(listing)
    assert "Cahier de textes privé" not in text(
        other.client.get("/ac-autre/admin/academie/services-academiques")
    )


def test_platform_screens_are_for_platform_administrators_only(app, world):
    for who in ("admin", "head"):
        session = login(app, who)
        for url in (
            "/admin/academies/nouvelle",
            "/admin/academies/ac-test",
            "/admin/disponibilite-nationale",
        ):
            response = session.client.get(url)
            assert response.status_code == 302 and "/admin/connexion" in response.location
            response = session.client.post(url, data={"csrf_token": session.token})
            assert response.status_code in (302, 400)
    platform = login(app, "platform")
    assert platform.client.get("/admin/academies/ac-test").status_code == 200
    assert platform.client.get("/admin/academies/ac-nulle-part").status_code == 404
    # The platform administrator sees every academy's administration.
    page = platform.client.get(f"{ACADEMY}/etablissements/0250001R")
    assert page.status_code == 200 and "Secret du lycée" in text(page)


def test_create_an_establishment_with_its_uai_checked(app, world, academy, portal):
    admin = login(app, "admin")
    admin.get(f"{ACADEMY}/etablissements/nouveau")
    data = {
        "uai": "0009991A",
        "type": "college",
        "name": "Collège fictif",
        "address": "1 rue de l'École",
        "postal_code": "25000",
        "city": "Besançon",
        "phone": "03 81 00 00 09",
        "emails": "ce.0009991k@ac-test.invalid\nvie-scolaire@ac-test.invalid",
        "head_name": "Mme Anne Petit",
        "siecle_modules": ["notes", "edt"],
    }
    page = admin.post(f"{ACADEMY}/etablissements/nouveau", data)
    assert "La lettre de contrôle de cet UAI devrait être « K »." in text(page)
    page = admin.post(f"{ACADEMY}/etablissements/nouveau", {**data, "uai": "12345"})
    assert "Un UAI compte 7 chiffres suivis d'une lettre." in text(page)
    page = admin.post(f"{ACADEMY}/etablissements/nouveau", {**data, "emails": "pas-une-adresse"})
    assert "Adresse électronique invalide : « pas-une-adresse »." in text(page)
    # A UAI of another academy: refused without telling anything about it.
    page = admin.post(f"{ACADEMY}/etablissements/nouveau", {**data, "uai": "0900001M"})
    assert "Un établissement de ce UAI existe déjà." in text(page)
    assert "Collège Jean Moulin" not in text(page)
    page = admin.post(
        f"{ACADEMY}/etablissements/nouveau", {**data, "uai": "0009991k"}, follow_redirects=True
    )
    assert "L'établissement « Collège fictif » est créé." in text(page)
    assert "0009991K" in text(page)
    with app.app_context(), tenant(academy.id):
        created = db.session.execute(select(Establishment).filter_by(uai="0009991K")).scalar_one()
        assert created.emails == ["ce.0009991k@ac-test.invalid", "vie-scolaire@ac-test.invalid"]
        assert created.siecle_modules == ["notes", "edt"]
        assert created.head_name == "Mme Anne Petit"
        entry = db.session.scalars(
            select(AuditEntry).filter_by(action="academy.establishment_created")
        ).one()
        assert entry.establishment_id == created.id and entry.after["uai"] == "0009991K"
    # The new establishment's portal answers, with the modules it uses (Notes is an experiment
    # of the lycée only).
    assert portal.get("emploi_du_temps", "0009991K").status_code == 200
    assert portal.get("notes", "0009991K").status_code == 404
    assert portal.get("absences", "0009991K").status_code == 404


def test_edit_an_establishment_reaches_its_portal_and_is_audited(app, world, academy, portal):
    admin = login(app, "admin")
    page = admin.get(f"{ACADEMY}/etablissements/0251711Z/modifier")
    assert 'value="Collège Victor Hugo"' in text(page)
    page = admin.post(
        f"{ACADEMY}/etablissements/0251711Z/modifier",
        {
            "type": "college",
            "name": "Collège Victor-Hugo",
            "phone": "03 81 99 99 99",
            "emails": "ce.0251711z@ac-test.invalid",
            "head_name": "M. Paul Durand",
            "siecle_modules": ["notes", "edt"],
        },
        follow_redirects=True,
    )
    assert "L'établissement « Collège Victor-Hugo » est enregistré." in text(page)
    # Without « Vie scolaire », Absences is closed at once on the portal.
    assert portal.get("absences", "0251711Z").status_code == 404
    with app.app_context(), tenant(academy.id):
        entry = db.session.scalars(
            select(AuditEntry).filter_by(action="academy.establishment_updated")
        ).one()
        assert entry.before["phone"] == "" and entry.after["phone"] == "03 81 99 99 99"
        assert entry.before["siecle_modules"] == ["notes", "vie_scolaire", "edt"]
        assert "address" not in entry.after


def test_read_only_view_of_an_establishments_settings(app, world, academy):
    admin = login(app, "admin")
    page = text(admin.get(f"{ACADEMY}/etablissements/0250001R"))
    assert "Secret du lycée" in page
    assert "Téléservice expérimental non proposé à cet établissement" not in page
    page = text(admin.get(f"{ACADEMY}/etablissements/0251711Z"))
    assert "Téléservice expérimental non proposé à cet établissement" in page
    assert "Obligatoire au niveau national" in page  # fiche
    # The plugin's configuration, shown as text with the chosen option's label.
    assert "Au fil de l'eau (une note est visible le lendemain de sa saisie)" in page
    for control in ("fr-toggle__input", "<textarea", 'type="checkbox"', "<select"):
        assert control not in page


def test_platform_administrator_creates_and_edits_an_academy(app, world):
    platform = login(app, "platform")
    platform.get("/admin/academies/nouvelle")
    data = {
        "code": "ac-nouvelle",
        "name": "Académie Nouvelle",
        "host_names": "Nouvelle.Localhost\n",
        "mail_sender": "Scolarité services <ne-pas-repondre@ac-nouvelle.invalid>",
    }
    page = platform.post("/admin/academies/nouvelle", {**data, "code": "admin"})
    assert "Le code commence par « ac- »" in text(page)
    page = platform.post("/admin/academies/nouvelle", {**data, "host_names": "test.localhost"})
    assert "« test.localhost » sert déjà une autre académie." in text(page)
    page = platform.post("/admin/academies/nouvelle", {**data, "mail_sender": "personne"})
    assert "Indiquez une adresse électronique d'expéditeur valide." in text(page)
    page = platform.post("/admin/academies/nouvelle", data, follow_redirects=True)
    assert "L'académie « Académie Nouvelle » est créée." in text(page)
    assert app.test_client().get("/ac-nouvelle/").status_code == 200
    by_host = app.test_client().get("/", headers={"Host": "nouvelle.localhost"})
    assert "Académie Nouvelle" in text(by_host)

    platform.get("/admin/academies/ac-nouvelle")
    page = platform.post(
        "/admin/academies/ac-nouvelle",
        {"name": "Académie Renommée", "host_names": "", "mail_sender": ""},
        follow_redirects=True,
    )
    assert "L'académie « Académie Renommée » est enregistrée." in text(page)
    with app.app_context(), all_academies():
        created = db.session.execute(select(Academy).filter_by(code="ac-nouvelle")).scalar_one()
        assert (created.name, created.host_names, created.mail_sender) == (
            "Académie Renommée",
            [],
            "",
        )
        actions = [
            e.action
            for e in db.session.scalars(
                select(AuditEntry).filter_by(academy_id=created.id).order_by(AuditEntry.id)
            )
        ]
        assert actions == ["platform.academy_created", "platform.academy_updated"]


def test_a_teleservice_switched_off_nationally_is_closed_everywhere(
    app, world, academy, other_academy, portal
):
    assert portal.get("fiche", "0251711Z").status_code == 200
    platform = login(app, "platform")
    page = platform.get("/admin/disponibilite-nationale")
    assert 'id="available-fiche"' in text(page)
    everything = ["absences", "bourses", "emploi_du_temps", "notes", "paiement"]
    page = platform.post(
        "/admin/disponibilite-nationale", {"available": everything}, follow_redirects=True
    )
    assert "« Fiche de renseignements » est désactivé au niveau national" in text(page)
    app.test_client()
    # Closed even though it is mandatory nationally, in every academy.
    assert portal.get("fiche", "0251711Z").status_code == 404
    assert Portal(app, other_academy, app.test_client()).get("fiche", "0900001M").status_code == 404
    head = login(app, "head")
    head.get("/ac-test/admin/etablissements/0251711Z/teleservices")
    page = head.post(
        "/ac-test/admin/etablissements/0251711Z/teleservices/activer", follow_redirects=True
    )
    assert "Fermé — Téléservice désactivé au niveau national" in text(page)
    with app.app_context(), all_academies():
        entries = db.session.scalars(
            select(AuditEntry).filter_by(action="platform.national_availability")
        ).all()
        assert len(entries) == 2  # one per academy
        assert {e.after["available"] for e in entries} == {False}
    platform.get("/admin/disponibilite-nationale")
    platform.post("/admin/disponibilite-nationale", {"available": [*everything, "fiche"]})
    assert portal.get("fiche", "0251711Z").status_code == 200
