"""SIECLE import benchmark (issue 3, point 5): one establishment, one big file, a whole academy.

Exports written by the synthetic academy generator are imported through ``import_siecle`` into a
throw-away PostgreSQL database, migrated like production and used through an ordinary application
role (row-level security on). Each case runs in a child process that reports its wall times and its
peak resident memory (``ru_maxrss``, application included); the case is imported, then imported
again unchanged. Figures are printed and written to ``bench/RESULTS.md``.

Sizes come from the environment: ``BENCH_STUDENTS`` (1500, the establishment of the target),
``BENCH_LARGE_STUDENTS`` (15000: one file ten times bigger, for the memory bound; several sizes
separated by commas, e.g. ``15000,30000``, show how the peak grows; 0 skips it),
``BENCH_ESTABLISHMENTS`` (100 establishments of ``BENCH_STUDENTS``; 0 skips it).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text

from bench.results import write_section

PG_HOST = os.environ.get("TELESERVICES_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
APP_ROLE = "teleservices_app"
DATABASE = "teleservices_bench"

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN, END = "<!-- bench_siecle_import: begin -->", "<!-- bench_siecle_import: end -->"
TARGET_IMPORT_S = 5.0
TARGET_REIMPORT_S = 3.0
TARGET_PEAK_MB = 300.0


@dataclass(frozen=True)
class Case:
    """One measured import: what was generated and what the child process reported."""

    label: str
    establishments: int
    students: int
    persons: int
    generate_s: float
    import_s: float
    reimport_s: float
    median_import_s: float  # per establishment
    slowest_import_s: float
    median_reimport_s: float
    slowest_reimport_s: float
    start_mb: float
    peak_mb: float

    @property
    def rate(self) -> float:
        return self.establishments * self.students / self.import_s


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _create_database(tmp: Path) -> dict[str, Any]:
    """Create the throw-away database and the application role; return the app configuration."""
    admin = create_engine(
        f"{PG_HOST}/postgres".replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE})
        if exists.first() is None:
            conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS"))
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    host = PG_HOST.split("://", 1)[1].split("@", 1)[-1]
    return {
        "DATABASE_URL": f"postgresql://{APP_ROLE}@{host}/{DATABASE}",
        "DATABASE_OWNER_URL": f"{PG_HOST}/{DATABASE}",
        "TENANTS_DIR": str(tmp / "tenants"),
        "MAIL_DIR": str(tmp / "mail"),
        "REDIS_URL": "",
        "RATELIMIT_STORAGE_URI": "memory://",
    }


def _drop_database() -> None:
    admin = create_engine(
        f"{PG_HOST}/postgres".replace("postgresql://", "postgresql+psycopg://"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    admin.dispose()


def _prepare(
    config: dict[str, Any], academy: str, count: int, students: int, tmp: Path
) -> tuple[int, float]:
    """Generate the exports, create the academy and its establishments; return (persons, s)."""
    from teleservices.app import create_app
    from teleservices.extensions import db
    from teleservices.school.generator import SiecleGenerator, ensure_establishments, plan_academy

    specs = plan_academy(academy, count)
    started = time.perf_counter()
    written = list(SiecleGenerator(specs, students).write_all(tmp / academy))
    generate_s = time.perf_counter() - started
    app = create_app(config)
    with app.app_context():
        ensure_establishments(academy, specs)
        db.session.remove()
        db.engine.dispose()
    return sum(w.persons for w in written), generate_s


def _measure(
    label: str, config: dict[str, Any], academy: str, count: int, students: int, tmp: Path
) -> Case:
    """Generate, then import and re-import the academy's exports in a child process."""
    persons, generate_s = _prepare(config, academy, count, students, tmp)
    order = {"config": config, "academy": academy, "directory": str(tmp / academy)}
    completed = subprocess.run(
        [sys.executable, "-m", "bench.bench_siecle_import", json.dumps(order)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{label}: l'import a échoué\n{completed.stderr[-4000:]}")
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    return Case(
        label=label,
        establishments=count,
        students=students,
        persons=persons,
        generate_s=generate_s,
        import_s=sum(figures["import_s"]),
        reimport_s=sum(figures["reimport_s"]),
        median_import_s=statistics.median(figures["import_s"]),
        slowest_import_s=max(figures["import_s"]),
        median_reimport_s=statistics.median(figures["reimport_s"]),
        slowest_reimport_s=max(figures["reimport_s"]),
        start_mb=figures["start_mb"],
        peak_mb=figures["peak_mb"],
    )


def child(order: dict[str, Any]) -> dict[str, Any]:
    """In the child process: import every establishment of the academy twice, timing each one."""
    from teleservices.app import create_app
    from teleservices.extensions import db
    from teleservices.school.generator import siecle_files
    from teleservices.school.siecle import import_siecle
    from teleservices.tenancy.context import all_academies, tenant
    from teleservices.tenancy.models import Academy, Establishment

    app = create_app(order["config"])
    with app.app_context(), all_academies():
        academy_id = db.session.execute(
            select(Academy.id).filter_by(code=order["academy"])
        ).scalar_one()
        uais = list(
            db.session.execute(
                select(Establishment.uai)
                .filter_by(academy_id=academy_id)
                .order_by(Establishment.uai)
            ).scalars()
        )
    start_mb = _maxrss_mb()
    passes: list[list[float]] = []
    for _ in range(2):
        durations = []
        for uai in uais:
            files = siecle_files(Path(order["directory"]) / uai)
            with app.app_context(), tenant(academy_id):
                establishment = db.session.execute(
                    select(Establishment).filter_by(uai=uai)
                ).scalar_one()
                started = time.perf_counter()
                import_siecle(establishment, files)
                durations.append(time.perf_counter() - started)
        passes.append(durations)
    return {
        "import_s": passes[0],
        "reimport_s": passes[1],
        "start_mb": start_mb,
        "peak_mb": _maxrss_mb(),
    }


def _verdict(ok: bool) -> str:
    return "atteint" if ok else "**manqué**"


def _n(value: float) -> str:
    """A count the French way: 150 000."""
    return f"{value:,.0f}".replace(",", "\u202f")


def _per_establishment(total: float, median: float, slowest: float, count: int) -> str:
    if count == 1:
        return f"{total:.1f} s"
    return f"{total:.1f} s (médiane {median:.2f} s, max {slowest:.2f} s)"


def _report(cases: list[Case]) -> str:
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, PostgreSQL"
    rows = [
        f"| {date.today().isoformat()} | {machine} | {c.label} | {c.establishments} × "
        f"{_n(c.students)} | {_n(c.persons)} | {c.generate_s:.1f} s | "
        f"{_per_establishment(c.import_s, c.median_import_s, c.slowest_import_s, c.establishments)}"
        f" | {_n(c.rate)} | "
        f"{_per_establishment(c.reimport_s, c.median_reimport_s, c.slowest_reimport_s, c.establishments)}"
        f" | {c.peak_mb:.0f} MB ({c.start_mb:.0f} au départ) |"
        for c in cases
    ]
    singles = sorted((c for c in cases if c.establishments == 1), key=lambda c: c.students)
    peak = max(c.peak_mb for c in cases)
    targets = [
        f"- Pic de mémoire < {TARGET_PEAK_MB:.0f} MB : {_verdict(peak < TARGET_PEAK_MB)} pour "
        f"les tailles mesurées (au plus {peak:.0f} MB)."
    ]
    for small, big in pairwise(singles):
        per_student = (big.peak_mb - small.peak_mb) / (big.students - small.students)
        growth = f"  De {_n(small.students)} à {_n(big.students)} élèves dans un seul fichier, "
        if per_student * 1024 < 0.05:
            targets.append(growth + "le pic ne croît plus.")
            continue
        growth += f"le pic croît de {per_student * 1024:.1f} kB par élève de plus"
        if big is singles[-1]:
            limit = big.students + (TARGET_PEAK_MB - big.peak_mb) / per_student
            growth += f", soit {TARGET_PEAK_MB:.0f} MB vers {_n(limit)} élèves à ce rythme"
        targets.append(growth + ".")
    if singles:
        one = singles[0]
        targets[:0] = [
            f"- Import d'un établissement de {_n(one.students)} élèves < {TARGET_IMPORT_S:.0f} s :"
            f" {_verdict(one.import_s < TARGET_IMPORT_S)} ({one.import_s:.1f} s).",
            f"- Réimport sans changement < {TARGET_REIMPORT_S:.0f} s : "
            f"{_verdict(one.reimport_s < TARGET_REIMPORT_S)} ({one.reimport_s:.1f} s).",
        ]
    return "\n".join(
        [
            BEGIN,
            "## Import SIECLE (`bench/bench_siecle_import.py`)",
            "",
            "Exports écrits par `teleservices.school.generator` (ISO-8859-15), importés par "
            "`import_siecle` dans une base PostgreSQL jetable (rôle applicatif, RLS active), "
            "dans un processus fils par cas, établissement après établissement ; le réimport "
            "reprend les mêmes fichiers. Temps murs ; pic = `ru_maxrss` du processus fils "
            "(application comprise).",
            "",
            "| date | machine | cas | établissements × élèves | responsables et contacts "
            "| génération | import | élèves/s | réimport inchangé | pic mémoire |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Objectifs (issue 3) :",
            *targets,
            END,
        ]
    )


def run() -> None:
    """Run the cases, print the figures and record them in ``bench/RESULTS.md``."""
    try:
        from teleservices.school.siecle import import_siecle  # noqa: F401
    except ImportError:
        print("import_siecle n'existe pas encore : benchmark non exécuté.")
        return
    students = _env_int("BENCH_STUDENTS", 1500)
    plans = [("1 établissement", "bench-one", 1, students)]
    for i, large in enumerate(
        int(size) for size in os.environ.get("BENCH_LARGE_STUDENTS", "15000").split(",")
    ):
        if large:
            plans.append(("1 gros fichier", f"bench-large-{i}", 1, large))
    if establishments := _env_int("BENCH_ESTABLISHMENTS", 100):
        plans.append(("académie", "bench-academy", establishments, students))
    cases = []
    with tempfile.TemporaryDirectory(prefix="bench-siecle-") as directory:
        tmp = Path(directory)
        config = _create_database(tmp)
        from flask_migrate import upgrade

        from teleservices.app import create_app
        from teleservices.extensions import db

        app = create_app(config)
        with app.app_context():
            upgrade(revision="heads")
            db.engine.dispose()
        try:
            for label, academy, count, size in plans:
                case = _measure(label, config, academy, count, size, tmp)
                cases.append(case)
                print(
                    f"{label}: {count} × {size} élèves, {case.persons} responsables — "
                    f"génération {case.generate_s:.1f} s, import {case.import_s:.1f} s "
                    f"({case.rate:.0f} élèves/s), réimport {case.reimport_s:.1f} s, "
                    f"pic {case.peak_mb:.0f} MB"
                )
                shutil.rmtree(tmp / academy)  # the academy alone writes ~600 MB
        finally:
            _drop_database()
    section = _report(cases)
    write_section(BEGIN, END, section)
    print(f"Résultats écrits dans {RESULTS}.")


if __name__ == "__main__":
    print(json.dumps(child(json.loads(sys.argv[1]))))
