"""Query scoping: every ORM query on a tenant-owned model gets the current academy's criterion.

A query on a tenant-owned table without a tenant raises ``TenantRequiredError``; cross-tenant work
opts in with ``context.all_academies()``. New rows get the current academy, and a row written for
another academy is refused at flush. On PostgreSQL each transaction also sets ``app.academy_id``
for the row-level security policies (the second wall, see ``rls.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from teleservices.tenancy.context import TenantRequiredError, current_scope
from teleservices.tenancy.models import TenantMixin


def _is_tenant_entity(entity: Any) -> bool:
    cls = getattr(entity, "class_", entity)
    return isinstance(cls, type) and issubclass(cls, TenantMixin)


def _touches_tenant_tables(state: ORMExecuteState) -> bool:
    """True when an entity or any table the statement reads carries ``academy_id``.

    ``all_mappers`` misses entities given only to ``select_from`` (``select(func.count())
    .select_from(Model)``), and Core statements name tables, so the tables are walked too.
    """
    if any(_is_tenant_entity(m.entity) for m in state.all_mappers):
        return True
    statement = state.statement
    if not isinstance(statement, ClauseElement):
        return False
    return any("academy_id" in t.c for t in find_tables(statement, include_joins=True))


def _rls_value() -> str:
    scope = current_scope()
    if scope is None:
        return ""
    if scope.all_academies:
        return "*"
    return str(scope.academy_id)


def _set_rls(session: Session, connection: Any) -> None:
    value = _rls_value()
    if session.info.get("rls_academy") == value:
        return
    connection.execute(text("SELECT set_config('app.academy_id', :value, true)"), {"value": value})
    session.info["rls_academy"] = value


def _on_execute(state: ORMExecuteState) -> None:
    session = state.session
    if session.info.get("rls_postgresql") and session.info.get("rls_academy") != _rls_value():
        _set_rls(session, session.connection())
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get("skip_tenant_filter"):
        return
    scope = current_scope()
    if scope is not None and scope.all_academies:
        return
    if not _touches_tenant_tables(state):
        return
    if scope is None or scope.academy_id is None:
        raise TenantRequiredError(
            "A tenant-owned table was queried with no academy set "
            "(use tenancy.context.tenant() or all_academies())."
        )
    academy_id = scope.academy_id
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantMixin,
            lambda cls: cls.academy_id == academy_id,
            include_aliases=True,
            track_closure_variables=False,
        )
    )


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    scope = current_scope()
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantMixin):
            continue
        if scope is None:
            raise TenantRequiredError(f"Writing {obj!r} with no academy set.")
        if scope.all_academies:
            continue
        current = getattr(obj, "academy_id", None)
        if current is None:
            obj.academy_id = scope.academy_id
        elif current != scope.academy_id:
            raise TenantRequiredError(f"{obj!r} belongs to another academy.")
    if session.info.get("rls_postgresql") and session.info.get("rls_academy") != _rls_value():
        _set_rls(session, session.connection())


def _after_begin(session: Session, _transaction: Any, connection: Any) -> None:
    if connection.dialect.name != "postgresql":
        return
    session.info["rls_postgresql"] = True
    session.info.pop("rls_academy", None)
    _set_rls(session, connection)


def install(session_class: type[Session]) -> None:
    """Attach the scoping listeners to a session class (done once by ``create_app``)."""
    if event.contains(session_class, "do_orm_execute", _on_execute):
        return
    event.listen(session_class, "do_orm_execute", _on_execute)
    event.listen(session_class, "before_flush", _before_flush)
    event.listen(session_class, "after_begin", _after_begin)
