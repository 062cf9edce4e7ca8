"""Change generations: which part of the data changed, told to every process through Redis.

A cache (the portal's home) keeps a value with the generations of the scopes it was built from and
uses it only while they are unchanged. A scope is ``all`` (the whole platform), ``academy:<id>``,
``establishment:<id>`` or ``account:<id>``; each has a counter in Redis, one set per database.

Every write through the application's database engine is seen, whatever issued it (the ORM's
flush, a Core ``UPDATE``, a ``text()`` statement; a web request, a job or a command), and told to
the narrowest scope that surely holds it:

- a row the ORM's flush writes is told by its object: the account for an account's rows
  (``owned_by_account``: the account, its children, its tokens — a family logging in voids
  nothing of the others'), the establishment for a table with ``establishment_id``, the academy
  for another tenant-owned table, ``all`` otherwise; for a changed owner (a child moved to another
  account, a student to another establishment) the former one is told too;
- any other statement is told by its table: inside ``establishment_writes(id)`` (an import into
  one establishment) the table of an ``EstablishmentMixin`` model (whose rows never change
  establishment) gives that establishment, any other tenant-owned table (students, who may move,
  accounts…) the current academy (``all`` when written for every academy), any other table
  ``all``; a statement that cannot be read (a CTE, DDL) counts as a write of everything (``all``).

Tables no cached page shows (``IGNORED_TABLES``: audit, jobs, mail outbox, access counters, staff)
are told nothing. The scopes written are kept per thread until the transaction ends. When it
commits, each one's counter is incremented in Redis, just before the database commit and again
just after it (for a session): a reader that read the old data read an older counter, so what it
kept is void at once. A rollback forgets them. Writes made outside the application (a ``psql``
session) are not seen: caches also expire (``PORTAL_PAGE_SECONDS``). A counter unwritten for a
week expires (``COUNTER_SECONDS``); Redis must not evict keys otherwise (``noeviction`` or a
``volatile-*`` policy, as RQ needs too). Without Redis nothing is published and ``generations``
answers None: callers must not cache then.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, g, has_app_context, has_request_context
from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

from teleservices.extensions import db
from teleservices.jobs import redis_connection
from teleservices.tenancy.context import current_scope
from teleservices.tenancy.models import EstablishmentMixin, TenantMixin

ALL = "all"
PREFIX = "freshness_prefix"
_READ_KEY = "freshness_read"
# A counter left unwritten this long is dropped (there is one per account): it then reads 0 again,
# which no cached value can still hold, since none lives nearly as long.
COUNTER_SECONDS = 7 * 24 * 3600
IGNORED_TABLES = frozenset(
    {
        "audit_entries",
        "service_accesses",
        "jobs",
        "outbox_messages",
        "api_tokens",
        "staff_members",
        "platform_admins",
        "mass_notifications",
        "letter_templates",
        "alembic_version",
    }
)
_READ = re.compile(
    r"\s*(SELECT|SHOW|SET|BEGIN|START|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE|EXPLAIN|PRAGMA)\b",
    re.IGNORECASE,
)
_CTE = re.compile(r"\s*WITH\b", re.IGNORECASE)
_CTE_WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_WRITE = re.compile(
    r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?|COPY)"
    r"\s+(?:ONLY\s+)?(?:\"?\w+\"?\.)?\"?(\w+)\"?",
    re.IGNORECASE,
)

# The attribute holding a row's account id, by model (``owned_by_account``).
_ACCOUNT_OWNED: dict[type, str] = {}
_pending: ContextVar[set[str] | None] = ContextVar("freshness_pending", default=None)
_flushing: ContextVar[bool] = ContextVar("freshness_flushing", default=False)
_committed: ContextVar[tuple[str, ...]] = ContextVar("freshness_committed", default=())
_establishment: ContextVar[int | None] = ContextVar("freshness_establishment", default=None)


def owned_by_account(model: type, attribute: str) -> None:
    """Declare that a row of ``model`` belongs to the account ``row.<attribute>`` names."""
    _ACCOUNT_OWNED[model] = attribute


def key(app: Flask, scope: str) -> str:
    """The Redis key of a scope's counter."""
    return f"{app.extensions[PREFIX]}:{scope}"


def academy_scope(academy_id: int) -> str:
    return f"academy:{academy_id}"


def account_scope(account_id: int) -> str:
    return f"account:{account_id}"


def establishment_scope(establishment_id: int) -> str:
    return f"establishment:{establishment_id}"


@contextmanager
def establishment_writes(establishment_id: int) -> Iterator[None]:
    """Declare that the statements issued meanwhile write, in the tables of ``EstablishmentMixin``
    models, only that establishment's rows (an import into one establishment)."""
    token = _establishment.set(establishment_id)
    try:
        yield
    finally:
        _establishment.reset(token)


def has_pending() -> bool:
    """True when this thread's transaction has written something not committed yet (a cache
    must then read through: what it would keep may never exist)."""
    return bool(_pending.get())


def generations(scopes: Sequence[str]) -> list[int] | None:
    """The counters of ``scopes``, or None without Redis. In a web request each counter is read
    once (at most one Redis round trip per call), so everything the request keeps is tagged with
    counters read before its data."""
    if not current_app.config.get("REDIS_URL"):
        return None
    read: dict[str, int] = g.setdefault(_READ_KEY, {}) if has_request_context() else {}
    missing = [scope for scope in scopes if scope not in read]
    if missing:
        try:
            values = redis_connection().mget([key(current_app, scope) for scope in missing])
        except RedisError:
            current_app.logger.warning("Redis injoignable : caches ignorés")
            return None
        read.update(zip(missing, (int(value or 0) for value in values), strict=True))
    return [read[scope] for scope in scopes]


