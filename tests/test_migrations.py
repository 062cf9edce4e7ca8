"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from teleservices.extensions import db
from teleservices.tenancy import rls


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_every_tenant_table_has_a_policy(app, backend):
    tables = rls.tenant_tables(db.metadata)
    assert {"establishments", "teleservice_states"} <= set(tables)
    if backend != "postgresql":
        return
    from sqlalchemy import text

    with app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
                "WHERE c.relrowsecurity AND c.relforcerowsecurity AND p.polname = :name"
            ),
            {"name": rls.POLICY},
        ).scalars()
        assert set(tables) <= set(rows)
