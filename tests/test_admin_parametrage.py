"""Paramétrage (ADM-4): welcome message and its sanitiser, ENT and courier, contact, useful links;
each reaches the portal's read function and the audit log."""

from html import unescape

import pytest
from sqlalchemy import select

from teleservices.admin import sanitizer
from teleservices.admin.audit import AuditEntry
from teleservices.admin.establishment_settings import CourierType, get_establishment_settings
from teleservices.admin.models import StaffRole
from teleservices.admin.testing import make_staff, staff_session
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment

BASE = "/ac-test/admin/etablissements/0251711Z/parametrage"


def text(response):
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def academy(academy, app):
    """The test academy with predefined ENT links and e-mail addresses for the collège."""
    with app.app_context(), tenant(academy.id):
        from teleservices.tenancy.models import Academy

        row = db.session.execute(select(Academy).filter_by(id=academy.id)).scalar_one()
        row.ent_links = [
            {"label": "ENT Collèges", "url": "https://ent-colleges.example/"},
            {"label": "Lien piégé", "url": "javascript:alert(1)"},
        ]
        college = db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()
        college.emails = ["ce.0251711z@ac-test.fr", "vie-scolaire.0251711z@ac-test.fr"]
        db.session.commit()
    return academy


@pytest.fixture
def head(app, academy):
    make_staff(
        app, academy, "chef.hugo", StaffRole.HEAD, uai="0251711Z", display_name="Claire Martin"
    )
    session = staff_session(app, "ac-test")
    session.login("chef.hugo")
    return session


def _portal(app, academy):
    with app.app_context(), tenant(academy.id):
        college = db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()
        return get_establishment_settings(college)


def _audit(app, academy, action):
    with app.app_context(), tenant(academy.id):
        return db.session.execute(select(AuditEntry).filter_by(action=action)).scalars().all()


# --- the sanitiser ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "absent"),
    [
        ("<script>alert(1)</script>Bonjour", ["<script", "alert"]),
        ('<img src="x" onerror="alert(1)">Bonjour', ["<img", "onerror", "alert"]),
        ('<b onclick="vol()">Gras</b>', ["onclick", "vol()"]),
        ('<a href="javascript:alert(1)">clic</a>', ["javascript", "alert"]),
        ('<a href=" JaVaScRiPt:alert(1)">clic</a>', ["javascript", "alert"]),
        ('<a href="data:text/html,<script>x</script>">clic</a>', ["data:", "<script"]),
        ('<iframe src="https://x.example/"></iframe>Texte', ["<iframe"]),
        ("<style>body{display:none}</style>Texte", ["<style", "display"]),
        ('<p style="color:red">Texte</p>', ["style"]),
    ],
)
def test_sanitiser_strips_dangerous_html(raw, absent):
    cleaned = sanitizer.clean(raw).lower()
    for fragment in absent:
        assert fragment.lower() not in cleaned


def test_sanitiser_keeps_bold_italic_and_web_links():
    cleaned = sanitizer.clean(
        '<b>Gras</b> <strong>fort</strong> <i>it</i> <em>em</em> <a href="https://www.ac-test.fr/">site</a>'
    )
    assert "<b>Gras</b>" in cleaned and "<strong>fort</strong>" in cleaned
    assert "<i>it</i>" in cleaned and "<em>em</em>" in cleaned
    assert '<a href="https://www.ac-test.fr/" rel="noopener noreferrer">site</a>' in cleaned


def test_rendering_turns_line_breaks_into_br():
    assert str(sanitizer.render("Ligne 1\r\nLigne 2")) == "Ligne 1<br>\nLigne 2"


# --- welcome message screen ------------------------------------------------------------------


def test_welcome_message_is_sanitised_saved_audited_and_on_the_portal(app, academy, head):
    head.get(f"{BASE}/message-accueil")
    raw = (
        'Bienvenue <b>à tous</b> !<script>alert("x")</script>'
        '<img src=x onerror="alert(2)"> <a href="javascript:alert(3)">piège</a> '
        '<a href="https://www.ac-test.fr/">Le site</a>'
    )
    page = head.post(
        f"{BASE}/message-accueil", {"message": raw, "action": "save"}, follow_redirects=True
    )
    assert "Le message d'accueil est enregistré" in text(page)
    assert "Les éléments non autorisés" in text(page)
    settings = _portal(app, academy)
    html = str(settings.welcome_message_html)
    assert "<b>à tous</b>" in html
    assert '<a href="https://www.ac-test.fr/" rel="noopener noreferrer">Le site</a>' in html
    for bad in ("<script", "onerror", "javascript:", "alert"):
        assert bad not in html
    entry = _audit(app, academy, "settings.welcome_message")[0]
    assert entry.before == {"welcome_message": ""}
    assert "<script" not in entry.after["welcome_message"]


