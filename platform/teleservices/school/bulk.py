"""Set-based reads and writes for imports: one statement per batch of rows, never one per row.

Every statement goes through the ORM session, so the tenant criterion and row-level security
apply as everywhere else; rows written carry their ``academy_id`` explicitly (bulk statements do
not run the session's flush hooks). On PostgreSQL, inserts send one array per column
(``INSERT … SELECT * FROM unnest(…)``) with ids drawn from the table's sequence beforehand: a
handful of parameters instead of one per value, which the driver would otherwise have to splice
into a statement of megabytes; likewise a batch of keys is one array (``column = ANY(:keys)``).
``pages`` reads a large selection a page at a time, so that what is held in memory does not grow
with the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Enum,
    Integer,
    Select,
    String,
    Table,
    any_,
    delete,
    insert,
    literal,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeEngine

from teleservices.extensions import Base, db

T = TypeVar("T")
BATCH = 5000
PAGE = 2000


def batches(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size`` (bounded statements and bound parameters)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _in(column: InstrumentedAttribute[Any], values: list[Any]) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL, for integer and string keys, ``column = ANY(:keys)``:
    one parameter instead of one per value, so that neither SQLAlchemy nor the driver renders and
    parses a statement of thousands of placeholders for each batch. (The statement text being the
    same for every batch, the driver ends up preparing it; an import, which repeats it on tables
    without statistics yet, turns that off: see ``siecle.service``.)"""
    column_type = column.type
    item: TypeEngine[Any] | None = None
    if isinstance(column_type, Integer):
        item = column_type
    elif isinstance(column_type, String) and not isinstance(column_type, Enum):
        item = String()  # no length: a cast to VARCHAR(n) would cut longer values
    if item is None or not _postgresql():
        return column.in_(values)
    return column == any_(literal(values, ARRAY(item)))


def rows_where_in(
    statement: Select[*tuple[Any, ...]], column: InstrumentedAttribute[Any], values: Iterable[Any]
) -> list[Any]:
    """Rows of ``statement`` restricted to ``column IN values``, batch by batch."""
    rows: list[Any] = []
    for batch in batches(sorted(set(values))):
        rows += db.session.execute(statement.where(_in(column, batch))).all()
    return rows


def pages(
    statement: Select[*tuple[Any, ...]], key: InstrumentedAttribute[Any], size: int = PAGE
) -> Iterator[list[Any]]:
    """Rows of ``statement`` by increasing ``key`` (a unique column, selected first), in lists
    of at most ``size``; between pages, the caller may write to rows already read or to other
    tables.

    On PostgreSQL, one scan through a server-side cursor (its snapshot taken at the start);
    elsewhere, one query per page from the last key read.
    """
    statement = statement.order_by(key)
    if _postgresql():
        result = db.session.execute(statement, execution_options={"yield_per": size})
        try:
            for partition in result.partitions():
                yield list(partition)
        finally:
            result.close()
        return
    last = None
    while True:
        page = statement.limit(size)
        if last is not None:
            page = page.where(key > last)
        rows = list(db.session.execute(page).all())
        if rows:
            yield rows
        if len(rows) < size:
            return
        last = rows[-1][0]


def _postgresql() -> bool:
    return bool(db.session.get_bind().dialect.name == "postgresql")


def _unnest_insert(table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """PostgreSQL: insert ``rows`` (same keys in each) with one array parameter per column."""
    dialect = db.session.get_bind().dialect
    quote = dialect.identifier_preparer.quote
    names = list(rows[0])
    casts = []
    params: dict[str, list[Any]] = {}
    for i, name in enumerate(names):
        column_type = table.columns[name].type
        process = column_type.bind_processor(dialect)
        values = [row[name] for row in rows]
        params[f"p{i}"] = [process(v) for v in values] if process else values
        casts.append(f"CAST(:p{i} AS {column_type.compile(dialect=dialect)}[])")
    columns = ", ".join(quote(name) for name in names)
    # Table, column and type names come from the metadata; values travel as bound parameters.
    statement = (
        f"INSERT INTO {quote(table.name)} ({columns}) SELECT * FROM unnest({', '.join(casts)})"  # noqa: S608
    )
    db.session.execute(text(statement), params)


def insert_returning_ids(model: type[Base], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids, in the order of ``rows``."""
    ids: list[int] = []
    table: Table = model.__table__  # type: ignore[assignment]
    for batch in batches(rows):
        if _postgresql():
            new_ids = list(
                db.session.scalars(
                    text(
                        "SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                        "FROM generate_series(1, :count)"
                    ),
                    {"table": table.name, "count": len(batch)},
                )
            )
            _unnest_insert(table, [{"id": i, **row} for i, row in zip(new_ids, batch, strict=True)])
        else:
            statement = insert(model).returning(table.c.id, sort_by_parameter_order=True)
            new_ids = list(db.session.scalars(statement, batch))
        ids += new_ids
    return ids


def insert_rows(model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    table: Table = model.__table__  # type: ignore[assignment]
    for batch in batches(rows):
        if _postgresql():
            _unnest_insert(table, batch)
        else:
            db.session.execute(insert(model), batch)


def update_rows(model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Update by primary key: each dict holds ``id`` and the columns to set."""
    for batch in batches(rows):
        db.session.execute(update(model), batch)


def delete_where_in(
    model: type[Base], column: InstrumentedAttribute[Any], values: Iterable[Any]
) -> None:
    for batch in batches(sorted(set(values))):
        db.session.execute(
            delete(model).where(_in(column, batch)).execution_options(synchronize_session=False)
        )
