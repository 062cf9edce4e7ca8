"""Configuration: environment prefix, embedded defaults, production refusal of dev secrets."""

import pytest

from teleservices.app import create_app
from teleservices.config import DEV_SECRET_KEY, ConfigurationError


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("TELESERVICES_BASE_URL", "https://scolarite.example.fr")
    monkeypatch.setenv("TELESERVICES_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["BASE_URL"] == "https://scolarite.example.fr"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'teleservices.db'}"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_postgres_urls_use_psycopg(tmp_path):
    app = create_app({"DATABASE_URL": "postgresql://u@h/d", "REDIS_URL": "redis://h:6379/0"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://h:6379/0"


def test_production_refuses_the_development_secret():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"ENV": "production", "SECRET_KEY": DEV_SECRET_KEY})


def test_production_refuses_the_development_fernet_key():
    with pytest.raises(ConfigurationError, match="FERNET_KEY"):
        create_app({"ENV": "production", "SECRET_KEY": "a-real-random-secret"})
