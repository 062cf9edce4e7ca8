"""The application factory: ``create_app()`` is the only place the application is assembled."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import Migrate
from sqlalchemy.orm import Session

from teleservices import auth, freshness, i18n, mounting, static_assets, sweep, transactions
from teleservices import config as configuration
from teleservices.extensions import csrf, db, limiter
from teleservices.plugins import build_registry
from teleservices.tenancy import resolution, scoping


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the platform: configuration, extensions, tenancy, plugins, blueprints, commands."""
    instance = os.environ.get("TELESERVICES_INSTANCE_PATH") or str(Path.cwd() / "instance")
    app = Flask("teleservices", instance_path=instance, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configuration.load(app, config)

    db.init_app(app)
    scoping.install(Session)
    freshness.init_app(app)
    transactions.init_app(app)
    migrate = Migrate(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    limiter.init_app(app)
    resolution.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)

    disabled = {p.strip() for p in str(app.config["DISABLED_PLUGINS"]).split(",") if p.strip()}
    registry = build_registry(app.config.get("EXTRA_PLUGINS"), disabled)
    app.extensions["teleservices_registry"] = registry
    _import_models()
    mounting.mount(app, registry)
    _add_plugin_migrations(migrate, registry.migration_dirs())

    from teleservices import admin, cli, errors, portal, views
    from teleservices.accounts import web as accounts_web
    from teleservices.imports import api as imports_api
    from teleservices.notifications import mass
    from teleservices.notifications import views as _letters  # noqa: F401 - staff pages on admin's bp
    from teleservices.notifications import views_mass as _mass  # noqa: F401 - staff pages on admin's bp

    views.init_app(app)
    static_assets.init_app(app)
    sweep.register("courriers de notification", mass.sweep_pdfs)
    admin.init_app(app)
    app.register_blueprint(imports_api.bp)
    portal.init_app(app)  # before the accounts blueprint: the home attaches to it
    accounts_web.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def _migrations_dir() -> Path:
    return Path(__file__).parent / "migrations"


def _add_plugin_migrations(migrate: Migrate, plugin_dirs: list[Path]) -> None:
    """Give Alembic the host's versions folder and every plugin's branch folder."""
    locations = " ".join(str(p) for p in [_migrations_dir() / "versions", *plugin_dirs])

    @migrate.configure
    def _configure(alembic_config: Any) -> Any:
        alembic_config.set_main_option("version_locations", locations)
        return alembic_config


def _import_models() -> None:
    """Import every host model module so metadata (and Alembic) sees all tables."""
    from teleservices import jobs, mail, opening  # noqa: F401
    from teleservices.accounts import models as account_models  # noqa: F401
    from teleservices.admin import audit, establishment_settings, offer  # noqa: F401
    from teleservices.admin import models as admin_models  # noqa: F401
    from teleservices.imports import tokens  # noqa: F401
    from teleservices.notifications import models as notification_models  # noqa: F401
    from teleservices.school import models as school_models  # noqa: F401
    from teleservices.stats import accesses  # noqa: F401
    from teleservices.tenancy import models  # noqa: F401
