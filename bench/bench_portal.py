"""Portal speed (issue 7, point 6): the logged-in home page under gunicorn against a Flask
hello-world under the same gunicorn, in the same run.

A synthetic academy (``BENCH_PORTAL_STUDENTS`` students in each of two establishments, generated
and imported through SIECLE) in a throw-away PostgreSQL database used through the application
role (row-level security on); a representative account with one child in each establishment, every
téléservice open. The portal runs twice under gunicorn (2 sync workers, production mode, Redis
``BENCH_REDIS_URL``, database 14 by default, emptied first): as in production, where a family
coming back to an unchanged home is served the page kept for its session (« page gardée »), and
with that cache off (``TELESERVICES_PORTAL_PAGE_SECONDS=0``), where every home is built (a first
visit). The hello-world runs under the same gunicorn. ``wrk`` (Debian package) loads each with 32
connections for ``BENCH_PORTAL_SECONDS`` seconds. Reported: requests per second, the ratio of each
home to the hello-world (target ≥ 0.3), p50 and p99 latency (target p99 < 100 ms). Figures are
printed and written to ``bench/RESULTS.md``.
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
from redis import Redis
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
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
NOTE = (
    "Page gardée : aucune requête SQL ; le worker lit le cookie de session, fait un aller-retour "
    "Redis (un script Lua lit la page compressée et les générations de la plateforme, de "
    "l'académie, du compte et des établissements des enfants) et renvoie la page telle quelle "
    "(le jeton CSRF qu'elle porte est celui de la session) ; une page gardée pèse ≈ 2,6 ko dans "
    "Redis (8,6 ko de HTML, zlib). Elle est annulée par toute écriture validée sur le compte, "
    "dans l'un des établissements des enfants ou dans l'académie hors d'un autre établissement "
    "(`freshness.py`), au changement de jour et au plus tard après 60 s. La machine est partagée : "
    "sur les 4 passages du 3 décembre au soir avec ce chemin de page gardée, le rapport a varié "
    "de 0,31 à 0,37 et son p99 de 32 à 49 ms. Page construite : 10 à 13 ms de worker par "
    "accueil (2 workers à 156–194 req/s selon le passage), 6 requêtes SQL — l'hôte en fait 3 (+ le "
    "set_config de la RLS) : académie, compte, enfants avec la formule d'accueil ; les choix et "
    "le paramétrage de l'établissement, les règles d'offre et les services académiques viennent "
    "d'un cache par processus (5 s, annulé par les mêmes générations) ; les 2 autres sont les "
    "résumés des greffons notes et absences. Les 6 requêtes prennent ≈ 1,7 ms côté base, le "
    "reste est du Python (ORM, gabarits). Jusqu'au 3 décembre, la page construite coûtait ≈ 17 "
    "ms (130 req/s) : psycopg oublie ses requêtes préparées à chaque ROLLBACK, et chaque requête "
    "web finissait par un ROLLBACK, donc PostgreSQL replanifiait tout (la requête des enfants : "
    "1,3 ms de planification pour 0,2 ms d'exécution) ; une requête qui n'a fait que lire valide "
    "maintenant sa transaction (`transactions.py`). Les mesures publiées avant le 3 décembre au "
    "soir se disaient « avec Redis » mais tournaient sans : la configuration de la base "
    "(REDIS_URL vide) écrasait l'URL Redis du banc ; corrigé, et le banc vérifie maintenant "
    "qu'une page est bien gardée dans Redis avant de mesurer."
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


def measure(students: int, seconds: int) -> dict[str, Load]:
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
                **{f"TELESERVICES_{k}": str(v) for k, v in config.items()},
                # Production has Redis: the home's caches are on, rate limits are shared. (After
                # the database's configuration, whose REDIS_URL is empty.)
                "TELESERVICES_REDIS_URL": REDIS_URL,
            }
            redis = Redis.from_url(REDIS_URL)
            redis.flushdb()  # the benchmark's own database: no entry of an earlier run
            kept_port, built_port, hello_port = _free_port(), _free_port(), _free_port()
            kept = _gunicorn("teleservices.wsgi:app", kept_port, env)
            built = _gunicorn(
                "teleservices.wsgi:app",
                built_port,
                {**env, "TELESERVICES_PORTAL_PAGE_SECONDS": "0"},
            )
            hello = _gunicorn("bench.hello:app", hello_port, env)
            try:
                loads = {}
                for name, port in (("kept", kept_port), ("built", built_port)):
                    base = f"http://127.0.0.1:{port}"
                    cookie = _login(base, identifier)
                    _wrk(f"{base}/{ACADEMY}/accueil", 3, cookie)  # warm-up
                    if name == "kept":
                        assert redis.keys("teleservices:home:*"), "aucune page gardée dans Redis"
                    loads[name] = _wrk(f"{base}/{ACADEMY}/accueil", seconds, cookie)
                _wrk(f"http://127.0.0.1:{hello_port}/", 3)
                loads["hello"] = _wrk(f"http://127.0.0.1:{hello_port}/", seconds)
            finally:
                for process in (kept, built, hello):
                    process.terminate()
                    process.wait(timeout=30)
        finally:
            _drop_database()
    return loads


ROWS = (
    ("kept", "accueil connecté, page gardée"),
    ("built", "accueil connecté, page construite"),
    ("hello", "hello world"),
)


def _verdicts(home: Load, ceiling: Load) -> str:
    ratio = home.requests_per_s / ceiling.requests_per_s
    ratio_ok = "atteint" if ratio >= 0.3 else "**manqué**"
    p99_ok = "atteint" if home.p99_ms < 100 else "**manqué**"
    return (
        f"rapport {ratio:.2f} (objectif ≥ 0,3 : {ratio_ok}), p99 {home.p99_ms:.1f} ms "
        f"(objectif < 100 ms : {p99_ok})"
    )


def _section(students: int, loads: dict[str, Load]) -> str:
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, PostgreSQL"
    today = date.today().isoformat()
    rows = [
        f"| {today} | {machine} | {label} | {loads[name].requests_per_s:.0f} "
        f"| {loads[name].p50_ms:.1f} ms | {loads[name].p99_ms:.1f} ms | {loads[name].errors} |"
        for name, label in ROWS
    ]
    return "\n".join(
        [
            BEGIN,
            "## Portail des familles (`bench/bench_portal.py`)",
            "",
            f"Page d'accueil d'une famille connectée (2 enfants dans 2 établissements de {students:,} "
            "élèves, tous les téléservices ouverts, RLS active) et « hello world » Flask, chacun "
            f"sous gunicorn (2 workers sync, mode production, Redis), chargés par wrk ({CONNECTIONS} "
            "connexions) l'un après l'autre dans le même passage. « Page gardée » : l'application "
            "telle qu'en production, la famille revient sur son accueil inchangé (cache de page par "
            "session). « Page construite » : la même application avec ce cache coupé "
            "(`TELESERVICES_PORTAL_PAGE_SECONDS=0`), chaque accueil est construit — c'est le coût "
            "d'une première visite ou d'une visite après un changement.",
            "",
            "| date | machine | page | requêtes/s | p50 | p99 | réponses non 2xx/3xx |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Page gardée / hello world : {_verdicts(loads['kept'], loads['hello'])}. "
            f"Page construite / hello world : {_verdicts(loads['built'], loads['hello'])}. "
            f"Avec {CONNECTIONS} connexions pour 2 workers, la latence inclut l'attente dans la "
            "file de gunicorn.",
            "",
            NOTE,
            END,
        ]
    )


def run() -> None:
    students = int(os.environ.get("BENCH_PORTAL_STUDENTS", "750"))
    seconds = int(os.environ.get("BENCH_PORTAL_SECONDS", "15"))
    loads = measure(students, seconds)
    for name, label in ROWS:
        load = loads[name]
        print(
            f"{label} : {load.requests_per_s:.0f} req/s, p50 {load.p50_ms:.1f} ms, "
            f"p99 {load.p99_ms:.1f} ms"
        )
    print(f"page gardée : {_verdicts(loads['kept'], loads['hello'])}")
    print(f"page construite : {_verdicts(loads['built'], loads['hello'])}")
    write_section(BEGIN, END, _section(students, loads))
    print(f"Résultats écrits dans {RESULTS}.")
