"""Alembic environment: host and plugin branches, then the row-level security policies."""

from __future__ import annotations

import logging

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, make_url

from teleservices.config import _sqlalchemy_url
from teleservices.extensions import db
from teleservices.tenancy import rls

log = logging.getLogger("alembic.env")
config = context.config


def _engine_url() -> str:
    owner = current_app.config.get("DATABASE_OWNER_URL")
    return _sqlalchemy_url(owner) if owner else current_app.config["SQLALCHEMY_DATABASE_URI"]


def run_migrations_offline() -> None:
    context.configure(url=_engine_url(), target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(_engine_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "postgresql":
                rls.apply_policies(connection, db.metadata)
                app_user = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).username
                owner_user = connection.engine.url.username
                if app_user and app_user != owner_user:
                    rls.grant_application_role(connection, app_user)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
