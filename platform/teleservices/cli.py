"""The ``teleservices`` command: a Flask CLI group (``flask --app teleservices`` works too)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from teleservices import migrations_cli
from teleservices.extensions import db
from teleservices.tenancy.context import tenant
from teleservices.tenancy.models import Academy, Establishment
from teleservices.tenancy.sync import TenantFileError, sync
from teleservices.tenancy.uai import normalise_uai


def _registry() -> Any:
    return current_app.extensions["teleservices_registry"]


@click.group("tenants", help="Académies déclarées dans tenants/.")
def tenants_group() -> None:
    """Tenant commands."""


@tenants_group.command("sync")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def tenants_sync(directory: Path | None) -> None:
    """Create or update the academies and establishments of tenants/*.toml (idempotent)."""
    directory = directory or Path(current_app.config["TENANTS_DIR"])
    try:
        report = sync(directory, set(_registry().teleservices))
    except TenantFileError as exc:
        for line in exc.errors:
            click.echo(f"erreur : {line}", err=True)
        click.echo("Aucune modification n'a été faite.", err=True)
        sys.exit(1)
    current_app.extensions["tenant_hosts"].forget()
    click.echo(
        f"Académies créées : {len(report.created)}, mises à jour : {len(report.updated)}, "
        f"inchangées : {len(report.unchanged)} ; établissements créés : "
        f"{report.establishments_created}, mis à jour : {report.establishments_updated}."
    )
    for uai in report.undeclared_establishments:
        click.echo(f"attention : l'établissement {uai} n'est plus déclaré (conservé).")


@click.group("plugins", help="Téléservices installés.")
def plugins_group() -> None:
    """Plugin commands."""


@plugins_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Sortie JSON.")
@with_appcontext
def plugins_list(as_json: bool) -> None:
    """List the installed téléservices and their rules."""
    registry = _registry()
    rows = [
        {
            "code": t.code,
            "label": t.label,
            "mandatory": t.mandatory.describe(),
            "default_open": t.default_open,
            "requires_module": t.requires_module,
            "audiences": sorted(a.value for a in t.audiences),
        }
        for t in registry.ordered()
    ]
    if as_json:
        click.echo(json.dumps({"plugins": rows, "failed": registry.failed}, ensure_ascii=False))
        return
    for row in rows:
        mandatory = row["mandatory"]
        rule = mandatory if isinstance(mandatory, str) else ", ".join(mandatory)
        click.echo(
            f"{row['code']:<16} {row['label']:<40} obligatoire={rule} "
            f"ouvert_par_défaut={row['default_open']} module={row['requires_module'] or '-'}"
        )
    for name, reason in registry.failed.items():
        click.echo(f"NON CHARGÉ {name}: {reason}", err=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--workers", default=2, type=int, help="gunicorn workers (production mode)")
@with_appcontext
def serve(host: str, port: int, workers: int) -> None:
    """Serve the platform: gunicorn in production mode, the Flask server otherwise."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["ENV"] == "production":
        from gunicorn.app.wsgiapp import run

        sys.argv = ["gunicorn", "-w", str(workers), "-b", f"{host}:{port}", "teleservices.wsgi:app"]
        run()
        return
    # ``app.run`` is a no-op under the ``flask``/``teleservices`` command line: serve directly.
    from werkzeug.serving import run_simple

    click.echo(f"Téléservices sert sur http://{host}:{port}/ (Ctrl+C pour arrêter).")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@click.command("demo")
@click.option("--no-serve", is_flag=True, help="Préparer la démonstration sans lancer le serveur.")
@click.pass_context
@with_appcontext
def demo(ctx: click.Context, no_serve: bool) -> None:
    """Prepare the demo academy (tenants, school data, staff, families) and serve it."""
    from teleservices import demo as demo_academy

    ctx.invoke(tenants_sync, directory=None)
    click.echo("Génération et import des données SIECLE de démonstration…")
    report = demo_academy.prepare()
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo("")
    click.echo(f"Téléservices — démonstration prête sur {base}/{demo_academy.ACADEMY}/")
    click.echo("Comptes de démonstration :")
    for login in report.logins:
        click.echo(f"  • {login.role}")
        click.echo(f"      {login.url}")
        click.echo(f"      identifiant : {login.login}   mot de passe : {login.password}")
        if login.note:
            click.echo(f"      {login.note}")
    if not no_serve:
        ctx.invoke(serve, host="127.0.0.1", port=5000, workers=2)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Traiter les tâches en attente puis s'arrêter.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run the background jobs worker (RQ on TELESERVICES_REDIS_URL)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException(
            "TELESERVICES_REDIS_URL n'est pas défini : le worker a besoin de Redis. "
            "Sans Redis (mode embarqué), les tâches s'exécutent immédiatement dans "
            "l'application et aucun worker n'est nécessaire."
        )
    from teleservices.jobs import run_worker

    click.echo("Worker des tâches démarré (Ctrl+C pour l'arrêter).")
    run_worker(burst=burst)


def resolve_establishment(academy_code: str, uai: str) -> Establishment:
    """The establishment ``uai`` of the academy ``academy_code``, for commands taking both."""
    academy_id = db.session.scalar(select(Academy.id).where(Academy.code == academy_code))
    if academy_id is None:
        raise click.ClickException(f"Académie « {academy_code} » inconnue.")
    try:
        uai = normalise_uai(uai)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--uai") from exc
    with tenant(academy_id):
        establishment = db.session.scalar(select(Establishment).where(Establishment.uai == uai))
    if establishment is None:
        raise click.ClickException(f"Établissement {uai} inconnu dans l'académie {academy_code}.")
    return establishment


@click.group("import", help="Importer des données : exports SIECLE, données des téléservices.")
def import_group() -> None:
    """Import commands (``import siecle``; téléservices add ``import <code>``)."""


def init_app(app: Flask) -> None:
    """Attach the host's commands to the application's CLI."""
    from teleservices.accounts.cli import accounts_group
    from teleservices.imports.cli import importer_command
    from teleservices.notifications.cli import notify_command
    from teleservices.school.cli import import_siecle_command
    from teleservices.school.generator import generate_command
    from teleservices.sweep import sweep_command

    for command in (
        tenants_group,
        plugins_group,
        serve,
        demo,
        worker,
        sweep_command,
        generate_command,
        import_group,
        accounts_group,
        notify_command,
    ):
        app.cli.add_command(command)
    import_group.add_command(import_siecle_command)
    for importer in app.extensions["teleservices_registry"].importers.values():
        import_group.add_command(importer_command(importer))


class TeleservicesGroup(FlaskGroup):
    """The console script: our ``db`` group wins over Flask-Migrate's (it upgrades all heads)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "db":
            return migrations_cli.db_group
        return super().get_command(ctx, cmd_name)


def _factory() -> Flask:
    from teleservices.app import create_app

    return create_app()


def main() -> None:
    """Entry point of the ``teleservices`` console script."""
    TeleservicesGroup(
        create_app=_factory, help="Téléservices — administration en ligne de commande."
    )()
