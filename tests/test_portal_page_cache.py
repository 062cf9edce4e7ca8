"""The whole home page kept per session (portal/page_cache.py, freshness.py): a family coming back
to its home is served without a SQL query, and every change it could see shows at once — staff
settings, a closed service, an import written by a Core statement, a child moving establishment,
a logout elsewhere, another child, another language, a message waiting, the next day; another
family's login and changes in another establishment leave the page kept; sessions, academies and
staff simulations never share or get a kept page."""

from html import unescape

import pytest
import time_machine
from sqlalchemy import select, update

from teleservices import auth, freshness
from teleservices.accounts.models import Account, AccountChild
from teleservices.accounts.portal_testing import PASSWORD, Portal
from teleservices.accounts.testing import activate, csrf_token, make_family, submit
from teleservices.extensions import db
from teleservices.school.models import Student
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Establishment
from teleservices.testing import sql_statements
from tests.test_portal import COLLEGE, LYCEE, configure, set_open

HOME = "/ac-test/accueil"


def text(response):
    return unescape(response.get_data(as_text=True))


def visit(app, client, url=HOME, **kwargs):
    """The page and how many SQL statements it cost."""
    with sql_statements(app) as statements:
        response = client.get(url, **kwargs)
    return response, len(statements)


@pytest.fixture
def kept(make_app, academy, redis_url):
    """An application configured as in production: Redis, the page cache on."""
    app = make_app(REDIS_URL=redis_url)
    return app, Portal(app, academy, app.test_client())


def test_a_family_coming_back_is_served_the_kept_page_without_a_query(kept, academy):
    app, portal = kept
    portal.child(COLLEGE)
    first, built = visit(app, portal.client)
    second, cost = visit(app, portal.client)
    assert built > 0 and cost == 0
    assert second.status_code == 200 and second.headers["Cache-Control"] == "no-store"
    assert "Bienvenue M. Dupont" in text(second) and ">Notes</a>" in text(second)
    assert text(second) == text(first)


def test_the_kept_page_carries_a_working_csrf_token(kept, academy):
    app, portal = kept
    portal.child(COLLEGE)
    visit(app, portal.client)
    page, cost = visit(app, portal.client)
    assert cost == 0
    token = csrf_token(text(page))
    response = portal.client.post("/ac-test/deconnexion", data={"csrf_token": token})
    assert response.status_code == 302
    after = portal.client.get(HOME)
    assert after.status_code == 302 and "/connexion" in after.headers["Location"]


def test_staff_changes_and_imports_show_at_once(kept, academy):
    app, portal = kept
    alice = portal.child(COLLEGE)
    visit(app, portal.client)
    configure(app, academy, welcome_message="Rentrée le 2 septembre")
    page, cost = visit(app, portal.client)
    assert cost > 0 and "Rentrée le 2 septembre" in text(page)
    set_open(app, academy, "notes", False)
    assert ">Notes</a>" not in text(portal.client.get(HOME))
    with app.app_context(), tenant(academy.id):  # as an import does: a Core statement
        db.session.execute(update(Student).where(Student.id == alice).values(first_name="Alicia"))
        db.session.commit()
    assert "Alicia DUPONT" in text(portal.client.get(HOME))


def test_a_logout_elsewhere_ends_this_session_even_with_a_kept_page(kept, academy):
    app, portal = kept
    portal.child(COLLEGE)
    visit(app, portal.client)
    assert visit(app, portal.client)[1] == 0
    with app.app_context(), tenant(academy.id):  # a password change or a logout on another device
        auth.rotate_nonce(db.session.get(Account, portal.family.representative_account_id))
        db.session.commit()
    response = portal.client.get(HOME)
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_another_familys_login_leaves_the_page_kept(kept, academy):
    app, portal = kept
    martin = make_family(app, academy, uai=LYCEE, last_name="MARTIN", first_name="Léa")
    activate(app, academy.id, martin.representative_account_id, PASSWORD, "martin@example.fr")
    portal.child(COLLEGE)
    visit(app, portal.client)
    other = app.test_client()
    login = {"identifier": martin.representative_identifier, "password": PASSWORD}
    assert submit(other, "/ac-test/connexion", login).status_code == 302  # writes its account
    assert "Lycée Louis Pasteur" in text(other.get(HOME))
    page, cost = visit(app, portal.client)
    assert cost == 0 and "Collège Victor Hugo" in text(page)
    assert "Collège Victor Hugo" not in text(other.get(HOME))


def test_each_session_language_and_child_gets_its_own_page(kept, academy):
    app, portal = kept
    portal.child(COLLEGE)
    bruno = portal.child(LYCEE)
    assert "Collège Victor Hugo" in text(visit(app, portal.client)[0])
    assert visit(app, portal.client)[1] == 0
    assert "Lycée Louis Pasteur" in text(portal.client.get(f"{HOME}?enfant={bruno}"))
    page, cost = visit(app, portal.client)
    assert cost > 0 and "la scolarité de <strong>Bruno DUPONT</strong>" in text(page)
    portal.client.get(f"{HOME}?lang=en")
    page, cost = visit(app, portal.client)
    assert cost > 0 and '<html lang="en"' in text(page)
    page, cost = visit(app, portal.client)
    assert cost == 0 and "2 children are attached to your account" in text(page)


