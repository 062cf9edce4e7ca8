"""How a web request's database transaction ends when the view did not end it.

A transaction that wrote nothing is committed rather than rolled back: psycopg forgets every
prepared statement at each ``ROLLBACK``, so PostgreSQL would plan the portal's queries again at
every request (the children query of the home costs more to plan than to run). A transaction that
wrote anything, holds unflushed changes, or whose request failed is left to Flask-SQLAlchemy,
which rolls it back as before: nothing a view did not commit is ever kept.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from teleservices import freshness
from teleservices.extensions import db

_wrote: ContextVar[bool] = ContextVar("transactions_wrote", default=False)


def _before_cursor_execute(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if not freshness.is_read(statement):
        _wrote.set(True)


def _ended(_connection: Any) -> None:
    _wrote.set(False)


def _end_read_only(error: BaseException | None) -> None:
    if error is not None or _wrote.get():
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()


def init_app(app: Flask) -> None:
    """End read-only transactions with a commit (the listeners are installed once)."""
    app.teardown_request(_end_read_only)
    if event.contains(Engine, "before_cursor_execute", _before_cursor_execute):
        return
    event.listen(Engine, "before_cursor_execute", _before_cursor_execute)
    event.listen(Engine, "commit", _ended)
    event.listen(Engine, "rollback", _ended)
