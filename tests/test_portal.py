"""The family portal (POR-1 … POR-3): home of a representative and of a student, child selector,
establishment settings on the home, contact/useful links/help/legal pages, the plugin pages' guards,
the English switch, a constant number of queries, and the cache of the home's per-establishment data
(every staff change shows at once, nothing uncommitted is kept, academies and establishments apart)."""

import re
from html import unescape

import pytest
from sqlalchemy import select
from sqlalchemy import text as text_sql

from teleservices import opening
from teleservices.accounts.portal_testing import Portal
from teleservices.admin.establishment_settings import CourierType, settings_row
from teleservices.admin.offer import AcademicService
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment
from teleservices.testing import sql_statements

COLLEGE, LYCEE = "0251711Z", "0250001R"
PLUGIN_TABLE = re.compile(r"\bFROM (notes|absences|fiche|paiement|emploi_du_temps|bourses)_")


def text(response):
    return unescape(response.get_data(as_text=True))


def configure(app, academy, uai=COLLEGE, **values):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).filter_by(uai=uai))
        for name, value in values.pop("establishment", {}).items():
            setattr(establishment, name, value)
        row = settings_row(establishment)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


def set_open(app, academy, code, is_open, uai=COLLEGE):
    with app.app_context(), tenant(academy.id):
        establishment = db.session.scalar(select(Establishment).filter_by(uai=uai))
        registry = app.extensions["teleservices_registry"]
        opening.set_open(
            registry, establishment, db.session.get(Academy, academy.id), code, is_open
        )
        db.session.commit()


def test_the_home_of_a_representative_with_one_child(app, academy, portal):
    portal.child(COLLEGE)
    page = text(portal.client.get("/ac-test/accueil"))
    assert "Bienvenue M. Dupont" in page
    assert "1 enfant est rattaché à votre compte" in page
    assert "la scolarité de <strong>Alice DUPONT</strong>" in page
    assert "né(e) le 14/03/2012" in page and "élève de 4C" in page
    assert "Collège Victor Hugo" in page
    assert "Choisir un enfant" not in page
    for label in ("Notes", "Absences", "Fiche de renseignements", "Emploi du temps"):
        assert f">{label}</a>" in page
    assert ">Paiement des factures</a>" not in page  # closed by default
    assert f'href="/ac-test/services/{portal.child(COLLEGE)}/notes/"' in page


def test_two_children_in_two_establishments_and_the_selector(app, academy, portal):
    alice, bruno = portal.child(COLLEGE), portal.child(LYCEE)
    set_open(app, academy, "notes", False, uai=LYCEE)
    page = text(portal.client.get("/ac-test/accueil"))
    assert "2 enfants sont rattachés à votre compte" in page
    assert '<label class="fr-label" for="enfant">Choisir un enfant</label>' in page
    assert f'href="/ac-test/services/{alice}/notes/"' in page
    page = text(portal.client.get(f"/ac-test/accueil?enfant={bruno}"))
    assert "la scolarité de <strong>Bruno DUPONT</strong>" in page and "Lycée" in page
    assert f'href="/ac-test/services/{bruno}/fiche/"' in page
    assert "/notes/" not in page  # closed at the lycée
    # The choice is remembered on the next pages.
    assert "Bruno DUPONT" in text(portal.client.get("/ac-test/liens-utiles"))
    # An id that is not one of the account's children is ignored.
    page = text(portal.client.get("/ac-test/accueil?enfant=999999"))
    assert "la scolarité de <strong>Bruno DUPONT</strong>" in page


def test_the_home_of_a_student(app, academy, student_portal):
    student_portal.child(COLLEGE)
    page = text(student_portal.client.get("/ac-test/accueil"))
    assert "Bienvenue Alice DUPONT" in page
    assert "enfant" not in page.split("<h1>")[1].split("</p>")[0]
    assert ">Notes</a>" in page
    assert ">Bourses</a>" not in page  # a representatives' service


def test_each_setting_reaches_the_home(app, academy, portal):
    configure(
        app,
        academy,
        welcome_message="<strong>Rentrée</strong> le 2 septembre",
        courier_type=CourierType.MIXTE,
        ent_url="https://ent.example/",
        contact_email="secretariat@college.fr",
        contact_active=True,
        useful_links=[{"id": "a1", "label": "Cantine", "url": "https://cantine.example/"}],
        establishment={"emails": ["secretariat@college.fr"], "phone": "03 81 00 00 00"},
    )
    with app.app_context(), tenant(academy.id):
        db.session.add(AcademicService(label="Orientation", url="https://orientation.example/"))
        db.session.commit()
    portal.child(COLLEGE)
    page = text(portal.client.get("/ac-test/accueil"))
    assert "<strong>Rentrée</strong> le 2 septembre" in page
    assert 'href="https://ent.example/"' in page
    assert 'href="https://orientation.example/"' in page
    assert "Contacter l'établissement" in page
    contact = text(portal.client.get("/ac-test/contact"))
    assert "03 81 00 00 00" in contact and "secretariat@college.fr" in contact
    links = text(portal.client.get("/ac-test/liens-utiles"))
    assert 'href="https://cantine.example/"' in links and "Cantine" in links


