"""Background jobs: inline (embedded mode) and through Redis with a real RQ worker, same record."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teleservices.extensions import db
from teleservices.jobs import Job, JobStatus
from teleservices.sdk import enqueue, report_progress
from teleservices.tenancy.context import current_academy_id, tenant
from teleservices.tenancy.models import Establishment
from teleservices.testing import RQ_QUEUE, work_jobs


def count_establishments(steps: int, label: str = "Étape") -> dict[str, object]:
    """A job: reports progress step by step and records what another connection sees."""
    seen = []
    for step in range(1, steps + 1):
        report_progress(step, steps, f"{label} {step}/{steps}")
        with Session(db.engine) as other:  # what a page polling the job would read
            seen.append(other.execute(select(Job.progress_done)).scalar_one())
    uais = db.session.execute(select(Establishment.uai).order_by(Establishment.uai)).scalars()
    return {"academy": current_academy_id(), "uais": list(uais), "seen": seen}


def broken_job(uai: str) -> None:
    """A job that writes, then fails: its write must not survive."""
    establishment = db.session.execute(select(Establishment).filter_by(uai=uai)).scalar_one()
    establishment.name = "Modifié par une tâche en échec"
    db.session.flush()
    raise ValueError("fichier SIECLE illisible")


def test_inline_job_runs_in_the_tenant_and_records_progress(app, academy, other_academy):
    with app.app_context():
        job = enqueue(count_establishments, 3, academy_id=academy.id, description="Comptage")
        assert job.status == JobStatus.FINISHED
        assert job.name == "tests.test_jobs:count_establishments"
        assert job.description == "Comptage"
        assert (job.progress_done, job.progress_total) == (3, 3)
        assert job.message == "Étape 3/3"
        assert job.result == {
            "academy": academy.id,
            "uais": ["0250001R", "0251711Z"],
            "seen": [1, 2, 3],
        }
        assert job.error == ""
        assert job.started_at is not None and job.finished_at is not None
        assert job.academy_id == academy.id and job.establishment_id is None
    with app.app_context(), tenant(other_academy.id):
        assert db.session.execute(select(Job)).scalars().all() == []


def test_job_by_path_with_establishment_and_keyword_arguments(app, academy):
    with app.app_context(), tenant(academy.id):
        college = db.session.execute(select(Establishment).filter_by(uai="0251711Z")).scalar_one()
        job = enqueue(
            "tests.test_jobs:count_establishments",
            1,
            academy_id=academy.id,
            establishment_id=college.id,
            label="Lot",
        )
        assert job.status == JobStatus.FINISHED
        assert job.establishment_id == college.id
        assert job.message == "Lot 1/1"


def test_failing_job_is_recorded_not_raised(app, academy):
    with app.app_context():
        job = enqueue(broken_job, "0251711Z", academy_id=academy.id)
        assert job.status == JobStatus.FAILED
        assert job.error == "ValueError: fichier SIECLE illisible"
        assert job.result is None
        assert job.finished_at is not None
    with app.app_context(), tenant(academy.id):
        names = db.session.execute(select(Establishment.name)).scalars().all()
        assert "Modifié par une tâche en échec" not in names


def test_same_job_through_redis_and_a_worker(make_app, redis_url, academy):
    app = make_app(REDIS_URL=redis_url, JOBS_QUEUE=RQ_QUEUE)
    with app.app_context():
        from teleservices import jobs

        job = enqueue(count_establishments, 2, academy_id=academy.id)
        job_id = job.id
        assert job.status == JobStatus.QUEUED
        assert job.progress_done == 0
        assert jobs.queue().get_job_ids() == [job_id]
    work_jobs(app)
    with app.app_context(), tenant(academy.id):
        job = db.session.get(Job, job_id)
        assert job is not None
        assert job.status == JobStatus.FINISHED
        assert (job.progress_done, job.progress_total) == (2, 2)
        assert job.result == {
            "academy": academy.id,
            "uais": ["0250001R", "0251711Z"],
            "seen": [1, 2],
        }
        assert jobs.queue().count == 0


def test_failing_job_through_redis_is_recorded(make_app, redis_url, academy):
    app = make_app(REDIS_URL=redis_url, JOBS_QUEUE=RQ_QUEUE)
    with app.app_context():
        job_id = enqueue(broken_job, "0251711Z", academy_id=academy.id).id
    work_jobs(app)
    with app.app_context(), tenant(academy.id):
        job = db.session.get(Job, job_id)
        assert job is not None
        assert job.status == JobStatus.FAILED
        assert "fichier SIECLE illisible" in job.error


def test_a_nested_function_cannot_be_a_job(app, academy):
    def local() -> None:
        return None

    with app.app_context():
        try:
            enqueue(local, academy_id=academy.id)
        except ValueError as exc:
            assert "niveau d'un module" in str(exc)
        else:
            raise AssertionError("a nested function was accepted")


def test_report_progress_outside_a_job_does_nothing(app, academy):
    with app.app_context(), tenant(academy.id):
        report_progress(1, 2, "rien")
        assert db.session.execute(select(Job)).scalars().all() == []


def test_worker_command_requires_redis(app):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "TELESERVICES_REDIS_URL n'est pas défini" in result.output


def test_worker_command_runs_queued_jobs(make_app, redis_url, academy):
    app = make_app(REDIS_URL=redis_url, JOBS_QUEUE=RQ_QUEUE)
    with app.app_context():
        job_id = enqueue(count_establishments, 1, academy_id=academy.id).id
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "Worker des tâches démarré" in result.output
    with app.app_context(), tenant(academy.id):
        job = db.session.get(Job, job_id)
        assert job is not None and job.status == JobStatus.FINISHED