def test_a_waiting_message_is_shown_and_never_kept(kept, academy):
    app, portal = kept
    portal.child(COLLEGE)
    visit(app, portal.client)
    with portal.client.session_transaction() as session:
        session["_flashes"] = [("success", "Votre adresse électronique est confirmée.")]
    page, cost = visit(app, portal.client)
    assert cost > 0 and "Votre adresse électronique est confirmée." in text(page)
    page, cost = visit(app, portal.client)
    assert "Votre adresse électronique est confirmée." not in text(page)


def test_the_next_day_the_page_is_built_again(kept, academy):
    app, portal = kept
    with time_machine.travel("2026-03-02 22:58Z", tick=False) as clock:  # 23:58 in Paris
        portal.child(COLLEGE)
        visit(app, portal.client)
        assert visit(app, portal.client)[1] == 0
        clock.move_to("2026-03-02 23:01Z")  # 00:01: summaries such as « depuis 7 jours » moved
        assert visit(app, portal.client)[1] > 0


def test_a_stolen_cookie_from_another_browser_gets_no_kept_page(kept, academy):
    """Flask-Login's strong session protection still applies: another user agent is logged out."""
    app, portal = kept
    portal.child(COLLEGE)
    visit(app, portal.client)
    response, _cost = visit(app, portal.client, headers={"User-Agent": "Autre navigateur"})
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_academies_never_share_a_kept_page(kept, academy, other_academy):
    app, portal = kept
    portal.child(COLLEGE)
    visit(app, portal.client)
    stranger = Portal(app, other_academy, app.test_client())
    stranger.child("0900001M")
    cookie = portal.client.get_cookie("session")
    stranger.client.set_cookie("session", cookie.value)
    response = stranger.client.get("/ac-autre/accueil")
    assert response.status_code == 302  # the family's session means nothing in another academy
    assert "Collège Victor Hugo" not in text(stranger.client.get(HOME.replace("test", "autre")))


def test_a_staff_simulation_is_never_kept(make_app, academy, redis_url):
    from teleservices.admin.models import StaffRole
    from teleservices.admin.testing import make_staff, staff_session

    app = make_app(REDIS_URL=redis_url)
    family = make_family(app, academy)
    activate(app, academy.id, family.representative_account_id, PASSWORD, "jean@example.fr")
    make_staff(app, academy, "chef.hugo", StaffRole.HEAD, uai=COLLEGE, display_name="C. Martin")
    head = staff_session(app, "ac-test")
    head.login("chef.hugo")
    url = f"/ac-test/admin/etablissements/{COLLEGE}/comptes/responsables/"
    head.post(f"{url}{family.representative_account_id}/simuler")
    for _ in range(2):
        page, cost = visit(app, head.client)
        assert "Terminer la simulation" in text(page) and cost > 0


def test_without_redis_every_home_is_built(app, academy, portal):
    portal.child(COLLEGE)
    assert visit(app, portal.client)[1] > 0
    assert visit(app, portal.client)[1] > 0


def test_an_unreachable_redis_only_costs_the_cache(make_app, academy):
    app = make_app(REDIS_URL="redis://127.0.0.1:9/0")
    portal = Portal(app, academy, app.test_client())
    portal.child(COLLEGE)
    for _ in range(2):
        page, cost = visit(app, portal.client)
        assert page.status_code == 200 and "Bienvenue M. Dupont" in text(page) and cost > 0


def test_writes_are_told_to_the_scope_they_change(app, academy):
    with app.app_context(), tenant(academy.id):
        assert freshness.scope_of_statement("SELECT * FROM students") is None
        assert (
            freshness.scope_of_statement("SELECT set_config('app.academy_id', '1', true)") is None
        )
        assert freshness.scope_of_statement("UPDATE students SET first_name = 'A'") == (
            f"academy:{academy.id}"
        )
        assert freshness.scope_of_statement('INSERT INTO "notes_grades" (id) VALUES (1)') == (
            f"academy:{academy.id}"
        )
        assert freshness.scope_of_statement("INSERT INTO audit_entries (id) VALUES (1)") is None
        assert freshness.scope_of_statement("UPDATE academies SET name = 'B'") == freshness.ALL
        assert freshness.scope_of_statement("WITH x AS (DELETE FROM students) SELECT 1") == "all"
        assert freshness.scope_of_statement("WITH x AS (SELECT 1) SELECT * FROM x") is None
        assert freshness.scope_of_statement("ALTER TABLE students ADD x int") == "all"
        # An account's row not written by the ORM's flush cannot be told precisely: the academy.
        assert freshness.scope_of_statement("UPDATE accounts SET email = ''") == (
            f"academy:{academy.id}"
        )


