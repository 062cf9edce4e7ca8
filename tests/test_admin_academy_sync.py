"""Screens and ``tenants sync`` do not fight (docs/architecture.md): the keys a file declares are
read-only on the screens and set by every sync; the keys it does not declare belong to the screens
and sync never touches them; a UAI of another academy is a sync error, not a move."""

from html import unescape
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_platform_admin, make_staff, staff_session
from teleservices.extensions import db
from teleservices.tenancy.context import all_academies
from teleservices.tenancy.models import Academy, Establishment
from teleservices.testing import create_academy, create_establishment

SECRET = pyotp.random_base32()
ACADEMY = "/ac-fichier/admin/academie"
FROM_FILE = "défini par le fichier de l'académie"
TENANT_FILE = """
code = "ac-fichier"
name = "Académie du Fichier"
mail_sender = "Scolarité services <ne-pas-repondre@ac-fichier.invalid>"

[[ent_links]]
label = "ENT du fichier"
url = "https://ent.ac-fichier.example/"

[[establishments]]
uai = "0250010A"
type = "college"
name = "Collège du Fichier"
phone = "03 00 00 00 01"
siecle_modules = ["notes"]
"""


def text(response):
    return unescape(response.get_data(as_text=True))


def sync(app):
    directory = app.config["TENANTS_DIR"]
    return app.test_cli_runner().invoke(args=["tenants", "sync", "--dir", directory])