def test_welcome_message_over_2000_characters_is_refused_next_to_the_field(app, academy, head):
    head.get(f"{BASE}/message-accueil")
    page = head.post(f"{BASE}/message-accueil", {"message": "a" * 2001, "action": "save"})
    assert page.status_code == 200
    body = text(page)
    assert "ne doit pas dépasser 2 000 caractères (il en compte 2001)" in body
    assert "fr-input-group--error" in body
    assert str(_portal(app, academy).welcome_message_html) == ""
    exactly = head.post(
        f"{BASE}/message-accueil",
        {"message": "a" * 1998 + "\r\nb", "action": "save"},
        follow_redirects=True,
    )
    assert "est enregistré" in text(exactly), "CRLF counts as one character"


def test_preview_button_works_without_saving(app, academy, head):
    head.get(f"{BASE}/message-accueil")
    page = head.post(
        f"{BASE}/message-accueil",
        {"message": "<i>Aperçu</i><script>x()</script>", "action": "preview"},
    )
    assert page.status_code == 200
    assert (
        '<div class="admin-preview fr-p-2w" id="welcome-preview" aria-live="polite"><i>Aperçu</i></div>'
        in page.get_data(as_text=True)
    )
    assert str(_portal(app, academy).welcome_message_html) == ""


def test_live_preview_endpoint_returns_sanitised_html(head):
    head.get(f"{BASE}/message-accueil")
    response = head.client.post(
        f"{BASE}/message-accueil/apercu",
        data={"message": "<b>ok</b><img src=x onerror=alert(1)>"},
        headers={"X-CSRFToken": head.token},
    )
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "<b>ok</b>"
    without_token = head.client.post(f"{BASE}/message-accueil/apercu", data={"message": "x"})
    assert without_token.status_code == 400


# --- ENT and courier type --------------------------------------------------------------------


def test_ent_link_from_the_academy_list(app, academy, head):
    page = head.get(f"{BASE}/ent")
    body = text(page)
    assert "ENT Collèges" in body
    assert "javascript:alert" not in body, "an unsafe predefined link is never offered"
    page = head.post(
        f"{BASE}/ent",
        {
            "courier_type": "mixte",
            "predefined": "https://ent-colleges.example/",
            "specific_url": "",
        },
        follow_redirects=True,
    )
    assert "Le type de courrier et le lien ENT sont enregistrés." in text(page)
    assert 'href="https://ent-colleges.example/"' in page.get_data(as_text=True)
    settings = _portal(app, academy)
    assert settings.courier_type is CourierType.MIXTE
    assert settings.ent_url == "https://ent-colleges.example/"
    assert settings.show_ent_link
    entry = _audit(app, academy, "settings.ent")[0]
    assert entry.before == {"courier_type": "teleservices", "ent_url": ""}
    assert entry.after == {"courier_type": "mixte", "ent_url": "https://ent-colleges.example/"}


def test_typed_ent_link_must_be_http_or_https(app, academy, head):
    head.get(f"{BASE}/ent")
    for bad in ("javascript:alert(1)", "ftp://ent.example/", "ent.example", "https://"):
        page = head.post(f"{BASE}/ent", {"courier_type": "ent_seul", "specific_url": bad})
        assert "commençant par http:// ou https://" in text(page), bad
    page = head.post(f"{BASE}/ent", {"courier_type": "ent_seul", "specific_url": ""})
    assert "Choisissez un lien ENT prédéfini ou saisissez l'adresse de l'ENT." in text(page)
    page = head.post(
        f"{BASE}/ent",
        {"courier_type": "ent_seul", "specific_url": "https://ent.college-hugo.fr/"},
        follow_redirects=True,
    )
    assert "Aperçu du lien" in text(page)
    settings = _portal(app, academy)
    assert settings.courier_type is CourierType.ENT_SEUL
    assert settings.ent_url == "https://ent.college-hugo.fr/"
    assert not settings.show_ent_link, "only the Mixte type links the ENT on the portal home"


