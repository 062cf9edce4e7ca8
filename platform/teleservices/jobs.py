"""Background jobs: the ``Job`` record, ``enqueue`` on RQ (or inline), and progress reports.

With ``REDIS_URL`` set, ``enqueue`` puts the job on the ``teleservices`` RQ queue and a worker
(``teleservices worker``) runs it; without it (embedded mode) the job runs inline at once. Either way
the same ``Job`` row is written and the same function (``run_job``) executes the body: inside an
application context and the tenant of the academy the job was enqueued for (DESIGN.md, request flow
point 4). A failure is recorded on the row (status ``failed`` and the error), never raised to the
code that enqueued the job.
"""

from __future__ import annotations

import enum
import importlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import TenantMixin

log = logging.getLogger(__name__)

QUEUE_NAME = "teleservices"
DEFAULT_TIMEOUT = 6 * 3600  # seconds: mass notifications of a whole academy take long

_current_job_id: ContextVar[str | None] = ContextVar("teleservices_job", default=None)


class JobStatus(enum.StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": "En attente",
            "running": "En cours",
            "finished": "Terminé",
            "failed": "En échec",
        }[self.value]


class Job(TenantMixin, db.Model):  # type: ignore[name-defined]
    """One run of a background job of an academy (optionally of one establishment)."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    establishment_id: Mapped[int | None] = mapped_column(
        ForeignKey("establishments.id", ondelete="CASCADE"), index=True, nullable=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[JobStatus] = mapped_column(
        db.Enum(
            JobStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=JobStatus.QUEUED,
    )
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def percent(self) -> int:
        """Progress in whole percent (0 while the total is unknown)."""
        if self.progress_total <= 0:
            return 100 if self.status == JobStatus.FINISHED else 0
        return min(100, self.progress_done * 100 // self.progress_total)

    def __repr__(self) -> str:
        return f"<Job {self.name} {self.status}>"


def _now() -> datetime:
    return datetime.now(UTC)


def function_path(func: Callable[..., Any] | str) -> str:
    """The importable ``module:qualname`` of a job function (a worker imports it by this path)."""
    if isinstance(func, str):
        return func
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    if not module or not qualname or "<" in qualname:
        raise ValueError(
            f"{func!r} ne peut pas servir de tâche : il faut une fonction définie au niveau "
            "d'un module (importable par un worker)."
        )
    return f"{module}:{qualname}"


def resolve(path: str) -> Callable[..., Any]:
    """Import the job function named ``package.module:function`` (or ``package.module.function``)."""
    module_name, sep, qualname = path.partition(":")
    if not sep:
        module_name, _, qualname = path.rpartition(".")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    if not callable(target):
        raise TypeError(f"{path} n'est pas une fonction.")
    return target


def redis_connection() -> Any:
    """The application's Redis connection (created once per application)."""
    from redis import Redis

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise RuntimeError("TELESERVICES_REDIS_URL n'est pas défini.")
    connections: dict[str, Any] = current_app.extensions.setdefault("teleservices_redis", {})
    if url not in connections:
        connections[url] = Redis.from_url(url)
    return connections[url]


def queue() -> Any:
    """The RQ queue jobs go to (``teleservices``; ``JOBS_QUEUE`` overrides it, for tests)."""
    from rq import Queue

    name = current_app.config.get("JOBS_QUEUE") or QUEUE_NAME
    return Queue(name, connection=redis_connection())


def enqueue(
    func: Callable[..., Any] | str,
    *args: Any,
    academy_id: int,
    establishment_id: int | None = None,
    description: str = "",
    **kwargs: Any,
) -> Job:
    """Record a job and run ``func(*args, **kwargs)`` in the background (or at once, embedded).

    ``func`` is a module-level function or its path ``package.module:function``; its arguments
    must be picklable and its return value JSON-serialisable (it becomes ``Job.result``). The
    function runs in the academy's tenant and may call ``report_progress``. This commits the
    current session so that the worker sees the job row.
    """
    path = function_path(func)
    with tenant(academy_id):
        job = Job(
            academy_id=academy_id,
            establishment_id=establishment_id,
            name=path[:200],
            description=description[:300],
            status=JobStatus.QUEUED,
        )
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    if current_app.config.get("REDIS_URL"):
        queue().enqueue(
            run_job,
            job_id,
            academy_id,
            path,
            list(args),
            kwargs,
            job_id=job_id,
            description=description or path,
            job_timeout=current_app.config.get("JOB_TIMEOUT", DEFAULT_TIMEOUT),
            result_ttl=3600,
        )
    else:
        run_job(job_id, academy_id, path, list(args), kwargs)
    with tenant(academy_id):
        stored = db.session.get(Job, job_id)
        assert stored is not None
        db.session.refresh(stored)
        return stored


@contextmanager
def _application_context() -> Iterator[None]:
    """Reuse the current application context, or build the application (bare ``rq worker``)."""
    if has_app_context():
        yield
        return
    from teleservices.app import create_app

    with create_app().app_context():
        yield


def run_job(
    job_id: str, academy_id: int, path: str, args: list[Any], kwargs: dict[str, Any]
) -> None:
    """Execute a recorded job: the one code path of the worker and of the inline mode."""
    with _application_context(), tenant(academy_id):
        job = db.session.get(Job, job_id)
        if job is None:
            log.error("Tâche %s introuvable pour l'académie %s.", job_id, academy_id)
            return
        job.status = JobStatus.RUNNING
        job.started_at = _now()
        db.session.commit()
        token = _current_job_id.set(job_id)
        try:
            result = resolve(path)(*args, **kwargs)
            json.dumps(result)
        except Exception as exc:
            log.exception("La tâche %s (%s) a échoué.", job_id, path)
            db.session.rollback()
            _finish(job_id, JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        else:
            _finish(job_id, JobStatus.FINISHED, result=result)
        finally:
            _current_job_id.reset(token)


def _finish(job_id: str, status: JobStatus, result: Any = None, error: str = "") -> None:
    job = db.session.get(Job, job_id)
    if job is None:
        return
    job.status = status
    job.result = result
    job.error = error
    job.finished_at = _now()
    db.session.commit()


def current_job() -> Job | None:
    """The job being executed, or ``None`` outside a job."""
    job_id = _current_job_id.get()
    return db.session.get(Job, job_id) if job_id else None


def report_progress(done: int, total: int, message: str = "") -> None:
    """Record the current job's progress and commit, so that a page polling it sees it.

    The commit includes the job's own pending work: call it between units of work. Outside a
    job (a job function called directly) it does nothing.
    """
    job = current_job()
    if job is None:
        return
    job.progress_done = done
    job.progress_total = total
    job.message = message
    db.session.commit()


def run_worker(burst: bool = False) -> None:
    """Run an RQ worker on the application's queue (``teleservices worker``)."""
    from rq import Worker

    db.engine.dispose()  # forked work horses must not share the parent's connections
    Worker([queue()], connection=redis_connection()).work(burst=burst)
