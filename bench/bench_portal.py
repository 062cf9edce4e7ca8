"""Portal speed (issue 7, point 6): the logged-in home page under gunicorn against a Flask
hello-world under the same gunicorn, in the same run.

A synthetic academy (``BENCH_PORTAL_STUDENTS`` students in each of two establishments, generated
and imported through SIECLE) in a throw-away PostgreSQL database used through the application
role (row-level security on); a representative account with one child in each establishment, every
téléservice open. Both applications run under gunicorn with 2 sync workers in production mode, with
Redis (``BENCH_REDIS_URL``, database 14 by default) as in production;
``wrk`` (Debian package) loads each with 32 connections for ``BENCH_PORTAL_SECONDS`` seconds.
Reported: requests per second, their ratio (target ≥ 0.3), p50 and p99 latency (target p99 < 100
ms). Figures are printed and written to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import requests
from cryptography.fernet import Fernet
from sqlalchemy import create_engine

from bench.bench_siecle_import import _create_database, _drop_database
from bench.results import write_section

ROOT = Path(__file__).resolve().parent.parent

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN, END = "<!-- bench_portal: begin -->", "<!-- bench_portal: end -->"
ACADEMY = "bench-portail"
PASSWORD = "portail2026"
USER_AGENT = "teleservices-bench"
CONNECTIONS = 32
NOTE = (
    "Redis configuré comme en production (cache de l'accueil actif, une lecture Redis par "
    "requête). Coût d'un accueil : ≈ 16 ms de worker sous gunicorn (2 workers à 126 req/s), ≈ "
    "17 ms en processus avec le client de test ; 6 requêtes SQL au lieu de 13 avant cette "
    "session : l'hôte en fait 3 (+ le set_config de la RLS) — académie, compte, enfants avec la"
    " formule d'accueil — ; les choix et le paramétrage de l'établissement, les règles d'offre "
    "et les services académiques viennent d'un cache par processus (valeurs figées, 5 s, "
    "invalidé dans tous les workers à chaque écriture de ces tables par une génération partagée"
    " dans Redis) ; les 2 autres sont les résumés des greffons notes et absences (un COUNT "
    "chacun). Répartition (pyinstrument) : résumés des greffons ≈ 26 %, requête des enfants ≈ "
    "23 %, rendu Jinja ≈ 17 %, résolution de l'académie et ouverture de la transaction ≈ 14 %, "
    "compte ≈ 9 % ; chaque requête SQL coûte ≈ 1,3 ms, surtout dans l'ORM. Le rapport de 0,3 "
    "demanderait une page à ≈ 1,7 ms et le p99 < 100 ms une page à ≈ 6 ms (32 connexions pour 2"
    " workers) : hors de portée tant que chaque accueil lit l'académie, le compte et les "
    "enfants sous RLS et rend le gabarit ; seul un cache de la page entière par famille "
    "(invalidé par chaque import, paramétrage ou changement de compte) s'en approcherait, ce "
    "que nous n'avons pas fait faute de pouvoir garantir sa fraîcheur."
)


@dataclass(frozen=True)
class Load:
    """What wrk measured on one URL."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _populate(config: dict[str, Any], students: int, tmp: Path) -> str:
    """Generate and import two establishments; return the identifier of a family with a child
    in each (accounts merged), its password set."""
    from sqlalchemy import select

    from teleservices.accounts import merge
    from teleservices.accounts.lifecycle import transition
    from teleservices.accounts.models import Account, AccountChild, AccountKind, AccountState
    from teleservices.app import create_app
    from teleservices.extensions import db
    from teleservices.school.generator import (
        SiecleGenerator,
        ensure_establishments,
        plan_academy,
        siecle_files,
    )
    from teleservices.school.models import Student
    from teleservices.school.siecle import import_siecle
    from teleservices.security.passwords import hash_password
    from teleservices.tenancy.context import tenant

    specs = plan_academy(ACADEMY, 2)
    list(SiecleGenerator(specs, students).write_all(tmp / ACADEMY))
    app = create_app(config)
    with app.app_context():
        academy, establishments = ensure_establishments(ACADEMY, specs)
        academy_id = academy.id
        for establishment in establishments:
            with tenant(academy_id):
                import_siecle(establishment, siecle_files(tmp / ACADEMY / establishment.uai))
        with tenant(academy_id):
            pair = []
            for establishment in establishments:
                pair.append(
                    db.session.scalar(
                        select(Account)
                        .join(AccountChild, AccountChild.account_id == Account.id)
                        .join(Student, Student.id == AccountChild.student_id)
                        .where(
                            Account.kind == AccountKind.REPRESENTATIVE,
                            Student.establishment_id == establishment.id,
                        )
                        .order_by(Account.id)
                        .limit(1)
                    )
                )
            main, other = pair
            assert main is not None and other is not None
            for step in (AccountState.NOTIFIE, AccountState.EN_COURS_ACTIVATION):
                transition(main, step)
            transition(main, AccountState.UTILISE)
            main.password_hash = hash_password(PASSWORD)
            main.email, main.email_confirmed = "famille@example.fr", True
            merge.merge(main, other)
            db.session.commit()
            identifier = main.identifier
        db.session.remove()
        db.engine.dispose()
    # Fresh statistics, as autovacuum leaves them a minute after an import (the owner analyses).
    owner = create_engine(
        config["DATABASE_OWNER_URL"].replace("postgresql://", "postgresql+psycopg://")
    )
    with owner.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    owner.dispose()
    return identifier


def _gunicorn(app_path: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_path,
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except requests.RequestException:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"gunicorn ({app_path}) ne répond pas sur le port {port}")