def test_teleservices_courier_type_hides_the_ent_link(app, academy, head):
    head.get(f"{BASE}/ent")
    head.post(f"{BASE}/ent", {"courier_type": "mixte", "specific_url": "https://ent.example/"})
    head.post(
        f"{BASE}/ent", {"courier_type": "teleservices", "specific_url": "https://ent.example/"}
    )
    settings = _portal(app, academy)
    assert settings.courier_type is CourierType.TELESERVICES
    assert settings.ent_url == "" and not settings.show_ent_link


# --- contact link ----------------------------------------------------------------------------


def test_contact_link_is_one_of_the_establishment_addresses(app, academy, head):
    page = head.get(f"{BASE}/contact")
    assert "vie-scolaire.0251711z@ac-test.fr" in text(page)
    refused = head.post(f"{BASE}/contact", {"email": "pirate@example.com", "active": "1"})
    assert "Not a valid choice" in text(refused) or "choix" in text(refused).lower()
    assert _portal(app, academy).contact_email == ""
    page = head.post(
        f"{BASE}/contact",
        {"email": "vie-scolaire.0251711z@ac-test.fr", "active": "1"},
        follow_redirects=True,
    )
    assert "Le lien de contact est enregistré." in text(page)
    assert _portal(app, academy).contact_email == "vie-scolaire.0251711z@ac-test.fr"
    head.post(f"{BASE}/contact", {"email": "vie-scolaire.0251711z@ac-test.fr", "active": "0"})
    assert _portal(app, academy).contact_email == ""
    assert len(_audit(app, academy, "settings.contact")) == 2


def test_contact_link_is_greyed_without_addresses(app, academy, head):
    with app.app_context(), tenant(academy.id):
        college = db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()
        college.emails = []
        db.session.commit()
    page = head.get(f"{BASE}/contact")
    assert "Aucune adresse électronique n'est définie" in text(page)
    assert 'type="submit" class="fr-btn" disabled' in page.get_data(as_text=True)


# --- useful links ----------------------------------------------------------------------------


def test_useful_links_are_validated_added_in_order_and_removed_after_confirmation(
    app, academy, head
):
    head.get(f"{BASE}/liens-utiles")
    for bad in ("javascript:alert(1)", "data:text/html,x", "www.ac-test.fr", "mailto:a@b.fr"):
        page = head.post(f"{BASE}/liens-utiles", {"label": "Mauvais", "url": bad})
        assert "commençant par http:// ou https://" in text(page), bad
    page = head.post(f"{BASE}/liens-utiles", {"label": "", "url": "https://x.fr/"})
    assert "Le libellé est obligatoire." in text(page)
    head.post(
        f"{BASE}/liens-utiles", {"label": "Le site de l'académie", "url": "https://www.ac-test.fr/"}
    )
    page = head.post(
        f"{BASE}/liens-utiles",
        {"label": "Le site de l'établissement", "url": "http://college-hugo.fr/"},
        follow_redirects=True,
    )
    assert "Le lien « Le site de l'établissement » est ajouté." in text(page)
    links = _portal(app, academy).useful_links
    assert [(link.label, link.url) for link in links] == [
        ("Le site de l'académie", "https://www.ac-test.fr/"),
        ("Le site de l'établissement", "http://college-hugo.fr/"),
    ]
    with app.app_context(), tenant(academy.id):
        from teleservices.admin.establishment_settings import EstablishmentSettings

        first_id = (
            db.session.execute(select(EstablishmentSettings)).scalar_one().useful_links[0]["id"]
        )
    confirm = head.get(f"{BASE}/liens-utiles/{first_id}/supprimer")
    assert "Confirmez-vous la suppression de ce lien ?" in text(confirm)
    assert len(_portal(app, academy).useful_links) == 2, "nothing removed before confirmation"
    page = head.post(f"{BASE}/liens-utiles/{first_id}/supprimer", follow_redirects=True)
    assert "Le lien « Le site de l'académie » est supprimé." in text(page)
    assert [link.label for link in _portal(app, academy).useful_links] == [
        "Le site de l'établissement"
    ]
    assert head.get(f"{BASE}/liens-utiles/{first_id}/supprimer").status_code == 404
    assert len(_audit(app, academy, "settings.useful_link_added")) == 2
    removed = _audit(app, academy, "settings.useful_link_removed")
    assert removed[0].before["url"] == "https://www.ac-test.fr/"


def test_portal_read_function_has_defaults_when_nothing_is_set(app, academy):
    settings = _portal(app, academy)
    assert settings.activated is False
    assert settings.courier_type is CourierType.TELESERVICES
    assert settings.useful_links == () and settings.contact_email == ""