def remember(scopes: Sequence[str], counters: Sequence[int]) -> None:
    """Counters this request read by other means (the portal's Lua lookup): ``generations``
    answers with them."""
    g.setdefault(_READ_KEY, {}).update(zip(scopes, counters, strict=True))


@functools.cache
def _columns(table: str) -> frozenset[str] | None:
    found = db.metadata.tables.get(table)
    return None if found is None else frozenset(found.c.keys())


def _current_academy_scope() -> str:
    scope = current_scope()
    if scope is None or scope.all_academies or scope.academy_id is None:
        return ALL
    return academy_scope(scope.academy_id)


def is_read(statement: str) -> bool:
    """True for a statement that surely writes nothing (SELECT, SET, transaction control…)."""
    if _READ.match(statement):
        return True
    return bool(_CTE.match(statement)) and not _CTE_WRITE.search(statement)


def scope_of_statement(statement: str) -> str | None:
    """The scope a SQL statement not issued by the ORM's flush writes, None when it writes
    nothing a cache shows."""
    if is_read(statement):
        return None
    written = _WRITE.match(statement)
    if written is None:
        return ALL  # a writing CTE, DDL or unknown: everything may have changed
    table = written.group(1).lower()
    columns = _columns(table)
    if table in IGNORED_TABLES:
        return None
    if columns is None or "academy_id" not in columns:
        return ALL
    establishment = _establishment.get()
    if establishment is not None and table in _establishment_owned_tables():
        return establishment_scope(establishment)
    return _current_academy_scope()


@functools.cache
def _establishment_owned_tables() -> frozenset[str]:
    """The tables of ``EstablishmentMixin`` models: their rows never change establishment (a
    student's may: the students table is not one of them)."""
    return frozenset(
        str(mapper.local_table.name)
        for mapper in db.Model.registry.mappers  # type: ignore[attr-defined]
        if issubclass(mapper.class_, EstablishmentMixin)
    )


def _values(obj: object, attribute: str) -> set[int]:
    """The attribute's value and, when the flush changes it, its former one."""
    history = inspect(obj).attrs[attribute].history
    values = {*history.added, *history.unchanged, *history.deleted}
    if not values:
        values = {getattr(obj, attribute, None)}
    return {value for value in values if isinstance(value, int)}


def scopes_of_object(obj: object) -> set[str]:
    """The scopes a row written by the ORM's flush belongs to (its former owner's too)."""
    attribute = _ACCOUNT_OWNED.get(type(obj))
    if attribute is not None:
        accounts = _values(obj, attribute)
        return {account_scope(account) for account in accounts} if accounts else {ALL}
    table = str(getattr(obj, "__tablename__", ""))
    if table in IGNORED_TABLES:
        return set()
    columns = _columns(table) or frozenset()
    if isinstance(obj, TenantMixin) and "establishment_id" in columns:
        establishments = _values(obj, "establishment_id")
        if establishments:
            return {establishment_scope(establishment) for establishment in establishments}
    if isinstance(obj, TenantMixin):
        academies = _values(obj, "academy_id")
        return {academy_scope(academy) for academy in academies} if academies else {ALL}
    return {ALL}


def _add(scope: str) -> None:
    pending = _pending.get()
    if pending is None:
        pending = set()
        _pending.set(pending)
    pending.add(scope)


def _before_cursor_execute(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if _flushing.get():
        return  # the flush's rows are told by their objects (_after_flush)
    scope = scope_of_statement(statement)
    if scope is not None:
        _add(scope)


def _before_flush(_session: Session, _context: Any, _instances: Any) -> None:
    _flushing.set(True)


def _after_flush(session: Session, _context: Any) -> None:
    _flushing.set(False)
    for obj in (*session.new, *session.dirty, *session.deleted):
        for scope in scopes_of_object(obj):
            _add(scope)


def _forget(*_args: Any) -> None:
    _flushing.set(False)
    pending = _pending.get()
    if pending:
        pending.clear()


def _after_soft_rollback(_session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:
        _forget()
    else:
        _flushing.set(False)


def _publish(scopes: tuple[str, ...]) -> None:
    if not scopes or not has_app_context() or not current_app.config.get("REDIS_URL"):
        return
    try:
        pipeline = redis_connection().pipeline(transaction=False)
        for scope in scopes:
            pipeline.incr(key(current_app, scope))
            pipeline.expire(key(current_app, scope), COUNTER_SECONDS)
        pipeline.execute()
    except RedisError:
        current_app.logger.error("Redis injoignable : changement non publié (%s)", scopes)


def _before_commit(_connection: Any) -> None:
    """A connection commits: publish now (a connection used without a session has no later
    moment) and once more after the session's commit (``_after_commit``)."""
    _flushing.set(False)  # a flush that found nothing to write does not reach after_flush
    pending = _pending.get()
    scopes = tuple(sorted(pending)) if pending else ()
    if pending:
        pending.clear()
    _committed.set(scopes)
    _publish(scopes)


def _after_commit(_session: Session) -> None:
    scopes = _committed.get()
    _committed.set(())
    _publish(scopes)


def init_app(app: Flask) -> None:
    """Name the application's counters (per database) and watch every write (once)."""
    database = str(app.config["SQLALCHEMY_DATABASE_URI"]).encode()
    app.extensions[PREFIX] = f"teleservices:freshness:{hashlib.sha256(database).hexdigest()[:16]}"
    if event.contains(Engine, "before_cursor_execute", _before_cursor_execute):
        return
    event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
    event.listen(Engine, "rollback", _forget)
    event.listen(Engine, "commit", _before_commit)
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
    event.listen(Session, "after_commit", _after_commit)