def _duration(text: str) -> float:
    """A wrk latency such as ``812.00us``, ``4.21ms`` or ``1.02s`` in milliseconds."""
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _wrk(url: str, seconds: int, cookie: str = "") -> Load:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--latency"]
    command += ["-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _duration(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _duration(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return Load(rate, p50, p99, int(non_2xx.group(1)) if non_2xx else 0)


def _login(base: str, identifier: str) -> str:
    """Log the family in through the real form; return the session cookie header value."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    page = session.get(f"{base}/{ACADEMY}/connexion", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = session.post(
        f"{base}/{ACADEMY}/connexion",
        data={"csrf_token": token, "identifier": identifier, "password": PASSWORD},
        timeout=10,
        allow_redirects=False,
    )
    assert response.status_code == 302, "la famille du banc d'essai ne se connecte pas"
    home = session.get(f"{base}/{ACADEMY}/accueil", timeout=10)
    assert "2 enfants sont rattachés" in home.text, "la page d'accueil n'est pas celle attendue"
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def measure(students: int, seconds: int) -> tuple[Load, Load]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk est introuvable : make system-deps l'installe (paquet Debian).")
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as folder:
        tmp = Path(folder)
        config = _create_database(tmp)
        from flask_migrate import upgrade

        from teleservices.app import create_app
        from teleservices.extensions import db

        app = create_app(config)
        with app.app_context():
            upgrade(revision="heads")
            db.engine.dispose()
        try:
            identifier = _populate(config, students, tmp)
            env = {
                **os.environ,
                "TELESERVICES_ENV": "production",
                "TELESERVICES_SECRET_KEY": secrets.token_urlsafe(32),
                "TELESERVICES_FERNET_KEY": Fernet.generate_key().decode(),
                "TELESERVICES_INSTANCE_PATH": str(tmp / "instance"),
                # Production has Redis: the home's cache is on, rate limits are shared.
                "TELESERVICES_REDIS_URL": os.environ.get(
                    "BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"
                ),
                **{f"TELESERVICES_{k}": str(v) for k, v in config.items()},
            }
            portal_port, hello_port = _free_port(), _free_port()
            portal = _gunicorn("teleservices.wsgi:app", portal_port, env)
            hello = _gunicorn("bench.hello:app", hello_port, env)
            try:
                base = f"http://127.0.0.1:{portal_port}"
                cookie = _login(base, identifier)
                _wrk(f"{base}/{ACADEMY}/accueil", 3, cookie)  # warm-up
                _wrk(f"http://127.0.0.1:{hello_port}/", 3)
                home = _wrk(f"{base}/{ACADEMY}/accueil", seconds, cookie)
                ceiling = _wrk(f"http://127.0.0.1:{hello_port}/", seconds)
            finally:
                for process in (portal, hello):
                    process.terminate()
                    process.wait(timeout=30)
        finally:
            _drop_database()
    return home, ceiling


def _section(students: int, home: Load, ceiling: Load) -> str:
    ratio = home.requests_per_s / ceiling.requests_per_s
    ratio_ok = "atteint" if ratio >= 0.3 else "**manqué**"
    p99_ok = "atteint" if home.p99_ms < 100 else "**manqué**"
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, PostgreSQL"
    return "\n".join(
        [
            BEGIN,
            "## Portail des familles (`bench/bench_portal.py`)",
            "",
            f"Page d'accueil d'une famille connectée (2 enfants dans 2 établissements de {students:,} "
            "élèves, tous les téléservices ouverts, RLS active) et « hello world » Flask, chacun "
            f"sous gunicorn (2 workers sync, mode production, Redis), chargés par wrk ({CONNECTIONS} "
            "connexions) l'un après l'autre dans le même passage.",
            "",
            "| date | machine | page | requêtes/s | p50 | p99 | réponses non 2xx/3xx |",
            "|---|---|---|---|---|---|---|",
            f"| {date.today().isoformat()} | {machine} | accueil connecté "
            f"| {home.requests_per_s:.0f} | {home.p50_ms:.1f} ms | {home.p99_ms:.1f} ms "
            f"| {home.errors} |",
            f"| {date.today().isoformat()} | {machine} | hello world "
            f"| {ceiling.requests_per_s:.0f} | {ceiling.p50_ms:.1f} ms | {ceiling.p99_ms:.1f} ms "
            f"| {ceiling.errors} |",
            "",
            f"Rapport accueil / hello world : {ratio:.2f} (objectif ≥ 0,3 : {ratio_ok}) ; "
            f"p99 de l'accueil {home.p99_ms:.1f} ms (objectif < 100 ms : {p99_ok}). Avec "
            f"{CONNECTIONS} connexions pour 2 workers, la latence inclut l'attente dans la file de "
            "gunicorn.",
            "",
            NOTE,
            END,
        ]
    )


def run() -> None:
    students = int(os.environ.get("BENCH_PORTAL_STUDENTS", "750"))
    seconds = int(os.environ.get("BENCH_PORTAL_SECONDS", "15"))
    home, ceiling = measure(students, seconds)
    print(
        f"accueil : {home.requests_per_s:.0f} req/s, p50 {home.p50_ms:.1f} ms, "
        f"p99 {home.p99_ms:.1f} ms ; hello world : {ceiling.requests_per_s:.0f} req/s, "
        f"p50 {ceiling.p50_ms:.1f} ms, p99 {ceiling.p99_ms:.1f} ms ; rapport "
        f"{home.requests_per_s / ceiling.requests_per_s:.2f}"
    )
    write_section(BEGIN, END, _section(students, home, ceiling))
    print(f"Résultats écrits dans {RESULTS}.")
