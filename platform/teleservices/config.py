"""Configuration: embedded defaults, overridden by ``TELESERVICES_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

DEV_SECRET_KEY = "dev-secret-key-not-for-production"  # noqa: S105 - documented dev default
# A valid Fernet key, only for the embedded mode (refused in production like the secret key).
DEV_FERNET_KEY = "ZGV2LWZlcm5ldC1rZXktbm90LWZvci1wcm9kdWN0aW8="


class ConfigurationError(RuntimeError):
    """The configuration is unsafe or incomplete for the requested mode."""


def defaults(instance_path: Path) -> dict[str, Any]:
    """Embedded defaults: SQLite in ``instance/``, jobs inline, mail written to files."""
    return {
        "ENV": "development",
        "SECRET_KEY": DEV_SECRET_KEY,
        "FERNET_KEY": DEV_FERNET_KEY,
        "DATABASE_URL": f"sqlite:///{instance_path / 'teleservices.db'}",
        "DATABASE_OWNER_URL": "",
        "REDIS_URL": "",
        "MAIL_URL": "",
        "MAIL_DIR": str(instance_path / "mail"),
        "MAIL_DEFAULT_SENDER": "ne-pas-repondre@teleservices.invalid",
        "BASE_URL": "http://127.0.0.1:5000",
        "TENANTS_DIR": str(Path.cwd() / "tenants"),
        "DEFAULT_ACADEMY": "",
        "RATELIMIT_STORAGE_URI": "",
        "PDF_RETENTION_HOURS": 48,
        "DISABLED_PLUGINS": "",
        "PORTAL_PAGE_SECONDS": 60,
    }


def load(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill ``app.config``: defaults, then the environment, then explicit overrides."""
    app.config.update(defaults(Path(app.instance_path)))
    app.config.from_prefixed_env("TELESERVICES")
    if overrides:
        app.config.update(overrides)
    config = app.config
    config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(config["DATABASE_URL"])
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URI"] or (
        config["REDIS_URL"] or "memory://"
    )
    https = str(config["BASE_URL"]).startswith("https://")
    config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=https,
        WTF_CSRF_TIME_LIMIT=None,
    )
    check_production(config)


def _sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def check_production(config: dict[str, Any]) -> None:
    """Refuse to run in production with development secrets or an embedded database."""
    if config.get("ENV") != "production":
        return
    if config["SECRET_KEY"] in ("", DEV_SECRET_KEY):
        raise ConfigurationError(
            "TELESERVICES_SECRET_KEY must be set to a random secret in production mode."
        )
    if config["FERNET_KEY"] in ("", DEV_FERNET_KEY):
        raise ConfigurationError(
            "TELESERVICES_FERNET_KEY must be set to a fresh Fernet key in production mode."
        )
