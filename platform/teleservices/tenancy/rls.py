"""PostgreSQL row-level security: the second wall behind the ORM filter (DESIGN.md, request flow).

Every table with an ``academy_id`` column gets a policy that lets a row through only when the
transaction's ``app.academy_id`` setting is that academy (or ``*`` for explicit cross-tenant work).
``FORCE ROW LEVEL SECURITY`` makes the policy bind the table owner too; superusers still bypass it,
so the application must connect as an ordinary role (``grant_application_role``).
"""

from __future__ import annotations

from sqlalchemy import Connection, MetaData, inspect, text

POLICY = "tenant_isolation"
CONDITION = (
    "current_setting('app.academy_id', true) = '*' "
    "OR academy_id::text = current_setting('app.academy_id', true)"
)


def tenant_tables(metadata: MetaData) -> list[str]:
    """Names of the tables that carry an ``academy_id`` column."""
    return sorted(t.name for t in metadata.tables.values() if "academy_id" in t.columns)


def apply_policies(connection: Connection, metadata: MetaData) -> list[str]:
    """Enable and force RLS with the tenant policy on every tenant table (idempotent)."""
    existing = set(inspect(connection).get_table_names())
    tables = [t for t in tenant_tables(metadata) if t in existing]
    for table in tables:
        connection.execute(text(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY'))
        connection.execute(text(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY'))
        connection.execute(text(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"'))
        connection.execute(
            text(
                f'CREATE POLICY {POLICY} ON "{table}" USING ({CONDITION}) WITH CHECK ({CONDITION})'
            )
        )
    return tables


def grant_application_role(connection: Connection, role: str) -> None:
    """Give the application role data access (not ownership) to every table and sequence."""
    quoted = '"' + role.replace('"', '""') + '"'
    connection.execute(
        text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}")
    )
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