def tenant_file(app) -> Path:
    directory = Path(app.config["TENANTS_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    return directory / "ac-fichier.toml"


def state(app):
    with app.app_context(), all_academies():
        academy = db.session.execute(select(Academy).filter_by(code="ac-fichier")).scalar_one()
        college = db.session.execute(select(Establishment).filter_by(uai="0250010A")).scalar_one()
        return {
            "mail_sender": academy.mail_sender,
            "host_names": academy.host_names,
            "mandatory": academy.mandatory_teleservices,
            "ent_links": [link["label"] for link in academy.ent_links],
            "name": college.name,
            "phone": college.phone,
            "head_name": college.head_name,
        }


@pytest.fixture
def synced(app):
    tenant_file(app).write_text(TENANT_FILE, encoding="utf-8")
    result = sync(app)
    assert result.exit_code == 0, result.output
    with app.app_context(), all_academies():
        academy = db.session.execute(select(Academy).filter_by(code="ac-fichier")).scalar_one()
        db.session.expunge(academy)
    make_staff(app, academy, "admin.fichier", StaffRole.ACADEMY_ADMIN, totp_secret=SECRET)
    admin = staff_session(app, "ac-fichier")
    assert admin.login("admin.fichier", totp_secret=SECRET).status_code == 200
    return admin


def test_screens_show_the_files_keys_read_only_and_edit_the_others(app, synced):
    admin = synced
    page = text(admin.get(f"{ACADEMY}/etablissements/0250010A/modifier"))
    assert FROM_FILE in page
    assert page.count("admin-from-file") == 4  # type, name, phone, modules
    assert 'name="name"' not in page and 'name="phone"' not in page
    assert 'name="head_name"' in page and 'name="address"' in page
    page = admin.post(
        f"{ACADEMY}/etablissements/0250010A/modifier",
        {"name": "Collège Renommé", "phone": "06", "head_name": "Mme Nouvelle", "emails": ""},
        follow_redirects=True,
    )
    assert "est enregistré" in text(page)

    page = text(admin.get(f"{ACADEMY}/liens-ent"))
    assert FROM_FILE in page and 'name="url"' not in page
    page = admin.post(
        f"{ACADEMY}/liens-ent",
        {"label": "Autre", "url": "https://autre.example/"},
        follow_redirects=True,
    )
    assert "Ce réglage est défini par le fichier de l'académie" in text(page)
    page = text(admin.get(f"{ACADEMY}/teleservices-obligatoires"))
    assert FROM_FILE not in page
    admin.post(f"{ACADEMY}/teleservices-obligatoires", {"mandatory": ["paiement"]})

    make_platform_admin(app, "national", totp_secret=SECRET)
    platform = staff_session(app, None)
    platform.login("national", totp_secret=SECRET)
    page = text(platform.get("/admin/academies/ac-fichier"))
    assert page.count("admin-from-file") == 2  # name, mail sender
    platform.post(
        "/admin/academies/ac-fichier",
        {"name": "Piraté", "host_names": "fichier.localhost", "mail_sender": "x@y.fr"},
    )
    assert state(app) == {
        "mail_sender": "Scolarité services <ne-pas-repondre@ac-fichier.invalid>",
        "host_names": ["fichier.localhost"],
        "mandatory": ["paiement"],
        "ent_links": ["ENT du fichier"],
        "name": "Collège du Fichier",
        "phone": "03 00 00 00 01",
        "head_name": "Mme Nouvelle",
    }


def test_sync_sets_the_files_keys_and_keeps_the_screens_ones(app, synced):
    admin = synced
    admin.get(f"{ACADEMY}/teleservices-obligatoires")
    admin.post(f"{ACADEMY}/teleservices-obligatoires", {"mandatory": ["paiement"]})
    admin.get(f"{ACADEMY}/etablissements/0250010A/modifier")
    admin.post(
        f"{ACADEMY}/etablissements/0250010A/modifier",
        {"head_name": "Mme Nouvelle", "address": "2 rue Neuve", "type": "college"},
    )
    admin.get(f"{ACADEMY}/etablissements/nouveau")
    admin.post(
        f"{ACADEMY}/etablissements/nouveau",
        {"uai": "0250011B", "type": "lycee", "name": "Lycée de l'écran", "siecle_modules": []},
    )
    with app.app_context(), all_academies():
        db.session.execute(select(Academy).filter_by(code="ac-fichier")).scalar_one().host_names = [
            "fichier.localhost"
        ]
        db.session.commit()

    result = sync(app)
    assert "inchangées : 1" in result.output, result.output
    assert "attention : l'établissement 0250011B n'est plus déclaré (conservé)." in result.output
    before = state(app)
    assert before["mandatory"] == ["paiement"] and before["head_name"] == "Mme Nouvelle"
    assert before["host_names"] == ["fichier.localhost"]

    # The file changes a key it declares: sync applies it, the screens' keys stay.
    tenant_file(app).write_text(
        TENANT_FILE.replace("03 00 00 00 01", "03 99 99 99 99").replace(
            "Académie du Fichier", "Académie du Fichier modifié"
        ),
        encoding="utf-8",
    )
    result = sync(app)
    assert "mises à jour : 1" in result.output, result.output
    after = state(app)
    assert after == {**before, "phone": "03 99 99 99 99"}
    with app.app_context(), all_academies():
        screen_made = db.session.execute(
            select(Establishment).filter_by(uai="0250011B")
        ).scalar_one()
        assert screen_made.name == "Lycée de l'écran"
    # Once the file declares a key, it is the file's: the screen shows it read-only.
    declaring = TENANT_FILE.replace(
        'mail_sender = "', 'mandatory_teleservices = ["notes"]\nmail_sender = "'
    )
    tenant_file(app).write_text(declaring, encoding="utf-8")
    assert sync(app).exit_code == 0
    assert state(app)["mandatory"] == ["notes"]
    assert FROM_FILE in text(admin.get(f"{ACADEMY}/teleservices-obligatoires"))
    page = admin.post(
        f"{ACADEMY}/teleservices-obligatoires", {"mandatory": ["paiement"]}, follow_redirects=True
    )
    assert "Ce réglage est défini par le fichier de l'académie" in text(page)
    assert state(app)["mandatory"] == ["notes"]


def test_a_uai_of_another_academy_is_a_sync_error_not_a_move(app):
    with app.app_context():
        other = create_academy("ac-autre", "Autre Académie", host_names=["autre.localhost"])
        create_establishment(other, "0250010A", "Collège créé à l'écran")
    tenant_file(app).write_text(TENANT_FILE, encoding="utf-8")
    result = sync(app)
    assert result.exit_code == 1
    assert (
        "ac-fichier.toml: establishments[0].uai: l'établissement 0250010A appartient déjà "
        "à une autre académie" in result.output
    )
    assert "Aucune modification n'a été faite." in result.output
    with app.app_context(), all_academies():
        assert db.session.execute(select(Academy).filter_by(code="ac-fichier")).first() is None
        moved = db.session.execute(select(Establishment).filter_by(uai="0250010A")).scalar_one()
        assert moved.academy_id == other.id and moved.name == "Collège créé à l'écran"


def test_a_host_name_of_another_academy_is_a_sync_error(app):
    with app.app_context():
        create_academy("ac-autre", "Autre Académie", host_names=["fichier.localhost"])
    tenant_file(app).write_text(
        'host_names = ["Fichier.localhost"]\n' + TENANT_FILE, encoding="utf-8"
    )
    result = sync(app)
    assert result.exit_code == 1
    assert "host_names: « fichier.localhost » sert déjà l'académie" in result.output
    with app.app_context(), all_academies():
        assert db.session.execute(select(Academy).filter_by(code="ac-fichier")).first() is None