def test_a_change_in_another_establishment_leaves_the_page_kept(kept, academy):
    app, portal = kept
    portal.child(COLLEGE)
    visit(app, portal.client)
    set_open(app, academy, "notes", False, uai=LYCEE)
    configure(app, academy, uai=LYCEE, welcome_message="Message du lycée")
    page, cost = visit(app, portal.client)
    assert cost == 0 and ">Notes</a>" in text(page)


def test_a_student_moving_establishment_voids_the_page(kept, academy):
    """An import into the lycée that moves the child there (a Core statement on the students
    table) is told to the whole academy: the family's page depended on the collège."""
    app, portal = kept
    alice = portal.child(COLLEGE)
    assert "Collège Victor Hugo" in text(visit(app, portal.client)[0])
    with app.app_context(), tenant(academy.id):
        lycee = db.session.scalar(select(Establishment).filter_by(uai=LYCEE))
        with freshness.establishment_writes(lycee.id):
            db.session.execute(
                update(Student).where(Student.id == alice).values(establishment_id=lycee.id)
            )
        db.session.commit()
    page, cost = visit(app, portal.client)
    assert cost > 0 and "Lycée Louis Pasteur" in text(page)


def test_a_row_written_by_the_orm_tells_its_former_owner_too(app, academy, portal):
    portal.child(COLLEGE)
    with app.app_context(), tenant(academy.id):
        college, lycee = (
            db.session.scalar(select(Establishment.id).filter_by(uai=uai))
            for uai in (COLLEGE, LYCEE)
        )
        child = db.session.scalar(select(AccountChild))
        student = db.session.get(Student, child.student_id)
        student.establishment_id = lycee
        assert freshness.scopes_of_object(student) == {
            freshness.establishment_scope(college),
            freshness.establishment_scope(lycee),
        }
        former = child.account_id
        child.account_id = former + 1000
        assert freshness.scopes_of_object(child) == {
            freshness.account_scope(former),
            freshness.account_scope(former + 1000),
        }
        db.session.rollback()


def test_an_import_tells_only_its_establishment_for_its_own_tables(app, academy):
    with app.app_context(), tenant(academy.id), freshness.establishment_writes(7):
        assert freshness.scope_of_statement("INSERT INTO notes_grades (id) VALUES (1)") == (
            "establishment:7"
        )
        assert freshness.scope_of_statement("UPDATE teleservice_states SET x = 1") == (
            "establishment:7"
        )
        # Students may move between establishments; accounts belong to none: the academy.
        assert freshness.scope_of_statement("UPDATE students SET establishment_id = 8") == (
            f"academy:{academy.id}"
        )
        assert freshness.scope_of_statement("UPDATE accounts SET email = ''") == (
            f"academy:{academy.id}"
        )


def test_a_committed_write_increments_its_counter_which_expires_when_unused(kept, academy):
    from redis import Redis

    app, _portal = kept
    redis = Redis.from_url(app.config["REDIS_URL"])
    counter = freshness.key(app, freshness.academy_scope(academy.id))
    before = int(redis.get(counter) or 0)
    with app.app_context(), tenant(academy.id):
        db.session.execute(update(Establishment).values(phone="03 81 00 00 00"))
        db.session.rollback()
    assert int(redis.get(counter) or 0) == before  # nothing published for a rollback
    with app.app_context(), tenant(academy.id):
        db.session.execute(update(Establishment).values(phone="03 81 00 00 00"))
        db.session.commit()
    assert int(redis.get(counter) or 0) > before
    assert 0 < redis.ttl(counter) <= freshness.COUNTER_SECONDS


def test_a_kept_page_expires_after_its_lifetime(kept, academy):
    from redis import Redis

    from teleservices.portal import page_cache

    app, portal = kept
    portal.child(COLLEGE)
    visit(app, portal.client)
    redis = Redis.from_url(app.config["REDIS_URL"])
    entries = redis.keys(f"{app.extensions[page_cache.PREFIX]}:*")
    assert entries and all(0 < redis.ttl(entry) <= 60 for entry in entries)


def test_a_request_reads_each_generation_once(kept, academy):
    """What a request keeps is tagged with counters read before its data: a counter changed
    during the request is read again only by the next one."""
    from redis import Redis

    app, _portal = kept
    scope = freshness.academy_scope(academy.id)
    redis = Redis.from_url(app.config["REDIS_URL"])
    with app.test_request_context("/ac-test/accueil"):
        [first] = freshness.generations([scope])
        redis.incr(freshness.key(app, scope))
        assert freshness.generations([scope]) == [first]
    with app.test_request_context("/ac-test/accueil"):
        assert freshness.generations([scope]) == [first + 1]