def test_inactive_contact_and_teleservices_courier_hide_their_links(app, academy, portal):
    configure(
        app,
        academy,
        courier_type=CourierType.TELESERVICES,
        ent_url="https://ent.example/",
        contact_email="secretariat@college.fr",
        contact_active=False,
        establishment={"emails": ["secretariat@college.fr"]},
    )
    portal.child(COLLEGE)
    page = text(portal.client.get("/ac-test/accueil"))
    assert "ent.example" not in page and "Contacter l'établissement" not in page
    assert "secretariat@college.fr" not in text(portal.client.get("/ac-test/contact"))


def test_help_and_legal_pages_are_public(client, academy):
    assert "Activer votre compte" in text(client.get("/ac-test/aide"))
    assert "Mentions légales" in text(client.get("/ac-test/mentions-legales"))
    protection = text(client.get("/ac-test/donnees-personnelles"))
    assert "droit d'accès et de rectification" in protection and "CNIL" in protection


@pytest.mark.parametrize("path", ["/ac-test/accueil", "/ac-test/contact", "/ac-test/liens-utiles"])
def test_family_pages_need_a_login(client, academy, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/ac-test/connexion"


def test_guards_of_the_plugin_pages(app, academy, other_academy, portal):
    alice = portal.child(COLLEGE)
    assert portal.get("notes").status_code == 200
    set_open(app, academy, "notes", False)
    assert portal.get("notes").status_code == 404  # closed
    assert portal.get("fiche", "0900001M").status_code == 404  # another academy's child
    stranger = Portal(app, academy, app.test_client())
    other_child = stranger.child(LYCEE)
    assert portal.client.get(f"/ac-test/services/{other_child}/fiche/").status_code == 404
    assert stranger.client.get(f"/ac-test/services/{alice}/fiche/").status_code == 404
    assert portal.client.get(f"/ac-test/services/{alice}/inconnu/").status_code == 404


def test_a_student_cannot_open_a_representatives_service(app, academy, student_portal):
    assert student_portal.get("bourses").status_code == 404
    assert student_portal.get("notes").status_code == 200


def test_english_switch(app, academy, portal):
    portal.child(COLLEGE)
    page = text(portal.client.get("/ac-test/accueil?lang=en"))
    assert '<html lang="en"' in page
    assert "1 child is attached to your account" in page and "Online services" in page
    assert "Welcome M. Dupont" in page and "log out" in page
    assert "Légal" not in page and "Liens utiles" not in page


def _count_queries(app, portal):
    with sql_statements(app) as statements:
        assert portal.client.get("/ac-test/accueil").status_code == 200
    # The plugins' own home-entry summaries are theirs to count.
    return len([s for s in statements if not PLUGIN_TABLE.search(s)])


@pytest.fixture
def cached(make_app, academy, redis_url):
    """An application with Redis, as in production: the cache of the home's data is on; the
    whole-page cache (tests/test_portal_page_cache.py) is off, so every home is built."""
    from teleservices.accounts.portal_testing import Portal

    app = make_app(REDIS_URL=redis_url, PORTAL_PAGE_SECONDS=0)
    return app, Portal(app, academy, app.test_client())


def test_the_home_is_a_handful_of_queries_whatever_the_children(cached, academy):
    app, portal = cached
    portal.child(COLLEGE)
    portal.client.get("/ac-test/accueil")
    one = _count_queries(app, portal)
    for uai in (LYCEE, COLLEGE, LYCEE):
        portal.children.pop(uai, None)
        portal.child(uai)
    portal.client.get("/ac-test/accueil")  # the children's import voided the cached data
    four = _count_queries(app, portal)
    assert one == four
    # Academy, account, children with the greeting (and PostgreSQL's tenant setting): the
    # establishment's choices and Paramétrage, the offer rules and the academic services come from
    # the cache.
    assert four <= 4


def test_the_cached_home_data_follow_every_staff_change(cached, academy):
    app, portal = cached
    portal.child(COLLEGE)
    page = text(portal.client.get("/ac-test/accueil"))
    assert ">Notes</a>" in page and "Rentrée" not in page and "orientation" not in page
    set_open(app, academy, "notes", False)
    configure(app, academy, welcome_message="Rentrée le 2 septembre")
    with app.app_context(), tenant(academy.id):
        db.session.add(AcademicService(label="Orientation", url="https://orientation.example/"))
        db.session.commit()
    page = text(portal.client.get("/ac-test/accueil"))
    assert ">Notes</a>" not in page and "Rentrée le 2 septembre" in page
    assert 'href="https://orientation.example/"' in page
    with app.app_context(), tenant(academy.id):
        db.session.delete(db.session.scalar(select(AcademicService)))
        db.session.commit()
    assert "orientation.example" not in text(portal.client.get("/ac-test/accueil"))


def test_an_uncommitted_change_never_reaches_the_cache(cached, academy):
    app, portal = cached
    portal.child(COLLEGE)
    portal.client.get("/ac-test/accueil")
    with app.app_context(), tenant(academy.id):
        db.session.add(AcademicService(label="Orientation", url="https://orientation.example/"))
        db.session.flush()
        with app.test_request_context("/ac-test/accueil"):
            from teleservices.portal.home import academy_snapshot

            assert [link.label for link in academy_snapshot().academic] == ["Orientation"]
        db.session.rollback()
    assert "orientation.example" not in text(portal.client.get("/ac-test/accueil"))


def test_the_cache_keeps_each_academy_and_establishment_apart(cached, academy, other_academy):
    app, portal = cached
    configure(app, academy, welcome_message="Message du collège")
    with app.app_context(), tenant(academy.id):
        db.session.add(AcademicService(label="Orientation", url="https://orientation.example/"))
        db.session.commit()
    portal.child(COLLEGE)
    assert "Message du collège" in text(portal.client.get("/ac-test/accueil"))
    lycee = Portal(app, academy, app.test_client())
    lycee.child(LYCEE)
    page = text(lycee.client.get("/ac-test/accueil"))
    assert "Message du collège" not in page and "orientation.example" in page
    stranger = Portal(app, other_academy, app.test_client())
    stranger.child("0900001M")
    page = text(stranger.client.get("/ac-autre/accueil"))
    assert "Bienvenue" in page
    assert "Message du collège" not in page and "orientation.example" not in page


def test_static_assets_have_fingerprinted_urls_cached_for_a_year(client, academy):
    page = text(client.get("/ac-test/aide"))
    found = re.search(r'href="(/static/dsfr/dsfr\.min\.css\?v=([0-9a-f]{12}))"', page)
    assert found, "the stylesheet URL carries no fingerprint"
    response = client.get(found.group(1))
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
    stale = client.get("/static/dsfr/dsfr.min.css?v=000000000000")
    assert stale.cache_control.max_age == 3600 and not stale.cache_control.immutable


def test_a_service_page_shows_the_child_it_is_about(app, academy, portal):
    portal.child(COLLEGE)
    bruno = portal.child(LYCEE)
    page = text(portal.get("fiche", LYCEE))
    assert "la scolarité de <strong>Bruno DUPONT</strong>" in page and "Lycée" in page
    assert '<label class="fr-label" for="enfant">Choisir un enfant</label>' in page
    assert f'<option value="{bruno}" selected>' in page


def test_a_write_by_any_statement_shows_at_once(cached, academy):
    """Not only the ORM's objects: a Core or text() statement voids the cached data too."""
    app, portal = cached
    portal.child(COLLEGE)
    configure(app, academy, welcome_message="Avant")
    assert "Avant" in text(portal.client.get("/ac-test/accueil"))
    _write_behind_the_orm(app, academy, "Après")
    assert "Après" in text(portal.client.get("/ac-test/accueil"))


def test_another_process_change_shows_once_its_generation_is_published(cached, academy):
    """A write this process cannot see (another process) shows as soon as that process
    increments the academy's generation in Redis."""
    from redis import Redis

    from teleservices import freshness

    app, portal = cached
    portal.child(COLLEGE)
    configure(app, academy, welcome_message="Avant")
    assert "Avant" in text(portal.client.get("/ac-test/accueil"))
    with app.app_context():
        _write_behind_the_orm(app, academy, "Après")
        # What this process published is undone: as if the write happened elsewhere, unseen.
        counter = freshness.key(app, freshness.academy_scope(academy.id))
        Redis.from_url(app.config["REDIS_URL"]).decr(counter, 2)
        assert "Avant" in text(portal.client.get("/ac-test/accueil"))  # served from the cache
        Redis.from_url(app.config["REDIS_URL"]).incr(counter, 3)
    assert "Après" in text(portal.client.get("/ac-test/accueil"))


def test_without_redis_nothing_is_cached(app, academy, portal):
    """Several workers without Redis could not tell each other of a change: no cache at all."""
    portal.child(COLLEGE)
    configure(app, academy, welcome_message="Avant")
    assert "Avant" in text(portal.client.get("/ac-test/accueil"))
    _write_behind_the_orm(app, academy, "Après")
    assert "Après" in text(portal.client.get("/ac-test/accueil"))


def _write_behind_the_orm(app, academy, message):
    with app.app_context(), tenant(academy.id):
        db.session.execute(
            text_sql("UPDATE establishment_settings SET welcome_message = :message"),
            {"message": message},
        )
        db.session.commit()
