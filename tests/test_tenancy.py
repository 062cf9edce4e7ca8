"""Tenant resolution and isolation: prefix and host name, the scoped filter, row-level security."""

import pytest
from sqlalchemy import func, select, text

from teleservices.extensions import db
from teleservices.opening import TeleserviceState
from teleservices.tenancy.context import TenantRequiredError, all_academies, tenant
from teleservices.tenancy.models import Establishment


def test_prefix_resolves_the_academy(client, academy, other_academy):
    page = client.get("/ac-test/")
    assert page.status_code == 200
    assert "Collège Victor Hugo" in page.text
    assert "Collège Jean Moulin" not in page.text


def test_host_name_resolves_the_academy(client, academy, other_academy):
    page = client.get("/", headers={"Host": "autre.localhost"})
    assert page.status_code == 200
    assert "Collège Jean Moulin" in page.text
    assert "Victor Hugo" not in page.text


def test_unknown_academy_is_404(client, academy):
    assert client.get("/ac-nulle-part/").status_code == 404
    assert client.get("/ac-nulle-part/services/0251711Z/notes/").status_code == 404


def test_establishment_of_another_academy_is_404(app, academy, other_academy, portal):
    from teleservices.accounts.portal_testing import Portal

    there = Portal(app, other_academy, app.test_client())
    assert there.get("notes", "0900001M").status_code == 200
    child = there.child("0900001M")
    assert portal.get("notes", "0900001M").status_code == 404
    # The other academy's family session opens nothing here, even with its own child's id.
    assert there.client.get(f"/ac-test/services/{child}/notes/").status_code == 302


def test_query_without_tenant_raises(app, academy):
    with app.app_context(), pytest.raises(TenantRequiredError):
        db.session.execute(select(Establishment)).scalars().all()


def test_each_academy_sees_only_its_rows(app, academy, other_academy):
    with app.app_context():
        with all_academies():
            foreign_id = db.session.execute(
                select(Establishment.id).filter_by(uai="0900001M")
            ).scalar_one()
        with tenant(academy.id):
            uais = set(db.session.execute(select(Establishment.uai)).scalars())
            assert uais == {"0251711Z", "0250001R"}
            assert db.session.get(Establishment, foreign_id) is None
        with tenant(other_academy.id):
            uais = set(db.session.execute(select(Establishment.uai)).scalars())
            assert uais == {"0900001M"}
        with all_academies():
            assert db.session.scalar(select(func.count()).select_from(Establishment)) == 3


def test_counts_and_core_queries_are_scoped(app, academy, other_academy):
    """``select_from(Model)`` and Core statements on tenant tables are caught too."""
    with app.app_context():
        with tenant(academy.id):
            count = db.session.scalar(select(func.count()).select_from(Establishment))
            assert count == 2
        with pytest.raises(TenantRequiredError):
            db.session.scalar(select(func.count()).select_from(Establishment))
        with pytest.raises(TenantRequiredError):
            db.session.execute(select(Establishment.__table__.c.uai)).all()


def test_writing_a_row_for_another_academy_is_refused(app, academy, other_academy):
    with app.app_context(), tenant(academy.id):
        db.session.add(
            TeleserviceState(academy_id=other_academy.id, establishment_id=3, code="notes")
        )
        with pytest.raises(TenantRequiredError, match="another academy"):
            db.session.flush()
        db.session.rollback()
    with app.app_context(), all_academies():
        assert db.session.scalar(select(func.count()).select_from(TeleserviceState)) == 0


def test_row_level_security_is_a_second_wall(app, academy, other_academy, backend):
    """Raw SQL bypasses the ORM filter: on PostgreSQL the RLS policies still isolate tenants."""
    if backend != "postgresql":
        pytest.skip("row-level security exists on PostgreSQL only")
    with app.app_context():
        with tenant(academy.id):
            rows = db.session.execute(text("SELECT uai FROM establishments")).scalars().all()
            assert sorted(rows) == ["0250001R", "0251711Z"]
            db.session.commit()
        with tenant(other_academy.id):
            rows = db.session.execute(text("SELECT uai FROM establishments")).scalars().all()
            assert rows == ["0900001M"]
            updated = db.session.execute(text("UPDATE establishments SET name = 'x'")).rowcount
            assert updated == 1
            db.session.rollback()
        # No tenant at all: the policy lets nothing through.
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM establishments")).scalar() == 0
            is_super = conn.execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            )
            assert is_super.scalar() is False


def test_rls_refuses_inserting_into_another_academy(app, academy, other_academy, backend):
    if backend != "postgresql":
        pytest.skip("row-level security exists on PostgreSQL only")
    from sqlalchemy.exc import ProgrammingError

    with app.app_context(), tenant(academy.id):
        with pytest.raises(ProgrammingError, match="row-level security"):
            db.session.execute(
                text(
                    "INSERT INTO teleservice_states (academy_id, establishment_id, code, settings)"
                    " VALUES (:a, 3, 'notes', '{}')"
                ),
                {"a": other_academy.id},
            )
        db.session.rollback()
