"""Pytest fixtures shared by the host's and the plugins' tests (registered as a pytest plugin).

Every test that takes ``app`` runs twice: on the embedded default (SQLite, inline jobs) and on
PostgreSQL with row-level security, connected as an ordinary application role. The schema is built
once per session by the real migrations; tables are emptied between tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine

from teleservices.extensions import db
from teleservices.tenancy.context import all_academies
from teleservices.tenancy.models import Academy, Establishment, EstablishmentType

PG_HOST = os.environ.get("TELESERVICES_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
APP_ROLE = "teleservices_app"
REDIS_URL = os.environ.get("TELESERVICES_TEST_REDIS", "redis://127.0.0.1:6379/15")
BACKENDS = [b for b in os.environ.get("TELESERVICES_TEST_BACKENDS", "sqlite,postgresql").split(",")]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_urls() -> tuple[str, str]:
    """Create a fresh test database and the application role; return (owner URL, app URL)."""
    name = f"teleservices_test_{_worker()}_{os.getpid()}"
    admin = create_engine(
        f"{PG_HOST}/postgres".replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE})
        if exists.first() is None:
            conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    host = PG_HOST.split("://", 1)[1].split("@", 1)[-1]
    return f"{PG_HOST}/{name}", f"postgresql://{APP_ROLE}@{host}/{name}"


def _drop_postgres_database(name: str) -> None:
    admin = create_engine(
        f"{PG_HOST}/postgres".replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def base_config(backend: str, tmp: Path, database: dict[str, str]) -> dict[str, Any]:
    """The configuration tests run with: real components, no shared state between runs."""
    return {
        "TESTING": True,
        "ENV": "testing",
        "WTF_CSRF_ENABLED": True,
        "TENANTS_DIR": str(tmp / "tenants"),
        "MAIL_DIR": str(tmp / "mail"),
        "REDIS_URL": "",
        "RATELIMIT_STORAGE_URI": "memory://",
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        **database,
    }


class Database:
    """One migrated test database of a backend, emptied between tests."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        if backend == "postgresql":
            owner, app_url = _postgres_urls()
            self.config = {"DATABASE_URL": app_url, "DATABASE_OWNER_URL": owner}
            self.owner_url = owner
        else:
            path = tmp / f"teleservices-{_worker()}.db"
            self.config = {"DATABASE_URL": f"sqlite:///{path}", "DATABASE_OWNER_URL": ""}
            self.owner_url = f"sqlite:///{path}"
        self._engine: Engine | None = None

    @property
    def owner_engine(self) -> Engine:
        if self._engine is None:
            from teleservices.config import _sqlalchemy_url

            self._engine = create_engine(_sqlalchemy_url(self.owner_url))
        return self._engine

    def migrate(self, app: Flask) -> None:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade(revision="heads")

    def empty(self) -> None:
        with self.owner_engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name in existing]
            if self.backend == "postgresql":
                quoted = ", ".join(f'"{t}"' for t in tables)
                conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(text(f'DELETE FROM "{table}"'))  # noqa: S608 - table names from metadata

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        if self.backend == "postgresql":
            _drop_postgres_database(self.owner_url.rsplit("/", 1)[1])


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of the current test run: ``sqlite`` or ``postgresql``."""
    return str(request.param)


@pytest.fixture(scope="session")
def database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    from teleservices.app import create_app

    tmp = tmp_path_factory.mktemp(f"db-{backend}")
    database = Database(backend, tmp)
    app = create_app(base_config(backend, tmp, database.config))
    database.migrate(app)
    with app.app_context():
        db.engine.dispose()
    yield database
    database.dispose()


@pytest.fixture
def make_app(database: Database, backend: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build an application on the test database with extra configuration."""
    from teleservices.app import create_app

    apps: list[Flask] = []
    database.empty()

    def factory(**overrides: Any) -> Flask:
        app = create_app({**base_config(backend, tmp_path, database.config), **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The application with the default configuration, on an empty database."""
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@contextmanager
def sql_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the application's engine runs meanwhile (to count queries)."""
    statements: list[str] = []

    def record(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def create_academy(code: str, name: str, **values: Any) -> Academy:
    """Insert an academy (cross-tenant work) and return it."""
    with all_academies():
        academy = Academy(code=code, name=name, **values)
        db.session.add(academy)
        db.session.commit()
        return _detached(academy)


def _detached(obj: Any) -> Any:
    """Load every attribute, then detach: fixtures hand out plain snapshots, not live rows."""
    db.session.refresh(obj)
    db.session.expunge(obj)
    return obj


def create_establishment(
    academy: Academy,
    uai: str,
    name: str = "Collège de test",
    type: EstablishmentType = EstablishmentType.COLLEGE,
    modules: list[str] | None = None,
    **values: Any,
) -> Establishment:
    """Insert an establishment of the academy and return it."""
    with all_academies():
        establishment = Establishment(
            academy_id=academy.id,
            uai=uai,
            name=name,
            type=type,
            siecle_modules=modules if modules is not None else ["notes", "vie_scolaire", "edt"],
            **values,
        )
        db.session.add(establishment)
        db.session.commit()
        return _detached(establishment)


@pytest.fixture
def academy(app: Flask) -> Academy:
    """Academy ``ac-test`` with a collège 0251711Z and a lycée 0250001R."""
    with app.app_context():
        academy = create_academy("ac-test", "Académie de Test", host_names=["test.localhost"])
        create_establishment(academy, "0251711Z", "Collège Victor Hugo")
        create_establishment(academy, "0250001R", "Lycée Louis Pasteur", EstablishmentType.LYCEE)
    return academy


@pytest.fixture
def other_academy(app: Flask) -> Academy:
    """Academy ``ac-autre`` with a collège 0900001M (for isolation tests)."""
    with app.app_context():
        academy = create_academy("ac-autre", "Autre Académie", host_names=["autre.localhost"])
        create_establishment(academy, "0900001M", "Collège Jean Moulin")
    return academy


# --- Background jobs (Redis + RQ) and e-mail (a real SMTP server) ---------------------------------

RQ_QUEUE = f"teleservices-test-{_worker()}"


def _clear_rq_queue(connection: Any) -> None:
    """Delete this test run's RQ queue, its registries and its jobs (nothing else in Redis)."""
    from rq import Queue

    queue = Queue(RQ_QUEUE, connection=connection)
    registries = [
        queue.started_job_registry,
        queue.finished_job_registry,
        queue.failed_job_registry,
        queue.deferred_job_registry,
        queue.scheduled_job_registry,
        queue.canceled_job_registry,
    ]
    job_ids = set(queue.get_job_ids())
    for registry in registries:
        job_ids.update(registry.get_job_ids())
    keys = [queue.key, *(r.key for r in registries)]
    for job_id in job_ids:
        keys.extend(connection.scan_iter(f"rq:*{job_id}*"))
    keys.extend(connection.scan_iter(f"rq:*{RQ_QUEUE}*"))
    if keys:
        connection.delete(*keys)
    connection.srem("rq:queues", queue.key)


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A real Redis URL (db 15 unless ``TELESERVICES_TEST_REDIS`` says otherwise).

    Give it to ``make_app(REDIS_URL=redis_url, JOBS_QUEUE=RQ_QUEUE)``; the test run's queue is
    emptied before and after the test, other keys are left alone.
    """
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    connection.ping()
    _clear_rq_queue(connection)
    yield REDIS_URL
    _clear_rq_queue(connection)
    connection.close()


def work_jobs(app: Flask) -> None:
    """Run the queued jobs in this process with a real RQ worker, until the queue is empty."""
    from rq import SimpleWorker

    from teleservices import jobs

    with app.app_context():
        SimpleWorker([jobs.queue()], connection=jobs.redis_connection()).work(burst=True)


class SmtpServer:
    """An aiosmtpd server on a fixed free port that keeps what it receives; can stop and restart."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self.messages: list[Any] = []
        self.envelopes: list[Any] = []
        self._controller: Any = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._controller is not None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running SMTP server; ``.url`` goes in ``MAIL_URL``, ``.messages`` holds what arrived."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def portal(app: Flask, academy: Academy) -> Any:
    """A representative logged in on ac-test whose children are created per UAI on demand."""
    from teleservices.accounts.portal_testing import Portal

    return Portal(app, academy, app.test_client())


@pytest.fixture
def student_portal(app: Flask, academy: Academy) -> Any:
    """A student logged in on ac-test (enrolled in the UAI of the first page asked for)."""
    from teleservices.accounts.portal_testing import Portal

    return Portal(app, academy, app.test_client(), student=True)
